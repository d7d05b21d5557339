package dev.quarry.query.athena;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.config.QuarryConfig;
import dev.quarry.error.ErrorKind;
import dev.quarry.error.QuarryException;
import dev.quarry.query.BoundQuery;
import dev.quarry.query.ObjectRow;
import dev.quarry.query.QueryEngine;
import dev.quarry.query.QueryEngines;
import dev.quarry.query.Selection;
import dev.quarry.query.TaskIdentity;
import dev.quarry.query.athena.MotoAthena.Column;
import dev.quarry.sandbox.LocalS3Server;
import dev.quarry.testing.S3Servers;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.athena.AthenaClient;
import software.amazon.awssdk.services.athena.model.QueryExecution;
import software.amazon.awssdk.services.athena.model.QueryExecutionState;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The Athena engine against moto, which serves Athena and S3 on one endpoint. moto does not run
 * SQL: each query's result is queued beforehand through moto's API (or, for Athena's exact CSV
 * quoting, written to the result location while moto holds the query QUEUED).
 */
class AthenaEngineIT {
  private static final List<String> OBJECT_COLUMNS =
      List.of("bucket", "key", "version_id", "size", "storage_class");

  private final LocalS3Server server = S3Servers.moto();
  private final MotoAthena moto = new MotoAthena(server);
  @TempDir Path dir;
  private QuarryConfig config;
  private S3Client s3;
  private AthenaClient athena;
  private String results;
  private AthenaSettings settings;

  @BeforeEach
  void setUp() {
    config = S3Servers.config(server, dir);
    s3 = S3Servers.client(server);
    athena = AthenaClients.create(config);
    results = S3Servers.newBucketName("athena-results");
    s3.createBucket(b -> b.bucket(results));
    settings =
        AthenaSettings.defaults()
            .withOutputLocation("s3://" + results + "/quarry/")
            .withDatabase("b_photos")
            .withPolling(Duration.ofMillis(10), Duration.ofMillis(100))
            .withTimeout(Duration.ofSeconds(20));
  }

  @AfterEach
  void tearDown() {
    moto.release();
    athena.close();
    s3.close();
  }

  private AthenaEngine engine(AthenaSettings settings) {
    return AthenaEngine.create(config, settings);
  }

  private static List<String> row(String... values) {
    return Arrays.asList(values);
  }

  private static List<List<String>> withHeader(List<String> header, List<List<String>> rows) {
    List<List<String>> all = new ArrayList<>();
    all.add(header);
    all.addAll(rows);
    return all;
  }

  private static List<Column> varchar(List<String> names) {
    return names.stream().map(n -> new Column(n, "varchar")).toList();
  }

  private static QuarryException quarryCause(Throwable e) {
    Throwable t = e instanceof ExecutionException ? e.getCause() : e;
    assertThat(t).isInstanceOf(QuarryException.class);
    return (QuarryException) t;
  }

