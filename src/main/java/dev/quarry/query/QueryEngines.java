package dev.quarry.query;

import dev.quarry.config.QuarryConfig;
import dev.quarry.error.QuarryException;
import dev.quarry.metadata.Warehouse;
import dev.quarry.query.athena.AthenaEngine;
import dev.quarry.query.athena.AthenaSettings;
import dev.quarry.query.embedded.EmbeddedEngine;
import java.util.List;
import java.util.Optional;

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
      case "embedded" -> new EmbeddedEngine(new Warehouse(config.warehouseDir()), namespace);
      case "athena" -> {
        AthenaSettings settings = AthenaSettings.from(config.athena());
        yield AthenaEngine.create(config, namespace.map(settings::withDatabase).orElse(settings));
      }
      default ->
          throw QuarryException.user(
              "unknown engine '" + config.engine() + "'; valid: " + String.join(", ", NAMES));
    };
  }
}
