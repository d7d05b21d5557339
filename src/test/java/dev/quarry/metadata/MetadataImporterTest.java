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

  @Test
  void theImportedInventoryIsSortedByKeyInS3sOrderNewestVersionFirst() throws Exception {
    // given an export in no particular order: S3 orders keys by their UTF-8 bytes, so 'Z' < 'a',
    // 'a/10' < 'a/2' and a non-BMP character (4 bytes) after a BMP one
    Path inventory =
        write(
            "inventory.parquet",
            "SELECT * EXCLUDE (record_type, record_timestamp, requester, source_ip_address,"
                + " request_id, k, v, t) REPLACE (k AS key, v AS version_id, t AS last_modified_date)"
                + " FROM ("
                + JOURNAL_ROW
                + "), (VALUES ('b', 'v1', TIMESTAMP '2026-01-01'), ('\u00e9t\u00e9', 'v1',"
                + " TIMESTAMP '2026-01-01'), ('a/2', 'old', TIMESTAMP '2026-01-01'), ('Z', 'v1',"
                + " TIMESTAMP '2026-01-01'), ('\ud83d\ude00', 'v1', TIMESTAMP '2026-01-01'),"
                + " ('a/2', 'new', TIMESTAMP '2026-03-01'), ('a/10', 'v1', TIMESTAMP"
                + " '2026-01-01'), ('\uffee', 'v1', TIMESTAMP '2026-01-01')) AS t(k, v, t)");

    // when
    MetadataImporter.ImportSummary summary =
        importer().importTables("starwatcher", inventory, null);

    // then: the file's rows are in key order (row groups prune on key ranges), newest first
    List<Map<String, Object>> rows =
        ParquetRows.query(
            "SELECT key, version_id FROM read_parquet("
                + ParquetRows.path(Path.of(summary.inventoryFile()))
                + ", file_row_number = true) ORDER BY file_row_number");
    List<String> keys = rows.stream().map(r -> (String) r.get("key")).toList();
    assertThat(keys)
        .containsExactly("Z", "a/10", "a/2", "a/2", "b", "\u00e9t\u00e9", "\uffee", "\ud83d\ude00");
    assertThat(keys).isSortedAccordingTo(MetadataRefresher::compareUtf8);
    assertThat(rows.get(2)).containsEntry("version_id", "new");
    assertThat(rows.get(3)).containsEntry("version_id", "old");
  }

  @Test
  void aLargeImportReadInParallelIsStillOneSortedFile() throws Exception {
    // given 300,000 rows in hash order over several row groups, which DuckDB reads on all threads
    Path file = bigInventory();

    // when
    MetadataImporter.ImportSummary summary = importer().importTables("starwatcher", file, null);

    // then: no row is out of order
    assertThat(rowsOutOfKeyOrder(summary)).isZero();
    assertThat(summary.inventoryRows()).isEqualTo(300_000);
  }

  @Test
  void anImportSortsWithinItsMemoryLimitAndLeavesNoWorkFolderBehind() throws Exception {
    // given 300,000 rows and a memory limit well under what sorting them in memory takes
    Path file = bigInventory();

    // when
    MetadataImporter.ImportSummary summary =
        new MetadataImporter(warehouse(), Clock.systemUTC(), "200MB")
            .importTables("starwatcher", file, null);

    // then: sorted all the same, and the spill folder went with the import
    assertThat(rowsOutOfKeyOrder(summary)).isZero();
    assertThat(summary.inventoryRows()).isEqualTo(300_000);
    try (var entries =
        java.nio.file.Files.list(dir.resolve("warehouse").resolve(summary.namespace()))) {
      assertThat(entries.map(p -> p.getFileName().toString()))
          .noneMatch(n -> n.startsWith(".import-"));
    }
  }

  @Test
  void aBoundDuckDbHasTheLimitAndSpillsIntoTheGivenFolder() throws Exception {
    // given
    Path spill = dir.resolve("spill");

    // when
    try (var db = DuckDb.open(null);
        Statement statement = db.createStatement()) {
      DuckDb.bound(db, "48MB", spill);
      var settings =
          statement.executeQuery(
              "SELECT current_setting('memory_limit'), current_setting('temp_directory')");
      settings.next();

      // then: DuckDB prints 48 MB in its own unit
      assertThat(settings.getString(1)).isEqualTo("45.7 MiB");
      assertThat(settings.getString(2)).isEqualTo(spill.toAbsolutePath().toString());
    }
  }

  /** 300,000 inventory rows in hash order, 20,000 a row group. */
  private Path bigInventory() throws SQLException {
    Path file = dir.resolve("big.parquet");
    try (var db = DuckDb.open(null);
        Statement statement = db.createStatement()) {
      statement.execute(
          "COPY (SELECT * EXCLUDE (record_type, record_timestamp, requester, source_ip_address,"
              + " request_id, i) REPLACE (md5(CAST(i AS VARCHAR)) AS key) FROM ("
              + JOURNAL_ROW
              + "), range(300000) r(i)) TO "
              + DuckDb.literal(file)
              + " (FORMAT parquet, ROW_GROUP_SIZE 20000)");
    }
    return file;
  }

  /** How many rows of the imported inventory file follow a row with a greater key. */
  private static long rowsOutOfKeyOrder(MetadataImporter.ImportSummary summary)
      throws SQLException {
    List<Map<String, Object>> outOfOrder =
        ParquetRows.query(
            "SELECT count(*) FILTER (WHERE previous > key) AS n FROM (SELECT key, lag(key) OVER"
                + " (ORDER BY file_row_number) AS previous FROM read_parquet("
                + ParquetRows.path(Path.of(summary.inventoryFile()))
                + ", file_row_number = true))");
    return (Long) outOfOrder.get(0).get("n");
  }

  @Test
  void recordsWhetherTheInventoryHoldsOneRowPerKeyAndAJournalAloneKeepsIt() throws Exception {
    // given: one inventory with a key at two versions, one with every key once, a journal
    String inventoryRow =
        "SELECT * EXCLUDE (record_type, record_timestamp, requester, source_ip_address,"
            + " request_id) FROM ("
            + JOURNAL_ROW
            + ")";
    Path versioned =
        write(
            "versioned.parquet",
            inventoryRow
                + " UNION ALL SELECT * REPLACE ('v2' AS version_id) FROM ("
                + inventoryRow
                + ")");
    Path unique =
        write(
            "unique.parquet",
            inventoryRow
                + " UNION ALL SELECT * REPLACE ('other' AS key) FROM ("
                + inventoryRow
                + ")");
    Path journal = write("journal.parquet", JOURNAL_ROW);

    // when / then: the engine may skip its selected-rows check only where this says true
    importer().importTables("starwatcher", versioned, null);
    assertThat(state().inventoryOneRowPerKey()).isFalse();
    importer().importTables("starwatcher", unique, null);
    assertThat(state().inventoryOneRowPerKey()).isTrue();
    importer().importTables("starwatcher", null, journal);
    assertThat(state().inventoryOneRowPerKey()).isTrue();
    importer().importTables("starwatcher", versioned, journal);
    assertThat(state().inventoryOneRowPerKey()).isFalse();
  }

  private RefreshState state() {
    return RefreshState.read(warehouse().stateFile("b_starwatcher")).orElseThrow();
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
