package dev.quarry.query.athena;

import static java.util.Objects.requireNonNull;

import dev.quarry.query.MetadataTable;
import java.util.Optional;

/**
 * A general purpose bucket's S3 Metadata configuration, as GetBucketMetadataConfiguration reports
 * it: where its tables are and whether they can be queried.
 *
 * @param tableBucketType {@code aws} (a V2 configuration, in the AWS managed table bucket {@code
 *     aws-s3}) or {@code customer} (V1, in a table bucket of the account's own)
 * @param tableBucketArn {@code arn:aws:s3tables:<region>:<account>:bucket/<name>}; may be empty
 * @param namespace the namespace (Athena database) the tables are in, such as {@code b_photos}
 * @param journal the journal table; a V2 configuration always has one
 * @param inventory the inventory table, when the configuration has its settings
 */
public record BucketMetadata(
    String bucket,
    String tableBucketType,
    String tableBucketArn,
    String namespace,
    Optional<Table> journal,
    Optional<Table> inventory) {
  public BucketMetadata {
    requireNonNull(bucket, "bucket is null");
    requireNonNull(tableBucketType, "tableBucketType is null");
    requireNonNull(tableBucketArn, "tableBucketArn is null");
    requireNonNull(namespace, "namespace is null");
    requireNonNull(journal, "journal is null");
    requireNonNull(inventory, "inventory is null");
  }

  /**
   * One metadata table.
   *
   * @param configurationState {@code ENABLED} or {@code DISABLED} (the inventory's
   *     ConfigurationState; a journal is always {@code ENABLED})
   * @param status TableStatus: {@code CREATING}, {@code BACKFILLING} (inventory only), {@code
   *     ACTIVE} or {@code FAILED}; empty when S3 gave none (a disabled inventory)
   * @param error S3's ErrorCode and ErrorMessage when it could not create or fill the table
   */
  public record Table(
      String name, String configurationState, String status, Optional<String> error) {
    public Table {
      requireNonNull(name, "name is null");
      requireNonNull(configurationState, "configurationState is null");
      requireNonNull(status, "status is null");
      requireNonNull(error, "error is null");
    }
  }

  /** The Athena catalog of the table bucket: {@code s3tablescatalog/<table bucket name>}. */
  public Optional<String> catalog() {
    int slash = tableBucketArn.lastIndexOf(":bucket/");
    return slash < 0
        ? Optional.empty()
        : Optional.of("s3tablescatalog/" + tableBucketArn.substring(slash + ":bucket/".length()));
  }

  public Optional<Table> table(MetadataTable table) {
    return switch (table) {
      case JOURNAL -> journal;
      case INVENTORY -> inventory;
    };
  }

  /** Why a query cannot read {@code table} now; empty when it can. */
  public Optional<String> unusable(MetadataTable table) {
    String which = "the " + table.plainName() + " table of bucket " + bucket;
    Optional<Table> found = table(table);
    if (found.isEmpty() || found.get().name().isEmpty()) {
      return Optional.of(
          "bucket "
              + bucket
              + "'s S3 Metadata configuration has no "
              + table.plainName()
              + " table"
              + (table == MetadataTable.INVENTORY
                  ? " (a V1 configuration has only a journal): enable the inventory table"
                      + " (aws s3api update-bucket-metadata-inventory-table-configuration), or"
                      + " query the journal"
                  : ""));
    }
    Table t = found.get();
    if (!t.configurationState().equals("ENABLED")) {
      return Optional.of(
          which
              + " is not enabled (ConfigurationState "
              + t.configurationState()
              + "): enable it (aws s3api update-bucket-metadata-inventory-table-configuration),"
              + " or query the journal");
    }
    String error = t.error().map(e -> " (" + e + ")").orElse("");
    return switch (t.status()) {
      case "ACTIVE" -> Optional.empty();
      case "BACKFILLING" ->
          Optional.of(
              which
                  + " is still BACKFILLING: S3 is reading the bucket's objects into it, and a query"
                  + " now would select only part of them; wait until its status is ACTIVE");
      case "CREATING" ->
          Optional.of(which + " is being created (CREATING); wait until its status is ACTIVE");
      case "FAILED" ->
          Optional.of(
              which + " FAILED" + error + ": see the bucket's Metadata tab in the S3 console");
      default ->
          Optional.of(which + " has status '" + t.status() + "' where ACTIVE is needed" + error);
    };
  }
}
