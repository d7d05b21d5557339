package dev.quarry.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.error.ProblemsException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetadataImporterTest {
  @TempDir Path dir;

  /** One journal row the way Athena's UNLOAD writes it, with AWS's column types. */
  private static final String JOURNAL_ROW =
      "SELECT 'starwatcher' AS bucket, 'photos/a b.jpg' AS key, '0000000000000001' AS"
          + " sequence_number, 'CREATE' AS record_type, TIMESTAMP '2026-06-01 10:00:00' AS"
          + " record_timestamp, 'v1' AS version_id, FALSE AS is_delete_marker, 42::BIGINT AS"
          + " size, TIMESTAMP '2026-06-01 10:00:00' AS last_modified_date, 'abc' AS e_tag,"
          + " 'GLACIER' AS storage_class, FALSE AS is_multipart, 'SSE-S3' AS encryption_status,"
          + " FALSE AS is_bucket_key_enabled, NULL::VARCHAR AS kms_key_arn, 'CRC64NVME' AS"
          + " checksum_algorithm, MAP {'weather': 'rain'} AS object_tags, MAP {'ami-name':"
          + " 'x'}::MAP(VARCHAR, VARCHAR) AS user_metadata, '111122223333' AS requester,"
          + " '192.0.2.1' AS source_ip_address, 'REQ1' AS request_id";

  @Test
  void importsAJournalAndAnInventoryWithAwsSchema() throws Exception {
    // given
    Path journal = write("journal.parquet", JOURNAL_ROW);
    Path inventory =
        write(
            "inventory.parquet",
            "SELECT * EXCLUDE (record_type, record_timestamp, requester, source_ip_address,"
                + " request_id) FROM ("
                + JOURNAL_ROW
                + ")");

    // when
    MetadataImporter.ImportSummary summary =
        importer().importTables("starwatcher", inventory, journal);

    // then
    assertThat(summary.inventoryRows()).isEqualTo(1);
    assertThat(summary.journalRows()).isEqualTo(1);
    assertThat(summary.notes()).isEmpty();
    List<Map<String, Object>> rows =
        ParquetRows.query(
            "SELECT key, object_tags, requester FROM read_parquet("
                + ParquetRows.path(Path.of(summary.journalFile()))
                + ")");
    assertThat(rows)
        .containsExactly(
            Map.of(
                "key",
                "photos/a b.jpg",
                "object_tags",
                "{weather=rain}",
                "requester",
                "111122223333"));
    assertThat(warehouse().parquetFiles("b_starwatcher", "inventory")).hasSize(1);
    assertThat(RefreshState.read(warehouse().stateFile("b_starwatcher")).orElseThrow().lastImport())
        .isNotNull();
  }

  @Test
  void convertsCompatibleTypesAndIgnoresExtraColumns() throws Exception {
    // given: a zoned timestamp 2 hours ahead of UTC, an int size and an extra column
    Path journal =
        write(
            "journal.parquet",
            "SELECT * REPLACE (TIMESTAMPTZ '2026-06-01 12:00:00+02' AS record_timestamp,"
                + " 42::INTEGER AS size), 'x' AS athena_extra FROM ("
                + JOURNAL_ROW
                + ")");

    // when
    MetadataImporter.ImportSummary summary = importer().importTables("starwatcher", null, journal);

    // then
    assertThat(summary.notes()).singleElement().asString().contains("athena_extra");
    List<Map<String, Object>> rows =
        ParquetRows.query(
            "SELECT record_timestamp::VARCHAR AS t, typeof(size) AS size_type,"
                + " typeof(record_timestamp) AS t_type FROM read_parquet("
                + ParquetRows.path(Path.of(summary.journalFile()))
                + ")");
    assertThat(rows)
        .containsExactly(
            Map.of("t", "2026-06-01 10:00:00", "size_type", "BIGINT", "t_type", "TIMESTAMP"));
  }

  @Test
  void namesTheMissingColumnAndTheWrongType() throws Exception {
    // given
    Path journal =
        write(
            "journal.parquet",
            "SELECT * EXCLUDE (request_id) REPLACE ('big' AS size) FROM (" + JOURNAL_ROW + ")");

    // when / then
    assertThatThrownBy(() -> importer().importTables("starwatcher", null, journal))
        .isInstanceOf(ProblemsException.class)
        .hasMessageContaining(
            journal + ": request_id: missing column 'request_id' (expected type VARCHAR)")
        .hasMessageContaining(journal + ": size: column 'size' has type VARCHAR; expected BIGINT");
    assertThat(warehouse().parquetFiles("b_starwatcher", "journal")).isEmpty();
  }

  @Test
  void refusesRowsOfAnotherBucket() throws Exception {
    // given
    Path journal = write("journal.parquet", JOURNAL_ROW);

    // when / then
    assertThatThrownBy(() -> importer().importTables("other-bucket", null, journal))
        .isInstanceOf(ProblemsException.class)
        .hasMessageContaining("rows of other buckets (starwatcher); expected other-bucket");
  }

  private Path write(String name, String query) throws SQLException {
    Path file = dir.resolve(name);
    try (var db = DuckDb.open(null);
        Statement statement = db.createStatement()) {
      statement.execute("COPY (" + query + ") TO " + DuckDb.literal(file) + " (FORMAT parquet)");
    }
    return file;
  }

  private Warehouse warehouse() {
    return new Warehouse(dir.resolve("warehouse"));
  }

  private MetadataImporter importer() {
    return new MetadataImporter(warehouse(), Clock.systemUTC());
  }
}