  @Test
  void objectsStreamTheResultFileRowByRow() {
    // given
    moto.queueResult(
        varchar(OBJECT_COLUMNS),
        withHeader(
            OBJECT_COLUMNS,
            List.of(
                row("photos", "a,b.jpg", "v1", "10", "STANDARD"),
                row("photos", "line\nbreak\r\nkey.txt", null, "0", "GLACIER"),
                row("photos", "ünïcødé/日本語 🚀.png", "v3", null, null),
                row("photos", "  spaced  /it's;odd.txt", "", "5", "DEEP_ARCHIVE"))));
    List<ObjectRow> rows = new ArrayList<>();

    // when
    long count;
    try (AthenaEngine engine = engine(settings)) {
      count =
          engine
              .objects(
                  BoundQuery.of(
                      "SELECT bucket, key, version_id, size, storage_class FROM inventory;\n"),
                  TaskIdentity.BUCKET_KEY_VERSION,
                  rows::add)
              .objects();

      // then
      QueryStats stats = engine.lastStats().orElseThrow();
      assertThat(stats.resultLocation())
          .isEqualTo("s3://" + results + "/quarry/" + stats.queryExecutionId() + ".csv");
      // moto reports no data scanned; the cost arithmetic is QueryStatsTest's
      assertThat(stats.bytesScanned()).isZero();
      assertThat(stats.costUsd()).isEqualByComparingTo("0");
      // the engine's statistics name the query, so a run can record where its manifest came from
      assertThat(engine.statistics().orElseThrow().queryIds())
          .containsExactly(stats.queryExecutionId());
    }
    assertThat(count).isEqualTo(4);
    assertThat(rows)
        .containsExactly(
            new ObjectRow("photos", "a,b.jpg", "v1", 10L, "STANDARD"),
            new ObjectRow("photos", "line\nbreak\r\nkey.txt", null, 0L, "GLACIER"),
            new ObjectRow("photos", "ünïcødé/日本語 🚀.png", "v3", null, null),
            new ObjectRow("photos", "  spaced  /it's;odd.txt", null, 5L, "DEEP_ARCHIVE"));
  }

  @Test
  void objectsAskAthenaForOneRowPerTaskAndCountTheDuplicatesItRemoved() {
    // given: what Athena returns for the wrapped query (moto's canned rows; the wrapper's own
    // arithmetic is checked on DuckDB in AthenaSqlTest)
    List<String> header = List.of("bucket", "key", "version_id", "quarry_copies", "quarry_nth");
    moto.queueResult(
        varchar(header),
        withHeader(
            header,
            List.of(
                row("photos", "a.jpg", "v1", "3", "1"), row("photos", "b.jpg", "v2", "1", "1"))));
    List<ObjectRow> rows = new ArrayList<>();

    // when
    Selection selection;
    String sent;
    try (AthenaEngine engine = engine(settings)) {
      selection =
          engine.objects(
              BoundQuery.of("SELECT bucket, key, version_id FROM journal"),
              TaskIdentity.BUCKET_KEY,
              rows::add);
      String id = engine.lastStats().orElseThrow().queryExecutionId();
      sent = athena.getQueryExecution(r -> r.queryExecutionId(id)).queryExecution().query();
    }

    // then: the user's query runs inside Athena's window, partitioned by the task's fields
    assertThat(sent)
        .isEqualTo(
            "SELECT * FROM (SELECT quarry_q.*, count(*) OVER (PARTITION BY \"bucket\", \"key\") AS"
                + " quarry_copies, row_number() OVER (PARTITION BY \"bucket\", \"key\") AS"
                + " quarry_nth FROM (SELECT bucket, key, version_id FROM journal\n) quarry_q)"
                + " WHERE quarry_nth = 1");
    assertThat(selection).isEqualTo(new Selection(2, 2));
    assertThat(rows)
        .containsExactly(
            new ObjectRow("photos", "a.jpg", "v1", null, null),
            new ObjectRow("photos", "b.jpg", "v2", null, null));
  }

  @Test
  void keysWithQuotesRoundTripThroughAthenasOwnQuoting() throws Exception {
    // given: moto writes values in quotes without doubling inner quotes, so the file Athena
    // writes (RFC 4180: every value quoted, "" for a quote, NULL as nothing) is put in place
    // while moto holds the query
    String athenaFile =
        "\"bucket\",\"key\",\"version_id\"\n"
            + "\"photos\",\"say \"\"cheese\"\".jpg\",\"v1\"\n"
            + "\"photos\",\"\"\"\",\n"
            + "\"photos\",\"a,\"\"b\"\",\nc\",\"\"\n";
    moto.hold();
    Set<String> before = MotoAthena.executions(athena);
    List<ObjectRow> rows = new ArrayList<>();
    try (AthenaEngine engine = engine(settings)) {
      CompletableFuture<Long> run =
          CompletableFuture.supplyAsync(
              () ->
                  engine
                      .objects(
                          BoundQuery.of("SELECT bucket, key, version_id FROM t"),
                          TaskIdentity.BUCKET_KEY_VERSION,
                          rows::add)
                      .objects());
      String id = MotoAthena.awaitNewExecution(athena, before);
      String location =
          athena
              .getQueryExecution(r -> r.queryExecutionId(id))
              .queryExecution()
              .resultConfiguration()
              .outputLocation();
      S3Location file = S3Location.parse(location);
      s3.putObject(
          b -> b.bucket(file.bucket()).key(file.key()), RequestBody.fromString(athenaFile));

      // when
      moto.release();

      // then
      assertThat(run.get(30, TimeUnit.SECONDS)).isEqualTo(3);
    }
    assertThat(rows)
        .containsExactly(
            new ObjectRow("photos", "say \"cheese\".jpg", "v1", null, null),
            new ObjectRow("photos", "\"", null, null, null),
            new ObjectRow("photos", "a,\"b\",\nc", null, null, null));
  }

