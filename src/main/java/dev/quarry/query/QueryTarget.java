package dev.quarry.query;

import static java.util.Objects.requireNonNull;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * Where a playbook's plain {@code journal} and {@code inventory} live: what the engine needs to
 * resolve them.
 *
 * @param bucket the general purpose bucket whose metadata tables the query reads; the Athena engine
 *     asks S3 for its metadata configuration, the embedded one uses {@code b_<bucket>}
 * @param namespace the namespace (Athena database) to use, over the profile's and the lookup's
 * @param journalTable the journal table's name, over the lookup's
 * @param inventoryTable the inventory table's name, over the lookup's
 * @param reads the tables the query names plainly
 */
public record QueryTarget(
    Optional<String> bucket,
    Optional<String> namespace,
    Optional<String> journalTable,
    Optional<String> inventoryTable,
    Set<MetadataTable> reads) {
  /** A query that names its tables itself, or uses the engine's defaults. */
  public static final QueryTarget DEFAULT =
      new QueryTarget(
          Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Set.of());

  public QueryTarget {
    requireNonNull(bucket, "bucket is null");
    requireNonNull(namespace, "namespace is null");
    requireNonNull(journalTable, "journalTable is null");
    requireNonNull(inventoryTable, "inventoryTable is null");
    reads = reads.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(reads));
  }

  /** The name given for a table, if any. */
  public Optional<String> tableName(MetadataTable table) {
    return switch (table) {
      case JOURNAL -> journalTable;
      case INVENTORY -> inventoryTable;
    };
  }
}
