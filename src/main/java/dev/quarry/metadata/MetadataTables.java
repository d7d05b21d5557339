package dev.quarry.metadata;

import java.util.List;

/**
 * The S3 Metadata tables as AWS defines them: names, and columns with their types (DuckDB spelling
 * of the Iceberg types). The journal has one row per change; the inventory one row per object
 * version (delete markers included), with the journal's columns minus the request columns.
 */
public final class MetadataTables {
  /** The catalog Athena shows the AWS-managed table bucket under. */
  public static final String CATALOG = "s3tablescatalog/aws-s3";

  public static final String JOURNAL = "journal";
  public static final String INVENTORY = "inventory";

  /** A column and its DuckDB type. */
  public record Column(String name, String type) {}

  public static final List<Column> JOURNAL_COLUMNS =
      List.of(
          new Column("bucket", "VARCHAR"),
          new Column("key", "VARCHAR"),
          new Column("sequence_number", "VARCHAR"),
          new Column("record_type", "VARCHAR"),
          new Column("record_timestamp", "TIMESTAMP"),
          new Column("version_id", "VARCHAR"),
          new Column("is_delete_marker", "BOOLEAN"),
          new Column("size", "BIGINT"),
          new Column("last_modified_date", "TIMESTAMP"),
          new Column("e_tag", "VARCHAR"),
          new Column("storage_class", "VARCHAR"),
          new Column("is_multipart", "BOOLEAN"),
          new Column("encryption_status", "VARCHAR"),
          new Column("is_bucket_key_enabled", "BOOLEAN"),
          new Column("kms_key_arn", "VARCHAR"),
          new Column("checksum_algorithm", "VARCHAR"),
          new Column("object_tags", "MAP(VARCHAR, VARCHAR)"),
          new Column("user_metadata", "MAP(VARCHAR, VARCHAR)"),
          new Column("requester", "VARCHAR"),
          new Column("source_ip_address", "VARCHAR"),
          new Column("request_id", "VARCHAR"));

  private static final List<String> JOURNAL_ONLY =
      List.of("record_type", "record_timestamp", "requester", "source_ip_address", "request_id");

  public static final List<Column> INVENTORY_COLUMNS =
      JOURNAL_COLUMNS.stream().filter(c -> !JOURNAL_ONLY.contains(c.name())).toList();

  private MetadataTables() {}

  /**
   * The namespace AWS gives a bucket's tables by default. Real configurations can differ; on AWS it
   * is read from GetBucketMetadataConfiguration.
   */
  public static String namespace(String bucket) {
    return "b_" + bucket;
  }

  public static List<Column> columns(String table) {
    return switch (table) {
      case JOURNAL -> JOURNAL_COLUMNS;
      case INVENTORY -> INVENTORY_COLUMNS;
      default -> throw new IllegalArgumentException("no metadata table " + table);
    };
  }
}