  @Test
  void motosOwnFileWithAQuoteInAKeyIsNotCsvAndSaysSo() {
    // given: moto's gap (it does not double the quote), shown so nobody trusts it for such keys
    moto.queueResult(
        varchar(List.of("bucket", "key")),
        List.of(row("bucket", "key"), row("photos", "say \"cheese\".jpg")));

    // when / then
    try (AthenaEngine engine = engine(settings)) {
      assertThatThrownBy(
              () ->
                  engine.objects(
                      BoundQuery.of("SELECT bucket, key FROM t"), TaskIdentity.BUCKET_KEY, r -> {}))
          .isInstanceOf(QuarryException.class)
          .satisfies(e -> assertThat(((QuarryException) e).kind()).isEqualTo(ErrorKind.EXTERNAL))
          .hasMessageStartingWith("cannot read the Athena result s3://" + results + "/quarry/");
    }
  }

  @Test
  void parametersAreSentAsExecutionParametersNeverSplicedIntoTheText() {
    // given
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("weather", "rain");
    values.put("evil", "' OR 1=1 --");
    values.put("min_size", 1024L);
    values.put("since", LocalDateTime.of(2025, 1, 2, 3, 4, 5, 6_000_000));
    values.put("day", LocalDate.of(2025, 1, 2));
    values.put("multipart", false);
    values.put("ratio", new BigDecimal("0.25"));
    String sql =
        """
        SELECT bucket, key FROM "s3tablescatalog/aws-s3"."b_photos"."inventory"
        WHERE object_tags['weather'] = :weather -- :weather in a comment stays
          AND key <> :evil AND key <> ':evil'
          AND size >= :min_size AND last_modified_date >= :since
          AND date(last_modified_date) = :day AND is_multipart = :multipart
          AND size * :ratio > 1 AND object_tags['again'] = :weather
        """;
    moto.queueResult(
        varchar(List.of("bucket", "key")), List.of(row("bucket", "key"), row("photos", "k")));

    // when
    QueryExecution execution;
    try (AthenaEngine engine = engine(settings)) {
      engine.objects(new BoundQuery(sql, values), TaskIdentity.BUCKET_KEY, r -> {});
      String id = engine.lastStats().orElseThrow().queryExecutionId();
      execution = athena.getQueryExecution(r -> r.queryExecutionId(id)).queryExecution();
    }

    // then
    assertThat(execution.query())
        .contains(
            """
            SELECT bucket, key FROM "s3tablescatalog/aws-s3"."b_photos"."inventory"
            WHERE object_tags['weather'] = ? -- :weather in a comment stays
              AND key <> ? AND key <> ':evil'
              AND size >= ? AND last_modified_date >= ?
              AND date(last_modified_date) = ? AND is_multipart = ?
              AND size * ? > 1 AND object_tags['again'] = ?\
            """)
        .doesNotContain("rain")
        .doesNotContain("OR 1=1");
    assertThat(execution.executionParameters())
        .containsExactly(
            "'rain'",
            "''' OR 1=1 --'",
            "1024",
            "TIMESTAMP '2025-01-02 03:04:05.006'",
            "DATE '2025-01-02'",
            "false",
            "0.25",
            "'rain'");
    assertThat(execution.queryExecutionContext().catalog()).isEqualTo("s3tablescatalog/aws-s3");
    assertThat(execution.queryExecutionContext().database()).isEqualTo("b_photos");
    assertThat(execution.workGroup()).isEqualTo("primary");
  }

