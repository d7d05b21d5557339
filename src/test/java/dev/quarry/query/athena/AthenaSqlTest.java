package dev.quarry.query.athena;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.error.ErrorKind;
import dev.quarry.error.QuarryException;
import dev.quarry.query.BoundQuery;
import dev.quarry.query.TaskIdentity;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AthenaSqlTest {
  @Test
  void theDistinctTasksWrapperKeepsOneRowPerTaskAndCountsItsCopies() throws Exception {
    // given: a query naming one key three times (two versions) and another once; Athena cannot
    // run here, so DuckDB, which reads this window SQL as Trino does, checks what it computes
    String query =
        "SELECT * FROM (VALUES ('p', 'a', 'v1', 1), ('p', 'a', 'v2', 2), ('p', 'a', 'v1', 3),"
            + " ('p', 'b', 'v9', 4)) t(bucket, key, version_id, n)";
    AthenaSql.Prepared prepared = AthenaSql.prepare(BoundQuery.of(query));

    // when
    Map<String, Long> byKey = copies(prepared.distinctTasks(TaskIdentity.BUCKET_KEY).sql());
    Map<String, Long> byVersion =
        copies(prepared.distinctTasks(TaskIdentity.BUCKET_KEY_VERSION).sql());

    // then: one row per task, the user's columns kept, the copies counted
    assertThat(byKey).containsOnly(Map.entry("a", 3L), Map.entry("b", 1L));
    assertThat(byVersion)
        .containsOnly(Map.entry("a/v1", 2L), Map.entry("a/v2", 1L), Map.entry("b/v9", 1L));
  }

  private static Map<String, Long> copies(String sql) throws Exception {
    Map<String, Long> copies = new LinkedHashMap<>();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      boolean versioned = sql.contains("\"version_id\")");
      while (rs.next()) {
        assertThat(rs.getObject("n")).isNotNull();
        String task = rs.getString("key") + (versioned ? "/" + rs.getString("version_id") : "");
        assertThat(copies.put(task, rs.getLong(AthenaSql.COPIES))).as("task " + task).isNull();
      }
    }
    return copies;
  }

  @Test
  void eachParameterOccurrenceBecomesAPlaceholderBoundInOrder() {
    // given
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("weather", "rain");
    values.put("min", 1024L);
    BoundQuery query =
        new BoundQuery(
            "SELECT bucket, key FROM inventory\n"
                + "WHERE object_tags['weather'] = :weather AND size > :min\n"
                + "  AND object_tags['also'] = :weather",
            values);

    // when
    AthenaSql.Prepared prepared = AthenaSql.prepare(query);

    // then
    assertThat(prepared.sql())
        .isEqualTo(
            "SELECT bucket, key FROM inventory\n"
                + "WHERE object_tags['weather'] = ? AND size > ?\n"
                + "  AND object_tags['also'] = ?");
    assertThat(prepared.parameters()).containsExactly("'rain'", "1024", "'rain'");
  }

  @Test
  void namesInsideStringsCommentsAndIdentifiersAreNotParameters() {
    // given
    BoundQuery query =
        new BoundQuery(
            "SELECT ':x' AS \":x\" -- :x\n/* :x */ FROM t WHERE a = :x;  \n", Map.of("x", "v"));

    // when
    AthenaSql.Prepared prepared = AthenaSql.prepare(query);

    // then
    assertThat(prepared.sql())
        .isEqualTo("SELECT ':x' AS \":x\" -- :x\n/* :x */ FROM t WHERE a = ?");
    assertThat(prepared.parameters()).containsExactly("'v'");
  }

  @Test
  void aValueThatLooksLikeSqlStaysOneQuotedLiteral() {
    // when
    AthenaSql.Prepared prepared =
        AthenaSql.prepare(
            new BoundQuery("SELECT key FROM t WHERE key = :k", Map.of("k", "' OR 1=1 --")));

    // then
    assertThat(prepared.sql()).isEqualTo("SELECT key FROM t WHERE key = ?");
    assertThat(prepared.parameters()).containsExactly("''' OR 1=1 --'");
  }

  @Test
  void valuesAreTheLiteralsAthenaExpects() {
    assertThat(AthenaSql.literal("it's")).isEqualTo("'it''s'");
    assertThat(AthenaSql.literal("")).isEqualTo("''");
    assertThat(AthenaSql.literal("ünï/çødé 🚀")).isEqualTo("'ünï/çødé 🚀'");
    assertThat(AthenaSql.literal(-42L)).isEqualTo("-42");
    assertThat(AthenaSql.literal(7)).isEqualTo("7");
    assertThat(AthenaSql.literal(new BigDecimal("1E+3"))).isEqualTo("1000");
    assertThat(AthenaSql.literal(new BigDecimal("-0.50"))).isEqualTo("-0.50");
    assertThat(AthenaSql.literal(1.5d)).isEqualTo("1.5E0");
    assertThat(AthenaSql.literal(true)).isEqualTo("true");
    assertThat(AthenaSql.literal(false)).isEqualTo("false");
    assertThat(AthenaSql.literal(LocalDateTime.of(2025, 3, 4, 5, 6, 7)))
        .isEqualTo("TIMESTAMP '2025-03-04 05:06:07.000'");
    assertThat(AthenaSql.literal(LocalDateTime.of(2025, 3, 4, 5, 6, 7, 120_000_000)))
        .isEqualTo("TIMESTAMP '2025-03-04 05:06:07.120'");
    assertThat(AthenaSql.literal(LocalDate.of(2025, 3, 4))).isEqualTo("DATE '2025-03-04'");
    assertThat(AthenaSql.literal(null)).isEqualTo("NULL");
  }

  @Test
  void aTimestampFinerThanMillisecondsKeepsItsDigits() {
    // Athena shows milliseconds, but the tables hold microseconds: never round a bound silently
    assertThat(AthenaSql.literal(LocalDateTime.of(2025, 3, 4, 5, 6, 7, 123_456_000)))
        .isEqualTo("TIMESTAMP '2025-03-04 05:06:07.123456'");
  }

  @Test
  void aMissingValueIsAUserErrorNamingIt() {
    assertThatThrownBy(
            () ->
                AthenaSql.prepare(
                    new BoundQuery("SELECT 1 WHERE a = :a AND b = :b", Map.of("a", "x"))))
        .isInstanceOf(QuarryException.class)
        .hasMessage("the query uses :b but no value was given for it; given: a");
  }

  @Test
  void aBarePlaceholderIsRefused() {
    assertThatThrownBy(() -> AthenaSql.prepare(BoundQuery.of("SELECT 1\nWHERE a = ?")))
        .hasMessageContaining("line 2: a bare '?' placeholder");
  }

  @Test
  void onlyOneQueryRuns() {
    assertThatThrownBy(() -> AthenaSql.prepare(BoundQuery.of("SELECT 1; DROP TABLE t")))
        .isInstanceOf(QuarryException.class)
        .hasMessageContaining("more than one statement");
    assertThatThrownBy(() -> AthenaSql.prepare(BoundQuery.of("DROP TABLE t")))
        .hasMessageContaining("only queries run here");
    assertThatThrownBy(() -> AthenaSql.prepare(BoundQuery.of(" -- nothing\n")))
        .hasMessage("the query is empty");
  }

  @Test
  void aValueLongerThanAthenaTakesIsAUserError() {
    assertThatThrownBy(
            () ->
                AthenaSql.prepare(
                    new BoundQuery("SELECT 1 WHERE a = :a", Map.of("a", "x".repeat(1023)))))
        .isInstanceOf(QuarryException.class)
        .satisfies(e -> assertThat(((QuarryException) e).kind()).isEqualTo(ErrorKind.USER))
        .hasMessage("parameter :a is 1025 characters as a SQL literal; Athena takes at most 1024");
  }

  @Test
  void anUnsupportedTypeIsAUserError() {
    assertThatThrownBy(
            () ->
                AthenaSql.prepare(
                    new BoundQuery("SELECT 1 WHERE a = :a", Map.of("a", new Object()))))
        .hasMessageStartingWith("parameter :a has a value of type Object");
  }

  @Test
  void describingWrapsTheQueryKeepingItsLineNumbers() {
    // when
    AthenaSql.Prepared prepared =
        AthenaSql.prepare(new BoundQuery("SELECT a\nFROM t -- tail\n", Map.of())).describing();

    // then
    assertThat(prepared.sql()).isEqualTo("SELECT * FROM (SELECT a\nFROM t\n) LIMIT 0");
  }

  @Test
  void aQueryAthenaCannotParseIsRefusedBeforeAnyCall() {
    assertThatThrownBy(
            () ->
                AthenaSql.prepare(
                    BoundQuery.of("SELECT key\nFROM inventory\nWHERE size::BIGINT > 0")))
        .isInstanceOfSatisfying(
            QuarryException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.USER))
        .hasMessageStartingWith("line 3:11: mismatched input ':'");
  }
}
