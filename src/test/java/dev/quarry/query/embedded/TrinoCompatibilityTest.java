package dev.quarry.query.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.error.ErrorKind;
import dev.quarry.error.QuarryException;
import dev.quarry.query.BoundQuery;
import dev.quarry.testing.TestWarehouse;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each rewritten function against the value Trino's documentation gives
 * (trino.io/docs/current/functions/...), run in the real embedded engine.
 */
class TrinoCompatibilityTest {
  @TempDir static Path root;
  static TestWarehouse tables;
  static EmbeddedEngine engine;
  static final LocalDateTime NOW = LocalDateTime.now(ZoneOffset.UTC);

  @BeforeAll
  static void warehouse() throws Exception {
    tables = new TestWarehouse(root);
    tables.journal(
        "b_clock",
        "SELECT * FROM (VALUES ('recent', TIMESTAMP '"
            + NOW.minusDays(1)
            + "'), ('old', TIMESTAMP '"
            + NOW.minusDays(10)
            + "'), ('in 2020', TIMESTAMP '2020-05-11 10:15:05')) AS t(key, record_timestamp)");
    engine = new EmbeddedEngine(tables.warehouse());
  }

  @AfterAll
  static void close() throws Exception {
    engine.close();
    tables.close();
  }

  private static Object value(String expression) {
    List<List<Object>> rows =
        EmbeddedEngineTest.rows(engine, BoundQuery.of("SELECT " + expression));
    return rows.get(0).get(0);
  }

  @Test
  void elementAtIsNullForAMissingKey() {
    // functions/map: element_at(map(K,V), key) returns NULL if the key is not contained
    assertThat(value("element_at(map(ARRAY['a'], ARRAY['x']), 'a')")).isEqualTo("x");
    assertThat(value("element_at(map(ARRAY['a'], ARRAY['x']), 'b')")).isNull();
  }