  @Test
  void columnsRunTheQueryWithLimitZeroAndReadTheResultMetadata() {
    // given
    moto.queueResult(
        List.of(new Column("bucket", "varchar"), new Column("key", "varchar")),
        List.of(row("bucket", "key")));

    // when
    List<String> columns;
    QueryExecution execution;
    try (AthenaEngine engine = engine(settings)) {
      columns =
          engine.columns(
              new BoundQuery(
                  "SELECT bucket, key FROM inventory WHERE key = :k -- last", Map.of("k", "x")));
      String id = engine.lastStats().orElseThrow().queryExecutionId();
      execution = athena.getQueryExecution(r -> r.queryExecutionId(id)).queryExecution();
    }

    // then
    assertThat(columns).containsExactly("bucket", "key");
    assertThat(execution.query())
        .isEqualTo("SELECT * FROM (SELECT bucket, key FROM inventory WHERE key = ?\n) LIMIT 0");
    assertThat(execution.executionParameters()).containsExactly("'x'");
  }

  @Test
  void currentStateReachesAthenaAsPlainSqlOverItsConfiguredTables() {
    // given a V2 configuration's journal name
    moto.queueResult(List.of(new Column("key", "varchar")), List.of(row("key")));
    AthenaSettings renamed =
        settings.withTableNames(Map.of(dev.quarry.query.MetadataTable.JOURNAL, "journal_v2"));

    // when
    QueryExecution execution;
    try (AthenaEngine engine = engine(renamed)) {
      engine.columns(
          new BoundQuery(
              "SELECT key FROM current_state WHERE starts_with(key, :p)", Map.of("p", "a/")));
      String id = engine.lastStats().orElseThrow().queryExecutionId();
      execution = athena.getQueryExecution(r -> r.queryExecutionId(id)).queryExecution();
    }

    // then: the expansion the embedded engine runs, over the renamed journal and its properties
    assertThat(execution.query())
        .startsWith("SELECT * FROM (WITH current_state AS (SELECT bucket, key, sequence_number")
        .contains("FROM \"journal_v2\" WHERE record_timestamp > (SELECT")
        .contains("FROM \"journal_v2$properties\" WHERE key =")
        .contains("FROM inventory) quarry_w) quarry_r WHERE quarry_rank = 1 AND NOT quarry_gone)")
        .endsWith(" SELECT key FROM current_state WHERE starts_with(key, ?)\n) LIMIT 0");
    assertThat(execution.executionParameters()).containsExactly("'a/'");
  }

  @Test
  void withoutMetadataColumnsComeFromTheResultFilesHeader() {
    // given
    moto.queueResult(List.of(), List.of(row("bucket", "key", "version_id")));

    // when / then
    try (AthenaEngine engine = engine(settings)) {
      assertThat(engine.columns(BoundQuery.of("SELECT bucket, key, version_id FROM inventory")))
          .containsExactly("bucket", "key", "version_id");
    }
  }

