package dev.quarry.query.athena;

import static java.util.Objects.requireNonNull;

import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.query.MetadataTable;
import dev.quarry.query.QueryTarget;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Decides where an Athena query's plain {@code journal} and {@code inventory} resolve: the database
 * (namespace) and table names, and the catalog of the table bucket.
 *
 * <p>What the user says wins: the playbook's {@code metadata.namespace}, else the profile's {@code
 * athena-database}. Only when neither names a namespace, the playbook names its bucket and its
 * query uses a plain table name is S3 asked (GetBucketMetadataConfiguration, once per bucket); then
 * each table the query reads must be enabled and ACTIVE, or the query is refused before it runs.
 * Table names given in the playbook win over the ones S3 reports; the catalog S3's answer implies
 * is used unless the profile sets {@code athena-catalog}.
 */
public final class MetadataResolver {
  private final AthenaSettings base;
  private final boolean catalogConfigured;
  private final Function<String, BucketMetadata> lookup;
  private final Map<String, BucketMetadata> looked = new HashMap<>();

  /**
   * @param base the profile's settings
   * @param catalogConfigured whether the profile names the catalog itself
   * @param lookup reads a bucket's metadata configuration ({@link BucketMetadataLookup#lookup})
   */
  public MetadataResolver(
      AthenaSettings base, boolean catalogConfigured, Function<String, BucketMetadata> lookup) {
    this.base = requireNonNull(base, "base is null");
    this.catalogConfigured = catalogConfigured;
    this.lookup = requireNonNull(lookup, "lookup is null");
  }

  /**
   * @throws QuarryException when S3 has no usable configuration for the target's bucket
   */
  public AthenaSettings settingsFor(QueryTarget target) {
    AthenaSettings settings = base;
    Optional<String> namespace = target.namespace().or(base::database);
    Map<MetadataTable, String> names = new EnumMap<>(MetadataTable.class);
    for (MetadataTable table : MetadataTable.values()) {
      target.tableName(table).ifPresent(name -> names.put(table, name));
    }
    if (namespace.isEmpty() && target.bucket().isPresent() && !target.reads().isEmpty()) {
      BucketMetadata metadata = looked.computeIfAbsent(target.bucket().get(), lookup);
      for (MetadataTable table : target.reads()) {
        if (names.containsKey(table)) {
          continue;
        }
        Optional<String> unusable = metadata.unusable(table);
        if (unusable.isPresent()) {
          throw QuarryException.user(ErrorCode.METADATA_MISSING, unusable.get());
        }
        names.put(table, metadata.table(table).orElseThrow().name());
      }
      namespace = Optional.of(metadata.namespace());
      if (!catalogConfigured && metadata.catalog().isPresent()) {
        settings = settings.withCatalog(metadata.catalog().get());
      }
    }
    names.entrySet().removeIf(e -> e.getValue().equals(e.getKey().plainName()));
    if (namespace.isPresent()) {
      settings = settings.withDatabase(namespace.get());
    }
    return settings.withTableNames(names);
  }
}