  @Test
  void mapSubscriptFailsOnAMissingKeyAsTrino() {
    // functions/map: "The [] operator ... throws an error if the key is not contained in the map"
    assertThat(value("map(ARRAY['a'], ARRAY['x'])['a']")).isEqualTo("x");
    assertThat(value("CAST(NULL AS MAP(VARCHAR, VARCHAR))['a']")).isNull();
    assertThatThrownBy(() -> value("map(ARRAY['a'], ARRAY['x'])['b']"))
        .isInstanceOfSatisfying(
            QuarryException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.USER))
        .hasMessageContaining("Key not present in map: b")
        .hasMessageContaining("element_at");
  }

  @Test
  void regexpLikeMatchesAnywhere() {
    // functions/regexp: regexp_like('1a 2b 14m', '\d+b') -- true
    assertThat(value("regexp_like('1a 2b 14m', '\\d+b')")).isEqualTo(true);
    assertThat(value("regexp_like('1a 2b 14m', '^\\d+b')")).isEqualTo(false);
  }

  @Test
  void fromIso8601TimestampIsTheUtcInstant() {
    // functions/datetime: from_iso8601_timestamp('2020-05-11T11:15:05.055+01:00')
    //   -- 2020-05-11 11:15:05.055 +01:00, i.e. 10:15:05.055 UTC
    assertThat(value("from_iso8601_timestamp('2020-05-11T11:15:05.055+01:00')"))
        .isEqualTo(LocalDateTime.parse("2020-05-11T10:15:05.055"));
    // without an offset the session zone applies, UTC on Athena
    assertThat(value("from_iso8601_timestamp('2020-05-11T11:15:05')"))
        .isEqualTo(LocalDateTime.parse("2020-05-11T11:15:05"));
    // and it compares with the tables' zone-less UTC timestamps as an instant
    assertThat(
            EmbeddedEngineTest.rows(
                engine,
                BoundQuery.of(
                    "SELECT key FROM journal WHERE record_timestamp ="
                        + " from_iso8601_timestamp('2020-05-11T12:15:05+02:00')")))
        .containsExactly(List.of("in 2020"));
  }

  @Test
  void fromUnixtimeIsUtc() {
    // functions/datetime: from_unixtime(unixtime) -- timestamp(3) with time zone, session zone UTC
    assertThat(value("from_unixtime(1589195705.055)"))
        .isEqualTo(LocalDateTime.parse("2020-05-11T11:15:05.055"));
    assertThat(value("to_unixtime(TIMESTAMP '2020-05-11 11:15:05')")).isEqualTo(1589195705.0);
  }

  @Test
  void dateAddTakesTheUnitFirst() {
    // functions/datetime examples
    // date_add('second', 86, TIMESTAMP '2020-03-01 00:00:00') -- 2020-03-01 00:01:26.000
    assertThat(value("date_add('second', 86, TIMESTAMP '2020-03-01 00:00:00')"))
        .isEqualTo(LocalDateTime.parse("2020-03-01T00:01:26"));
    // date_add('hour', 9, TIMESTAMP '2020-03-01 00:00:00') -- 2020-03-01 09:00:00.000
    assertThat(value("date_add('hour', 9, TIMESTAMP '2020-03-01 00:00:00')"))
        .isEqualTo(LocalDateTime.parse("2020-03-01T09:00:00"));
    // date_add('day', -1, TIMESTAMP '2020-03-01 00:00:00 UTC') -- 2020-02-29 00:00:00.000 UTC
    assertThat(value("date_add('day', -1, TIMESTAMP '2020-03-01 00:00:00')"))
        .isEqualTo(LocalDateTime.parse("2020-02-29T00:00:00"));
  }

  @Test
  void dateDiffCountsWholeUnits() {
    // functions/datetime examples
    // date_diff('second', TIMESTAMP '2020-03-01 00:00:00', TIMESTAMP '2020-03-02 00:00:00') --
    // 86400
    assertThat(
            value(
                "date_diff('second', TIMESTAMP '2020-03-01 00:00:00', TIMESTAMP '2020-03-02"
                    + " 00:00:00')"))
        .isEqualTo(86400L);
    // date_diff('hour', TIMESTAMP '2020-03-01 00:00:00 UTC', TIMESTAMP '2020-03-02 00:00:00 UTC')
    //   -- 24
    assertThat(
            value(
                "date_diff('hour', TIMESTAMP '2020-03-01 00:00:00', TIMESTAMP '2020-03-02"
                    + " 00:00:00')"))
        .isEqualTo(24L);
    // date_diff('day', DATE '2020-03-01', DATE '2020-03-02') -- 1
    assertThat(value("date_diff('day', DATE '2020-03-01', DATE '2020-03-02')")).isEqualTo(1L);
    // date_diff('millisecond', TIMESTAMP '2020-06-01 12:30:45.000000000',
    //   TIMESTAMP '2020-06-02 12:30:45.123456789') -- 86400123
    assertThat(
            value(
                "date_diff('millisecond', TIMESTAMP '2020-06-01 12:30:45.000000000', TIMESTAMP"
                    + " '2020-06-02 12:30:45.123456789')"))
        .isEqualTo(86400123L);
    // whole days, not midnights crossed (DuckDB's own date_diff would say 1)
    assertThat(
            value("date_diff('day', TIMESTAMP '2026-01-01 23:00', TIMESTAMP '2026-01-02 01:00')"))
        .isEqualTo(0L);
  }

  @Test
  void approxDistinctCounts() {
    // functions/aggregate: approx_distinct(x) -- approximate number of distinct values
    assertThat(
            EmbeddedEngineTest.rows(
                engine,
                BoundQuery.of("SELECT approx_distinct(x) FROM (VALUES (1), (2), (2), (3)) t(x)")))
        .containsExactly(List.of(3L));
  }

  @Test
  void integerDivisionTruncates() {
    // functions/math: "/ Division (integer division performs truncation)"
    assertThat(value("7 / 2")).isEqualTo(3);
    assertThat(value("-7 / 2")).isEqualTo(-3);
    assertThat(((Number) value("7.0 / 2")).doubleValue()).isEqualTo(3.5);
  }

  @Test
  void concatIsNullWhenAnArgumentIsNull() {
    // functions/string: concat provides the same functionality as the || operator,
    // which is NULL for a NULL operand
    assertThat(value("concat('a', 'b', 'c')")).isEqualTo("abc");
    assertThat(value("concat('a', NULL, 'c')")).isNull();
  }

  @Test
  void theSessionIsUtc() {
    // Athena's session zone is UTC: current_date and current_timestamp are UTC
    assertThat(value("current_date")).isEqualTo(LocalDate.now(ZoneOffset.UTC));
    assertThat(
            EmbeddedEngineTest.rows(
                engine,
                BoundQuery.of(
                    "SELECT key FROM journal WHERE record_timestamp > CURRENT_TIMESTAMP -"
                        + " interval '7' day")))
        .containsExactly(List.of("recent"));
    assertThat(
            EmbeddedEngineTest.rows(
                engine,
                BoundQuery.of(
                    "SELECT key FROM journal WHERE record_timestamp > (current_date - interval"
                        + " '7' day)")))
        .containsExactly(List.of("recent"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "format('%s', key)",
        "date_format(record_timestamp, '%Y-%m-%d %H:%i')",
        "date_parse('2026-01-01', '%Y-%m-%d')",
        "format_datetime(record_timestamp, key)",
        "format_datetime(record_timestamp, 'EEE yyyy')",
        "parse_datetime('2026', 'yyyy')"
      })
  void functionsThatWouldDifferSilentlyAreRefusedByName(String call) {
    String name = call.substring(0, call.indexOf('('));
    assertThatThrownBy(
            () ->
                EmbeddedEngineTest.rows(
                    engine, BoundQuery.of("SELECT key,\n  " + call + "\nFROM journal")))
        .isInstanceOfSatisfying(
            QuarryException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.USER))
        .hasMessageContaining("function " + name + "()")
        .hasMessageContaining("line 2")
        .hasMessageContaining(" use ");
  }

  @Test
  void aSubscriptOnACaseExpressionSubscriptsTheWholeCase() {
    // given CASE ... END['k'], valid Trino: the subscript applies to the CASE's map
    String expression =
        "CASE WHEN 1 = 1 THEN map(ARRAY['k'], ARRAY['v']) ELSE map(ARRAY['k'], ARRAY['w'])"
            + " END['k']";

    // when / then
    assertThat(value(expression)).isEqualTo("v");
    assertThat(TrinoCompatibility.rewrite("SELECT " + expression).sql())
        .isEqualTo(
            "SELECT quarry_map_subscript(CASE WHEN 1 = 1 THEN map(ARRAY['k'], ARRAY['v']) ELSE"
                + " map(ARRAY['k'], ARRAY['w']) END, 'k')");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "FROM journal",
        "DESCRIBE journal",
        "SHOW TABLES",
        "SUMMARIZE journal",
        "SELECT key::VARCHAR FROM journal",
        "SELECT key FROM journal; SELECT 1"
      })
  void duckDbOnlyStatementsAreRefusedAsAthenaRefusesThem(String statement) {
    assertThatThrownBy(() -> EmbeddedEngineTest.rows(engine, BoundQuery.of("\n" + statement)))
        .isInstanceOfSatisfying(
            QuarryException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.USER))
        .hasMessageContaining("line 2");
  }

  /**
   * Examples from Trino's documentation (functions/map, array, datetime, string, regexp), each with
   * the result Trino documents, run as written on the embedded engine.
   */
  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          element_at(map(ARRAY['a', 'b'], ARRAY[1, 2]), 'b')                   | 2
          element_at(map(ARRAY['a'], ARRAY[1]), 'z') IS NULL                    | true
          map_keys(map(ARRAY[1, 3], ARRAY[2, 4])) = ARRAY[1, 3]                 | true
          map_values(map(ARRAY[1, 3], ARRAY[2, 4])) = ARRAY[2, 4]               | true
          cardinality(map(ARRAY['k1', 'k2'], ARRAY[20, 3]))                     | 2
          element_at(ARRAY[1, 2, 3], 2)                                         | 2
          element_at(ARRAY[1, 2, 3], -1)                                        | 3
          contains(ARRAY[1, 2, 3], 2)                                           | true
          transform(ARRAY[5, 6], x -> x + 1) = ARRAY[6, 7]                      | true
          split('a.b.c', '.') = ARRAY['a', 'b', 'c']                            | true
          date_add('month', 1, TIMESTAMP '2020-01-31 00:00:00')                 | 2020-02-29T00:00
          date_diff('day', DATE '2020-03-01', DATE '2020-03-02')                | 1
          date_diff('hour', TIMESTAMP '2020-03-01 00:00:00', TIMESTAMP '2020-03-02 00:00:00') | 24
          regexp_like('1a 2b 14m', '\\d+b')                                      | true
          regexp_extract('1a 2b 14m', '\\d+')                                    | 1
          strpos('high', 'ig')                                                  | 2
          substr('Quarry', 2, 3)                                                | uar
          concat(lower('ABC'), upper('def'))                                    | abcDEF
          sequence(1, 5) = ARRAY[1, 2, 3, 4, 5]                                 | true
          length('hello')                                                       | 5
          replace('hello', 'l', 'L')                                            | heLLo
          split_part('a,b,c', ',', 2)                                           | b
          cardinality(ARRAY[1, 2, 3])                                           | 3
          cardinality(ARRAY[])                                                  | 0
          element_at(ARRAY[1, 2, 3], 4) IS NULL                                 | true
          element_at(map(ARRAY[1, 3], ARRAY[2, 4]), 3)                          | 4
          map(ARRAY[1, 3], ARRAY[2, 4])[3]                                      | 4
          ARRAY[4, 5, 6][1]                                                     | 4
          split('a.b.c', '.', 2) = ARRAY['a', 'b.c']                            | true
          split('a.b.c', '.', 5) = ARRAY['a', 'b', 'c']                         | true
          sequence(5, 1) = ARRAY[5, 4, 3, 2, 1]                                 | true
          sequence(1, 9, 4) = ARRAY[1, 5, 9]                                    | true
          concat(ARRAY[1], ARRAY[2, 3]) = ARRAY[1, 2, 3]                        | true
          date_add('day', 1, DATE '2020-03-01')                                 | 2020-03-02
          date_add('month', 1, DATE '2020-01-31')                               | 2020-02-29
          date_add('year', -1, DATE '2020-02-29')                               | 2019-02-28
          date_diff('week', DATE '2020-03-01', DATE '2020-03-15')               | 2
          date_diff('month', DATE '2020-01-31', DATE '2020-02-29')              | 1
          date_diff('year', DATE '2020-03-01', DATE '2019-03-02')               | 0
          regexp_like('abc', 'B')                                               | false
          format_datetime(TIMESTAMP '2020-05-11 10:15:05.055', 'yyyy-MM-dd HH:mm:ss.SSS') | 2020-05-11 10:15:05.055
          format_datetime(TIMESTAMP '2020-05-01 07:15:05', 'yyyy/M/d H:m') | 2020/5/1 7:15
          format_datetime(DATE '2020-05-11', 'yyyyMMdd')                       | 20200511
          """)
  void trinosDocumentedExamplesGiveTrinosResults(String expression, String expected) {
    assertThat(String.valueOf(value(expression))).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "format_datetime(TIMESTAMP '2020-01-01 00:00:00', 'MMM yyyy')",
        "date_format(TIMESTAMP '2020-01-01 00:00:00', '%Y-%m')",
        "x::VARCHAR",
        "list_value(1, 2)[1:1]"
      })
  void examplesAthenaWouldNotRunAsTheyAreWrittenAreRefused(String expression) {
    assertThatThrownBy(() -> value(expression))
        .isInstanceOfSatisfying(
            QuarryException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.USER))
        .hasMessageContaining("line 1");
  }

  @Test
  void dateAddOnADateIsADateAsInTrino() {
    // functions/datetime: date_add(unit, value, timestamp) -> [same as input]
    assertThat(value("date_add('day', -7, DATE '2020-03-08')")).isEqualTo(LocalDate.of(2020, 3, 1));
    assertThat(value("date_add('quarter', 1, DATE '2020-11-30')"))
        .isEqualTo(LocalDate.of(2021, 2, 28));
    assertThat(value("date_add('day', 1, TIMESTAMP '2020-03-01 10:15:00')"))
        .isEqualTo(LocalDateTime.parse("2020-03-02T10:15:00"));
    // the usual playbook form keeps working on the session's timestamp
    assertThat(value("date_add('day', -7, current_timestamp) < current_timestamp")).isEqualTo(true);
    // Trino: "'hour' is not a valid DATE field"
    assertThatThrownBy(() -> value("date_add('hour', 1, DATE '2020-03-01')"))
        .isInstanceOfSatisfying(
            QuarryException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.USER))
        .hasMessageContaining("'hour' is not a valid DATE field");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          ARRAY[1, 2, 3][0]             | SQL array indices start at 1
          ARRAY[1, 2, 3][4]             | Array subscript must be less than or equal to array length: 4 > 3
          ARRAY[1, 2, 3][-1]            | Array subscript is negative: -1
          element_at(ARRAY[1, 2, 3], 0) | SQL array indices start at 1
          split('a/b', '/')[3]          | Array subscript must be less than or equal to array length: 3 > 2
          split('a/b', '/', 0)          | Limit must be positive
          """)
  void arraySubscriptsFailAsInTrino(String expression, String message) {
    // functions/array: "The [] operator ... the index starts at 1 ... throws an error if
    // out of range"; element_at(array, 0) fails, beyond the end it gives NULL
    assertThatThrownBy(() -> value(expression))
        .isInstanceOfSatisfying(
            QuarryException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.USER))
        .hasMessageContaining(message);
  }

  @Test
  void trinoFunctionsAreMacrosUnderTheirOwnNamesSoTheTextIsNotRewritten() {
    // given functions DuckDB has under another name or with other semantics
    String sql =
        "SELECT concat(a, b), regexp_like(a, 'x'), date_add('day', 1, d), cardinality(m),"
            + " element_at(m, 'k') FROM t";

    // when / then: the macros shadow DuckDB's built-ins, so the query runs as written
    assertThat(TrinoCompatibility.rewrite(sql).sql()).isEqualTo(sql);
  }

  @Test
  void cardinalityOfAMapColumnCountsItsKeysWithoutTheJsonDetour() {
    // given cardinality of the tables' map columns, qualified or not, and of an array
    String sql =
        "SELECT cardinality(object_tags), cardinality(i.user_metadata), cardinality(a) FROM t";

    // when / then: only the maps known as maps take the direct count
    assertThat(TrinoCompatibility.rewrite(sql).sql())
        .isEqualTo(
            "SELECT quarry_map_cardinality(object_tags), quarry_map_cardinality(i.user_metadata),"
                + " cardinality(a) FROM t");
  }

  @Test
  void rewritingKeepsTextOutsideCallsAndEveryLineBreak() {
    // given
    String sql =
        "SELECT format, t.format(1), 'date_format(x)', \"concat\" -- concat(a)\n"
            + "FROM t WHERE object_tags\n['k'] = :tag AND a[1] = 2 AND m[:p]['x'] IS NULL\n"
            + "AND concat (a, b) = '::x'";

    // when
    TrinoCompatibility.Rendered rendered = TrinoCompatibility.rewrite(sql);

    // then
    assertThat(rendered.sql())
        .isEqualTo(
            "SELECT format, t.format(1), 'date_format(x)', \"concat\" -- concat(a)\n"
                + "FROM t WHERE quarry_map_subscript(object_tags\n, 'k') = ? AND"
                + " quarry_array_subscript(a, 1) = 2 AND"
                + " quarry_map_subscript(quarry_map_subscript(m, ?), 'x') IS NULL\n"
                + "AND concat (a, b) = '::x'");
    assertThat(rendered.parameterOrder()).containsExactly("tag", "p");
  }

  @Test
  void startsWithALiteralOnAStringColumnAlsoGetsAKeyRangeThatParquetStatisticsPrune() {
    // given prefix tests of the tables' string columns, qualified or not
    String sql =
        "SELECT key FROM inventory i WHERE starts_with(key, 'images/raw/2024/03/')"
            + " AND NOT starts_with(i.storage_class, 'it''s')";

    // when / then: the same test, and beside it the range DuckDB checks against row-group min/max
    // (DuckDB 1.5.6 prunes on a range or a LIKE prefix, never on starts_with); '/' + 1 is '0'
    assertThat(TrinoCompatibility.rewrite(sql).sql())
        .isEqualTo(
            "SELECT key FROM inventory i WHERE (starts_with(key, 'images/raw/2024/03/') AND key >="
                + " 'images/raw/2024/03/' AND key < 'images/raw/2024/030')"
                + " AND NOT (starts_with(i.storage_class, 'it''s') AND i.storage_class >= 'it''s'"
                + " AND i.storage_class < 'it''t')");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "SELECT key FROM t WHERE starts_with(key, '')",
        "SELECT key FROM t WHERE starts_with(lower(key), 'a')",
        "SELECT key FROM t WHERE starts_with(key, e_tag)",
        "SELECT key FROM t WHERE starts_with(size_text, 'a')",
        "SELECT key FROM t WHERE starts_with(key, U&'a')",
        // a range whose text or upper bound holds a line break would move DuckDB's error lines
        "SELECT key FROM t WHERE starts_with(key, 'a\nb')",
        "SELECT key FROM t WHERE starts_with(key, 'a\t')",
        "SELECT key FROM t WHERE starts_with(key, 'a\f')"
      })
  void startsWithIsLeftAloneWhereNoExactRangeCanBeWritten(String sql) {
    // when / then: an empty prefix, a value known only later, an expression or a column not known
    // to be a string keeps the plain call
    assertThat(TrinoCompatibility.rewrite(sql).sql()).isEqualTo(sql);
  }

  @Test
  void startsWithAParameterKeepsThePlainCall() {
    assertThat(
            TrinoCompatibility.rewrite("SELECT key FROM t WHERE starts_with(key, :prefix)").sql())
        .isEqualTo("SELECT key FROM t WHERE starts_with(key, ?)");
  }

  @Test
  void rewritesAfterACharacterOutsideTheBmpLandWhereTheirTokensAre() {
    // given a non-BMP character (two chars, one code point for ANTLR) before rewritten tokens
    String sql = "SELECT '\ud83d\ude00' AS e, object_tags['k'] AS t FROM inventory WHERE size = :n";

    // when
    TrinoCompatibility.Rendered rendered = TrinoCompatibility.rewrite(sql);

    // then
    assertThat(rendered.sql())
        .isEqualTo(
            "SELECT '\ud83d\ude00' AS e, quarry_map_subscript(object_tags, 'k') AS t FROM inventory"
                + " WHERE size = ?");
    assertThat(rendered.parameterOrder()).containsExactly("n");
  }

  @Test
  void theRangesUpperBoundIsTheNextStringAfterEveryKeyWithThePrefix() {
    // the last code point plus one, in code point (= UTF-8 byte) order; surrogates are not code
    // points of text, and past U+10FFFF the one before is raised instead
    assertThat(TrinoCompatibility.prefixUpperBound("a/")).contains("a0");
    assertThat(TrinoCompatibility.prefixUpperBound("a\uffff")).contains("a\ud800\udc00");
    assertThat(TrinoCompatibility.prefixUpperBound("a\ud7ff")).contains("a\ue000");
    assertThat(TrinoCompatibility.prefixUpperBound("a\udbff\udfff")).contains("b");
    assertThat(TrinoCompatibility.prefixUpperBound("\udbff\udfff")).isEmpty();
  }

  @Test
  void withTheRangeStartsWithSelectsExactlyTheKeysItSelectedBefore() throws Exception {
    // given an inventory of hostile keys in S3's order, around every edge of the upper bound
    List<String> keys =
        List.of(
            "a",
            "a b",
            "a+b",
            "a%2F",
            "a/",
            "a/\u00e9",
            "a/\u00e9/x",
            "a/\u00ea",
            "a/\ud7ff",
            "a/\ud7ffz",
            "a/\ue000",
            "a/\uffff",
            "a/\uffffq",
            "a/\ud83d\ude00",
            "a/\udbff\udfff",
            "a/\udbff\udfffz",
            "a0",
            "b'c",
            "b'c/d",
            "b(",
            "\udbff\udfff\udbff\udfff");
    Path dir = root.resolve("prefixes");
    try (TestWarehouse prefixes = new TestWarehouse(dir)) {
      prefixes.inventory(
          "b_p",
          "SELECT 'p' AS bucket, k AS key FROM (SELECT unnest(["
              + String.join(", ", keys.stream().map(k -> "'" + k.replace("'", "''") + "'").toList())
              + "]) AS k) ORDER BY k");
      try (EmbeddedEngine prefixEngine = new EmbeddedEngine(prefixes.warehouse())) {
        for (String prefix :
            List.of(
                "a",
                "a/",
                "a/\u00e9",
                "a/\ud7ff",
                "a/\uffff",
                "a/\udbff\udfff",
                "b'c",
                "b",
                "\udbff\udfff",
                "zz")) {
          // when
          List<List<Object>> rows =
              EmbeddedEngineTest.rows(
                  prefixEngine,
                  BoundQuery.of(
                      "SELECT key FROM inventory WHERE starts_with(key, '"
                          + prefix.replace("'", "''")
                          + "') ORDER BY key"));

          // then
          assertThat(rows.stream().map(r -> (String) r.get(0)).toList())
              .as("prefix %s", prefix)
              .containsExactlyInAnyOrderElementsOf(
                  keys.stream().filter(k -> k.startsWith(prefix)).toList());
        }
      }
    }
  }
}