  @Test
  void rowsGiveTheHeaderThenValuesOfTheirDeclaredTypes() {
    // given
    moto.queueResult(
        List.of(
            new Column("key", "varchar"),
            new Column("size", "bigint"),
            new Column("is_latest", "boolean"),
            new Column("last_modified_date", "timestamp"),
            new Column("object_tags", "map")),
        List.of(
            row("key", "size", "is_latest", "last_modified_date", "object_tags"),
            row("a.jpg", "10", "true", "2025-01-02 03:04:05.000", "{weather=rain}"),
            row("b.jpg", null, null, null, null)));
    List<List<String>> names = new ArrayList<>();
    List<List<Object>> values = new ArrayList<>();

    // when
    try (AthenaEngine engine = engine(settings)) {
      engine.rows(
          BoundQuery.of("SELECT key, size FROM inventory"),
          new QueryEngine.RowVisitor() {
            @Override
            public void columns(List<String> columns) {
              names.add(columns);
            }

            @Override
            public void row(List<Object> row) {
              values.add(row);
            }
          });
    }

    // then
    assertThat(names)
        .containsExactly(List.of("key", "size", "is_latest", "last_modified_date", "object_tags"));
    assertThat(values)
        .containsExactly(
            List.of("a.jpg", 10L, true, LocalDateTime.of(2025, 1, 2, 3, 4, 5), "{weather=rain}"),
            Arrays.asList("b.jpg", null, null, null, null));
  }

  @Test
  void aQueryWithoutBucketAndKeyIsAUserError() {
    // given
    moto.queueResult(varchar(List.of("key")), List.of(row("key"), row("a")));

    // when / then
    try (AthenaEngine engine = engine(settings)) {
      assertThatThrownBy(
              () ->
                  engine.objects(
                      BoundQuery.of("SELECT key FROM inventory"), TaskIdentity.BUCKET_KEY, r -> {}))
          .isInstanceOf(QuarryException.class)
          .satisfies(e -> assertThat(((QuarryException) e).kind()).isEqualTo(ErrorKind.USER))
          .hasMessageEndingWith("it returns: key");
    }
  }

  @Test
  void aNullKeyIsAUserError() {
    // given
    moto.queueResult(
        varchar(List.of("bucket", "key")),
        List.of(row("bucket", "key"), row("photos", "a"), row("photos", null)));

    // when / then
    try (AthenaEngine engine = engine(settings)) {
      assertThatThrownBy(
              () ->
                  engine.objects(
                      BoundQuery.of("SELECT bucket, key FROM t"), TaskIdentity.BUCKET_KEY, r -> {}))
          .hasMessageStartingWith("row 2 of the query has a NULL key");
    }
  }

  @Test
  void aQueryStillRunningAtTheTimeoutIsStoppedAndReported() throws Exception {
    // given: moto holds the query QUEUED
    moto.hold();
    Set<String> before = MotoAthena.executions(athena);

    // when
    Throwable thrown;
    try (AthenaEngine engine = engine(settings.withTimeout(Duration.ofMillis(300)))) {
      thrown =
          org.assertj.core.api.Assertions.catchThrowable(
              () ->
                  engine.objects(
                      BoundQuery.of("SELECT bucket, key FROM t"),
                      TaskIdentity.BUCKET_KEY,
                      r -> {}));
    }

    // then
    QuarryException e = quarryCause(thrown);
    assertThat(e.kind()).isEqualTo(ErrorKind.EXTERNAL);
    assertThat(e.getMessage())
        .matches(
            "Athena query \\S+ did not finish within 0\\.\\d s \\(still QUEUED\\); it was stopped");
    String id = MotoAthena.awaitNewExecution(athena, before);
    assertThat(e.getMessage()).contains(id);
    assertThat(
            athena.getQueryExecution(r -> r.queryExecutionId(id)).queryExecution().status().state())
        .isEqualTo(QueryExecutionState.CANCELLED);
  }

  @Test
  void aQueryCancelledElsewhereIsAnExternalError() throws Exception {
    // given
    moto.hold();
    Set<String> before = MotoAthena.executions(athena);
    try (AthenaEngine engine = engine(settings)) {
      CompletableFuture<Selection> run =
          CompletableFuture.supplyAsync(
              () ->
                  engine.objects(
                      BoundQuery.of("SELECT bucket, key FROM t"),
                      TaskIdentity.BUCKET_KEY,
                      r -> {}));
      String id = MotoAthena.awaitNewExecution(athena, before);

      // when
      athena.stopQueryExecution(r -> r.queryExecutionId(id));

      // then
      assertThatThrownBy(() -> run.get(30, TimeUnit.SECONDS))
          .satisfies(
              e -> {
                QuarryException q = quarryCause(e);
                assertThat(q.kind()).isEqualTo(ErrorKind.EXTERNAL);
                assertThat(q).hasMessage("Athena query " + id + " was cancelled");
              });
    }
  }

