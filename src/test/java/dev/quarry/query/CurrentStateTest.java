package dev.quarry.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.metadata.RefreshState;
import dev.quarry.query.embedded.EmbeddedEngine;
import dev.quarry.testing.TestWarehouse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CurrentStateTest {
  /** The inventory's snapshot: the warehouse's last refresh. */
  private static final Instant REFRESH = Instant.parse("2026-06-01T12:00:00Z");

  private static final String QUERY =
      "SELECT key, version_id, is_delete_marker, element_at(object_tags, 'k') AS k\n"
          + "FROM current_state\n"
          + "ORDER BY key, version_id";

  @TempDir Path dir;

  /**
   * Inventory at 12:00 holds a (v1, v2), b, c, d, e; the journal after it overwrites a, puts a
   * delete marker on b, permanently deletes c, puts f and changes d's tags. The journal also
   * repeats a row the inventory already has (a v2, inside the look-back hour) and an old one (e,
   * before it).
   */
  private TestWarehouse scenario() throws Exception {
    TestWarehouse tables = new TestWarehouse(dir.resolve("warehouse"));
    tables.inventory(
        "b_photos",
        "SELECT 'photos' AS bucket, k AS key, lpad(s, 20, '0') AS sequence_number, v AS version_id,"
            + " FALSE AS is_delete_marker, 10::BIGINT AS size, TIMESTAMP '2026-06-01 09:00:00' AS"
            + " last_modified_date, 'STANDARD' AS storage_class, MAP {'k': '1'} AS object_tags"
            + " FROM (VALUES ('a', '1', 'a1'), ('a', '2', 'a2'), ('b', '3', 'b1'), ('c', '4',"
            + " 'c1'), ('d', '5', 'd1'), ('e', '6', 'e1')) t(k, s, v)");
    tables.journal(
        "b_photos",
        "SELECT 'photos' AS bucket, k AS key, lpad(s, 20, '0') AS sequence_number, r AS"
            + " record_type, ts::TIMESTAMP AS record_timestamp, v AS version_id, dm AS"
            + " is_delete_marker, CASE WHEN dm IS NULL THEN NULL ELSE 10 END::BIGINT AS size,"
            + " CASE WHEN dm IS NULL OR dm THEN NULL ELSE ts::TIMESTAMP END AS last_modified_date,"
            + " CASE WHEN dm IS NULL THEN NULL ELSE MAP {'k': t} END AS object_tags FROM (VALUES"
            + " ('e', '6', 'CREATE', '2026-06-01 09:00:00', 'e1', FALSE, '1'),"
            + " ('a', '2', 'CREATE', '2026-06-01 11:30:00', 'a2', FALSE, '1'),"
            + " ('a', '7', 'CREATE', '2026-06-01 12:10:00', 'a3', FALSE, '1'),"
            + " ('b', '8', 'DELETE', '2026-06-01 12:11:00', 'b-dm', TRUE, NULL),"
            + " ('c', '9', 'DELETE', '2026-06-01 12:12:00', 'c1', NULL, NULL),"
            + " ('f', '10', 'CREATE', '2026-06-01 12:13:00', 'f1', FALSE, '1'),"
            + " ('d', '11', 'UPDATE_METADATA', '2026-06-01 12:14:00', 'd1', FALSE, '2'))"
            + " t(k, s, r, ts, v, dm, t)");
    new RefreshState("photos", "b_photos", "local", REFRESH, null, 11, 1, null, null, null)
        .write(tables.warehouse().stateFile("b_photos"));
    return tables;
  }

  @Test
  void mergesTheJournalNewerThanTheInventoryOnDuckDb() throws Exception {
    // given
    try (TestWarehouse tables = scenario();
        EmbeddedEngine engine = new EmbeddedEngine(tables.warehouse())) {
      // when
      List<List<Object>> rows = rows(engine, QUERY);

      // then
      assertThat(rows)
          .containsExactly(
              List.of("a", "a1", false, "1"),
              List.of("a", "a2", false, "1"),
              List.of("a", "a3", false, "1"),
              List.of("b", "b-dm", true, "null"),
              List.of("b", "b1", false, "1"),
              List.of("d", "d1", false, "2"),
              List.of("e", "e1", false, "1"),
              List.of("f", "f1", false, "1"));
    }
  }

  @Test
  void theTextAthenaGetsIsPlainTrinoAndRunsAlikeOnDuckDb() throws Exception {
    // given the journal renamed, as a V2 metadata configuration names it
    Map<MetadataTable, String> names = Map.of(MetadataTable.JOURNAL, "journal_v2");

    // when
    String athena = PlainTables.rename(CurrentState.expand(QUERY, "journal_v2"), names);

    // then: Trino's spelling only, the properties table following the journal's name
    assertThat(athena)
        .startsWith("WITH current_state AS (SELECT bucket, key, sequence_number")
        .contains("FROM \"journal_v2\" WHERE record_timestamp > (SELECT")
        .contains("FROM \"journal$properties\"".replace("journal", "journal_v2"))
        .contains("from_unixtime(CAST(value AS BIGINT) / 1000.0)")
        .contains("FROM inventory)")
        .doesNotContain("::")
        .doesNotContain("quarry_from_unixtime")
        .doesNotContain("arg_max");
    assertThat(athena.lines().count()).isEqualTo(QUERY.lines().count());
    assertThat(PlainTables.referenced(QUERY))
        .containsExactlyInAnyOrder(MetadataTable.JOURNAL, MetadataTable.INVENTORY);

    // and the unrenamed text, already expanded, runs on DuckDB as it is, to the same rows
    String text = CurrentState.expand(QUERY, "journal");
    assertThat(CurrentState.expand(text, "journal")).isEqualTo(text);
    try (TestWarehouse tables = scenario();
        EmbeddedEngine engine = new EmbeddedEngine(tables.warehouse())) {
      assertThat(rows(engine, text)).isEqualTo(rows(engine, QUERY)).hasSize(8);
    }
  }

  @Test
  void theEmbeddedPropertiesTableGivesTheLastRefreshAsTheSnapshotTime() throws Exception {
    // given
    try (TestWarehouse tables = scenario();
        EmbeddedEngine engine = new EmbeddedEngine(tables.warehouse())) {
      // when
      List<List<Object>> rows = rows(engine, "SELECT key, value FROM \"journal$properties\"");

      // then
      assertThat(rows)
          .containsExactly(
              List.of(CurrentState.SNAPSHOT_PROPERTY, Long.toString(REFRESH.toEpochMilli())));
    }
  }

  @Test
  void aQueryWithItsOwnWithClauseKeepsIt() {
    // when
    String sql =
        CurrentState.expand(
            "WITH big AS (SELECT * FROM current_state WHERE size > 5) SELECT * FROM big",
            "journal");

    // then
    assertThat(sql).startsWith("WITH current_state AS (").contains("), big AS (SELECT * FROM");
  }

  private static List<List<Object>> rows(QueryEngine engine, String sql) {
    List<List<Object>> rows = new ArrayList<>();
    engine.rows(
        BoundQuery.of(sql),
        new QueryEngine.RowVisitor() {
          @Override
          public void columns(List<String> names) {}

          @Override
          public void row(List<Object> values) {
            List<Object> row = new ArrayList<>(values);
            row.replaceAll(v -> v == null ? "null" : v);
            rows.add(row);
          }
        });
    return rows;
  }
}
