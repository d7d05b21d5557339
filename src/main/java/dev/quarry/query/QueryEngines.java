package dev.quarry.query;

import dev.quarry.config.QuarryConfig;
import dev.quarry.config.S3Clients;
import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.metadata.Warehouse;
import dev.quarry.query.athena.AthenaEngine;
import dev.quarry.query.athena.AthenaSettings;
import dev.quarry.query.athena.BucketMetadata;
import dev.quarry.query.athena.BucketMetadataLookup;
import dev.quarry.query.athena.MetadataResolver;
import dev.quarry.query.embedded.EmbeddedEngine;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.s3.S3Client;

/** Chooses the query engine a configuration names ({@code engine:} in a profile). */
public final class QueryEngines {
  public static final List<String> NAMES = List.of("athena", "embedded");

  private QueryEngines() {}

  /**
   * @param namespace the namespace plain {@code journal} / {@code inventory} resolve in: for
   *     embedded a namespace or a bucket (its {@code b_<bucket>}); for athena a namespace, which
   *     overrides {@code athena-database}. Empty means the configuration's (athena) or the
   *     warehouse's only one (embedded).
   * @throws QuarryException (user) for an engine name other than athena and embedded
   */
  public static QueryEngine create(QuarryConfig config, Optional<String> namespace) {
    return switch (config.engine()) {
      case "embedded" ->
          new EmbeddedEngine(
              new Warehouse(config.warehouseDir()),
              namespace,
              config.embedded(),
              config.spillDir());
      case "athena" -> {
        AthenaSettings settings = AthenaSettings.from(config.athena());
        yield AthenaEngine.create(config, namespace.map(settings::withDatabase).orElse(settings));
      }
      default -> throw unknown(config);
    };
  }

  /**
   * Engines for playbooks, each resolving its plain table names where the playbook says: embedded
   * in {@code b_<bucket>} (or the namespace it names), athena as {@link MetadataResolver} decides,
   * asking S3 for a bucket's metadata configuration only when nothing names the namespace.
   *
   * @throws QuarryException (user) for an engine name other than athena and embedded
   */
  public static EnginePool pool(QuarryConfig config) {
    return switch (config.engine()) {
      case "embedded" ->
          EnginePool.keyed(
              target -> target.bucket().or(target::namespace),
              namespace ->
                  new EmbeddedEngine(
                      new Warehouse(config.warehouseDir()),
                      namespace,
                      config.embedded(),
                      config.spillDir()),
              List.of());
      case "athena" -> {
        LazyLookup lookup = new LazyLookup(config);
        MetadataResolver resolver =
            new MetadataResolver(
                AthenaSettings.from(config.athena()),
                config.athena().catalog().isPresent(),
                lookup::lookup);
        yield EnginePool.keyed(
            resolver::settingsFor,
            settings -> AthenaEngine.create(config, settings),
            List.of(lookup));
      }
      default -> throw unknown(config);
    };
  }

  private static QuarryException unknown(QuarryConfig config) {
    return QuarryException.user(
        ErrorCode.CONFIG_INVALID,
        "unknown engine '" + config.engine() + "'; valid: " + String.join(", ", NAMES));
  }

  /** An S3 client for metadata lookups, made only if a playbook needs one. */
  private static final class LazyLookup implements AutoCloseable {
    private final QuarryConfig config;
    private S3Client s3;

    LazyLookup(QuarryConfig config) {
      this.config = config;
    }

    BucketMetadata lookup(String bucket) {
      if (s3 == null) {
        s3 = S3Clients.create(config, 1);
      }
      return new BucketMetadataLookup(s3).lookup(bucket);
    }

    @Override
    public void close() {
      if (s3 != null) {
        s3.close();
      }
    }
  }
}