  @Test
  void anUnknownWorkgroupIsAUserError() {
    try (AthenaEngine engine = engine(settings.withWorkgroup("no-such-workgroup"))) {
      assertThatThrownBy(
              () ->
                  engine.objects(
                      BoundQuery.of("SELECT bucket, key FROM t"), TaskIdentity.BUCKET_KEY, r -> {}))
          .isInstanceOf(QuarryException.class)
          .satisfies(e -> assertThat(((QuarryException) e).kind()).isEqualTo(ErrorKind.USER))
          .hasMessage("Athena refused to start the query: WorkGroup does not exist");
    }
  }

  @Test
  void aResultFileThatIsNotThereIsAnExternalError() {
    // given: nothing queued, so moto writes no result file
    try (AthenaEngine engine = engine(settings)) {
      // when / then
      assertThatThrownBy(
              () ->
                  engine.objects(
                      BoundQuery.of("SELECT bucket, key FROM t"), TaskIdentity.BUCKET_KEY, r -> {}))
          .isInstanceOf(QuarryException.class)
          .satisfies(e -> assertThat(((QuarryException) e).kind()).isEqualTo(ErrorKind.EXTERNAL))
          .hasMessageMatching("the result of Athena query \\S+ is not at s3://" + results + "/.*");
    }
  }

  @Test
  void anUnreachableAthenaIsAnExternalError() throws IOException {
    // given
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    QuarryConfig nowhere = config.withS3Endpoint(URI.create("http://127.0.0.1:" + port));

    // when / then
    try (AthenaEngine engine = AthenaEngine.create(nowhere, settings)) {
      assertThatThrownBy(
              () ->
                  engine.objects(
                      BoundQuery.of("SELECT bucket, key FROM t"), TaskIdentity.BUCKET_KEY, r -> {}))
          .isInstanceOf(QuarryException.class)
          .satisfies(e -> assertThat(((QuarryException) e).kind()).isEqualTo(ErrorKind.EXTERNAL))
          .hasMessageStartingWith("cannot reach Athena to start the query");
    }
  }

  @Test
  void aProfileWithEngineAthenaGetsThisEngineWithItsSettings() {
    // given
    QuarryConfig athenaProfile =
        new QuarryConfig(
            "test",
            dir,
            dir.resolve("manifests"),
            Optional.of(server.endpoint()),
            "us-east-1",
            Optional.empty(),
            "athena",
            "local",
            new QuarryConfig.Athena(
                Optional.of("primary"),
                Optional.of("s3://" + results + "/profile/"),
                Optional.empty(),
                Optional.of("b_photos")));
    moto.queueResult(
        varchar(List.of("bucket", "key")), List.of(row("bucket", "key"), row("photos", "k")));
    List<ObjectRow> rows = new ArrayList<>();

    // when
    try (QueryEngine engine = QueryEngines.create(athenaProfile, Optional.empty())) {
      engine.objects(
          BoundQuery.of("SELECT bucket, key FROM inventory"), TaskIdentity.BUCKET_KEY, rows::add);

      // then
      assertThat(engine.name()).isEqualTo("athena");
      QueryStats stats = ((AthenaEngine) engine).lastStats().orElseThrow();
      assertThat(stats.resultLocation()).startsWith("s3://" + results + "/profile/");
      assertThat(((AthenaEngine) engine).settings().catalog()).isEqualTo("s3tablescatalog/aws-s3");
    }
    assertThat(rows).containsExactly(new ObjectRow("photos", "k", null, null, null));
  }
}
