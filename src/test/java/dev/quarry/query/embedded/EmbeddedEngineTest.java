package dev.quarry.query.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.error.ErrorKind;
import dev.quarry.error.QuarryException;
import dev.quarry.metadata.MetadataTables;
import dev.quarry.query.BoundQuery;
import dev.quarry.query.ObjectRow;
import dev.quarry.query.QueryEngine;
import dev.quarry.query.Selection;
import dev.quarry.query.TaskIdentity;
import dev.quarry.testing.TestWarehouse;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EmbeddedEngineTest {
  @TempDir static Path root;

  static TestWarehouse tables;
  static EmbeddedEngine engine;

  /** Keys S3 allows and manifests must carry byte for byte. */
  static final List<String> ODD_KEYS =
      List.of(
          "with space.txt",
          "plus+sign",
          "100%25 done",
          "comma,separated,key",
          "it's \"quoted\"",
          "ünïcödé/日本語/😀.jpg",
          "tab\there",
          "a".repeat(1024),
          "line\nbreak");

  @BeforeAll
  static void warehouse() throws Exception {
    tables = new TestWarehouse(root);
    tables.inventory(
        "b_starwatcher",
        """
        SELECT * FROM (VALUES
          ('starwatcher', 'rain/1.jpg', 'v1', '0001', 100, 'GLACIER', MAP {'weather': 'rain'}),
          ('starwatcher', 'rain/1.jpg', 'v2', '0002', 150, 'STANDARD', MAP {'weather': 'rain'}),
          ('starwatcher', 'sun/2.jpg', NULL, '0003', 200, 'DEEP_ARCHIVE', MAP {'weather': 'sun'}))
          AS t(bucket, key, version_id, sequence_number, size, storage_class, object_tags)
        """);
    StringBuilder odd = new StringBuilder("SELECT * FROM (VALUES ");
    for (int i = 0; i < ODD_KEYS.size(); i++) {
      odd.append(i == 0 ? "" : ", ")
          .append("('odd', '")
          .append(ODD_KEYS.get(i).replace("'", "''"))
          .append("', ")
          .append(i)
          .append(")");
    }
    tables.inventory("b_odd", odd.append(") AS t(bucket, key, size)").toString());
    engine = new EmbeddedEngine(tables.warehouse(), Optional.of("starwatcher"));
  }

  @AfterAll
  static void close() throws Exception {
    engine.close();
    tables.close();
  }

  @Test
  void theWarehouseHasAwsNamesInEveryForm() {
    // given the tables as Athena names them: three-part, two-part and (default namespace) plain
    List<String> queries =
        List.of(
            "SELECT count(*) AS n FROM \"s3tablescatalog/aws-s3\".\"b_starwatcher\".\"inventory\"",
            "SELECT count(*) AS n FROM \"b_starwatcher\".\"inventory\"",
            "SELECT count(*) AS n FROM inventory");

    // when / then
    for (String sql : queries) {
      assertThat(rows(sql)).as(sql).containsExactly(List.of(3L));
    }
  }

  @Test
  void aTableWithoutFilesIsEmptyWithAwsTypes() {
    // given b_odd has an inventory but no journal yet
    // when
    // DESCRIBE is refused as Athena would refuse it in a playbook; information_schema is Trino's
    List<List<Object>> described =
        rows(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_catalog ="
                + " 's3tablescatalog/aws-s3' AND table_schema = 'b_odd' AND table_name = 'journal'"
                + " ORDER BY ordinal_position");

    // then
    assertThat(described)
        .extracting(r -> r.get(0) + " " + r.get(1))
        .containsExactlyElementsOf(
            MetadataTables.JOURNAL_COLUMNS.stream().map(c -> c.name() + " " + c.type()).toList());
    assertThat(rows("SELECT * FROM \"b_odd\".journal")).isEmpty();
  }

  @Test
  void anUnknownNamespaceIsNamedWithTheOnesThatExist() {
    assertThatThrownBy(
            () -> rows("SELECT * FROM \"s3tablescatalog/aws-s3\".\"b_nope\".\"inventory\""))
        .isInstanceOfSatisfying(
            QuarryException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.USER))
        .hasMessageContaining("'b_nope'")
        .hasMessageContaining("b_odd, b_starwatcher");
  }

  @Test
  void plainNamesNeedADefaultWhenThereAreSeveralNamespaces() {
    try (EmbeddedEngine noDefault = new EmbeddedEngine(tables.warehouse())) {
      assertThat(noDefault.defaultNamespace()).isEmpty();
      assertThatThrownBy(() -> noDefault.columns(BoundQuery.of("SELECT key FROM journal")))
          .hasMessageContaining("journal")
          .hasMessageContaining("--bucket")
          .hasMessageContaining("b_odd, b_starwatcher");
    }
    assertThatThrownBy(() -> new EmbeddedEngine(tables.warehouse(), Optional.of("nope")))
        .hasMessageContaining("'nope'")
        .hasMessageContaining("b_odd, b_starwatcher");
  }

  @Test
  void parametersAreBoundNotSpliced() {
    // given a value that would widen the query if it were spliced into the text
    String sql = "SELECT key FROM inventory WHERE object_tags['weather'] = :weather";

    // when
    List<List<Object>> injected = rows(new BoundQuery(sql, Map.of("weather", "rain' OR 1=1 --")));
    List<List<Object>> rain = rows(new BoundQuery(sql, Map.of("weather", "rain")));

    // then
    assertThat(injected).isEmpty();
    assertThat(rain).containsExactly(List.of("rain/1.jpg"), List.of("rain/1.jpg"));
  }

  @Test
  void parametersOfEveryTypeAreBound() {
    Map<String, Object> values =
        Map.of(
            "s",
            "x'y",
            "n",
            7L,
            "d",
            new java.math.BigDecimal("1.5"),
            "b",
            true,
            "t",
            LocalDateTime.parse("2026-01-02T03:04:05"),
            "day",
            java.time.LocalDate.parse("2026-01-02"));
    List<List<Object>> result =
        rows(new BoundQuery("SELECT :s, :n + 1, :d * 2, NOT :b, :t, :day, :s = 'x''y'", values));
    assertThat(result)
        .containsExactly(
            List.of(
                "x'y",
                8L,
                new java.math.BigDecimal("3.0"),
                false,
                LocalDateTime.parse("2026-01-02T03:04:05"),
                java.time.LocalDate.parse("2026-01-02"),
                true));
  }

  @Test
  void aParameterWithoutValueIsAUserErrorNamingIt() {
    assertThatThrownBy(
            () ->
                rows(
                    new BoundQuery(
                        "SELECT key FROM inventory WHERE size > :min AND key = :key",
                        Map.of("key", "k"))))
        .isInstanceOfSatisfying(
            QuarryException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.USER))
        .hasMessageContaining(":min")
        .hasMessageContaining("given: key");
  }

  @Test
  void columnsAreKnownWithoutParameterValues() {
    assertThat(
            engine.columns(
                BoundQuery.of(
                    "SELECT bucket, key, version_id AS v FROM inventory WHERE storage_class ="
                        + " :class;")))
        .containsExactly("bucket", "key", "v");
  }

  @Test
  void objectsTakeSizeAndStorageClassFromTheInventory() {
    // given a query that returns only the object's identity
    BoundQuery query =
        BoundQuery.of(
            "SELECT bucket, key, version_id FROM inventory ORDER BY sequence_number DESC");

    // when
    List<ObjectRow> objects = objects(query);

    // then the inventory row of the same version fills size and storage class, in query order
    assertThat(objects)
        .containsExactly(
            new ObjectRow("starwatcher", "sun/2.jpg", null, 200L, "DEEP_ARCHIVE"),
            new ObjectRow("starwatcher", "rain/1.jpg", "v2", 150L, "STANDARD"),
            new ObjectRow("starwatcher", "rain/1.jpg", "v1", 100L, "GLACIER"));
  }

  @Test
  void objectsWithoutVersionTakeTheNewestVersionAndQueryColumnsWin() {
    assertThat(objects(BoundQuery.of("SELECT DISTINCT bucket, key FROM inventory ORDER BY key")))
        .containsExactly(
            new ObjectRow("starwatcher", "rain/1.jpg", null, 150L, "STANDARD"),
            new ObjectRow("starwatcher", "sun/2.jpg", null, 200L, "DEEP_ARCHIVE"));
    assertThat(
            objects(
                BoundQuery.of(
                    "SELECT 'elsewhere' AS bucket, 'k' AS key, 5 AS size, 'ONEZONE_IA' AS"
                        + " storage_class")))
        .containsExactly(new ObjectRow("elsewhere", "k", null, 5L, "ONEZONE_IA"));
    assertThat(objects(BoundQuery.of("SELECT 'elsewhere' AS bucket, 'k' AS key")))
        .containsExactly(new ObjectRow("elsewhere", "k", null, null, null));
  }

  @Test
  void oddKeysComeOutByteForByte() {
    List<ObjectRow> objects =
        objects(
            BoundQuery.of(
                "SELECT bucket, key FROM \"s3tablescatalog/aws-s3\".\"b_odd\".inventory ORDER BY"
                    + " size"));
    assertThat(objects).extracting(ObjectRow::key).containsExactlyElementsOf(ODD_KEYS);
    assertThat(objects).extracting(ObjectRow::size).doesNotContainNull();
  }

  @Test
  void aRowWithoutKeyIsAUserError() {
    assertThatThrownBy(
            () -> objects(BoundQuery.of("SELECT 'b' AS bucket, NULL AS key, NULL AS version_id")))
        .isInstanceOfSatisfying(
            QuarryException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.USER))
        .hasMessageContaining("NULL key");
    assertThatThrownBy(() -> objects(BoundQuery.of("SELECT key FROM inventory")))
        .hasMessageContaining("bucket and key");
  }

  @Test
  void rowsCarryPlainJavaValues() {
    List<List<Object>> result =
        rows(
            "SELECT object_tags, size, TIMESTAMP '2026-01-01 10:00:00' AS t, true AS b,"
                + " current_timestamp AS now FROM inventory WHERE key = 'sun/2.jpg'");
    assertThat(result).hasSize(1);
    List<Object> row = result.get(0);
    assertThat(row.get(0)).isEqualTo(Map.of("weather", "sun"));
    assertThat(row.get(1)).isEqualTo(200L);
    assertThat(row.get(2)).isEqualTo(LocalDateTime.parse("2026-01-01T10:00:00"));
    assertThat(row.get(3)).isEqualTo(true);
    assertThat(row.get(4)).isInstanceOf(LocalDateTime.class);
  }

  @Test
  void sqlErrorsAreUserErrorsWithDuckDbsMessageAndTheLine() {
    assertThatThrownBy(() -> rows("SELECT key,\n  nosuch_column\nFROM inventory"))
        .isInstanceOfSatisfying(
            QuarryException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.USER))
        .hasMessageContaining("nosuch_column")
        .hasMessageContaining("line 2: nosuch_column");
  }

  @Test
  void aQueryReadsOnlyTheWarehouseAndChangesNothing() {
    // DuckDB's table functions are not Trino syntax: refused before DuckDB sees them
    assertThatThrownBy(() -> rows("SELECT * FROM read_csv('/etc/passwd')"))
        .hasMessageContaining("line 1:23")
        .hasMessageContaining("cannot parse");
    // a quoted name that DuckDB would read as a file stays outside the allowed directories
    assertThatThrownBy(() -> rows("SELECT * FROM \"/etc/passwd.csv\""))
        .hasMessageContaining("/etc/passwd");
    assertThatThrownBy(() -> rows("SET threads = 1")).hasMessageContaining("only queries");
    assertThatThrownBy(() -> rows("SELECT 1; SELECT 2")).hasMessageContaining("one statement");
    assertThat(
            rows(
                "SELECT current_setting('autoinstall_known_extensions'),"
                    + " current_setting('autoload_known_extensions'), current_setting('TimeZone')"))
        .containsExactly(List.of(false, false, "UTC"));
  }

  private static List<List<Object>> rows(String sql) {
    return rows(BoundQuery.of(sql));
  }

  static List<List<Object>> rows(BoundQuery query) {
    return rows(engine, query);
  }

  static List<List<Object>> rows(QueryEngine engine, BoundQuery query) {
    List<List<Object>> rows = new ArrayList<>();
    engine.rows(
        query,
        new QueryEngine.RowVisitor() {
          @Override
          public void columns(List<String> names) {}

          @Override
          public void row(List<Object> values) {
            rows.add(values);
          }
        });
    return rows;
  }

  private static List<ObjectRow> objects(BoundQuery query) {
    List<ObjectRow> objects = new ArrayList<>();
    Selection n = engine.objects(query, identityOf(query), objects::add);
    assertThat(n.objects()).isEqualTo(objects.size());
    return objects;
  }

  /** One task per version where the query returns versions, as a plan decides. */
  private static TaskIdentity identityOf(BoundQuery query) {
    return TaskIdentity.of(query.sql().contains("version_id"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "SELECT bucket, key FROM inventory ORDER BY last_modified_date LIMIT 100",
        "SELECT bucket, key FROM inventory OFFSET 5",
        "SELECT bucket, key FROM inventory WHERE random() < 0.01",
        "SELECT bucket, key FROM inventory TABLESAMPLE BERNOULLI (10)",
        "SELECT bucket, key FROM inventory WHERE last_modified_date > now() - INTERVAL '1' DAY",
        "SELECT bucket, key FROM inventory WHERE last_modified_date > CURRENT_TIMESTAMP"
      })
  void aQueryThatMayReturnOtherRowsEachTimeIsKnownAsSuch(String sql) {
    // when / then: objects() checks one evaluation and streams another, so it must not carry these
    assertThat(EmbeddedEngine.sameRowsEachTime(sql)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "SELECT bucket, key FROM inventory WHERE storage_class = 'GLACIER' ORDER BY key",
        "SELECT bucket, key FROM inventory WHERE key = 'limit' AND \"now\" IS NULL"
      })
  void aQueryWithoutLimitsSamplesOrClocksReturnsTheSameRowsEachTime(String sql) {
    assertThat(EmbeddedEngine.sameRowsEachTime(sql)).isTrue();
  }
}
