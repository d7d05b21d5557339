package dev.quarry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.config.QuarryConfig;
import dev.quarry.query.athena.AthenaClients;
import dev.quarry.query.athena.MotoAthena;
import dev.quarry.query.athena.MotoAthena.Column;
import dev.quarry.sandbox.LocalS3Server;
import dev.quarry.testing.MetadataConfigurationServer;
import dev.quarry.testing.S3Servers;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.athena.AthenaClient;
import software.amazon.awssdk.services.athena.model.QueryExecution;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code quarry plan} on a profile with {@code engine: athena}: Athena and S3 are moto's; the
 * bucket's metadata configuration comes from recorded responses ({@link
 * MetadataConfigurationServer}, which forwards every other request to moto).
 */
class AthenaPlanIT {
  private static final List<String> COLUMNS = List.of("bucket", "key", "size", "storage_class");

  private final LocalS3Server moto = S3Servers.moto();
  private final MotoAthena motoAthena = new MotoAthena(moto);
  private final MetadataConfigurationServer s3 =
      MetadataConfigurationServer.forwardingTo(moto.endpoint());
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  @TempDir Path dir;
  private AthenaClient athena;
  private CliContext context;

  @BeforeEach
  void setUp() {
    QuarryConfig direct = S3Servers.config(moto, dir);
    athena = AthenaClients.create(direct);
    String results = S3Servers.newBucketName("plan-results");
    try (S3Client client = S3Servers.client(moto)) {
      client.createBucket(b -> b.bucket(results));
    }
    context =
        new CliContext(
            Map.of(
                "QUARRY_ENGINE", "athena",
                "QUARRY_S3_ENDPOINT", s3.endpoint().toString(),
                "QUARRY_ATHENA_OUTPUT", "s3://" + results + "/quarry/",
                "QUARRY_STATE_DIR", dir.resolve("state").toString(),
                "QUARRY_MANIFESTS_DIR", dir.resolve("manifests").toString()),
            new PrintWriter(out, true),
            new PrintWriter(err, true),
            false);
  }

  @AfterEach
  void tearDown() {
    athena.close();
    s3.close();
  }

  private Path playbook(String bucket) throws Exception {
    return Files.writeString(
        dir.resolve("tag.yaml"),
        """
        name: tag-glacier
        bucket: %s
        query: SELECT bucket, key, size, storage_class FROM inventory WHERE storage_class = 'GLACIER'
        action: { type: put-tags, tags: { tier: cold } }
        """
            .formatted(bucket));
  }

  private void queueTwoResults() {
    // a plan asks Athena twice: the columns (LIMIT 0), then the objects
    List<Column> columns = COLUMNS.stream().map(c -> new Column(c, "varchar")).toList();
    motoAthena.queueResult(columns, List.of(COLUMNS));
    motoAthena.queueResult(
        columns,
        List.of(
            COLUMNS,
            List.of("photos", "2019/a.jpg", "1000", "GLACIER"),
            List.of("photos", "2019/b.jpg", "24", "GLACIER")));
  }

  @Test
  void thePlaybooksBucketDecidesTheDatabaseTheQueriesRunIn() throws Exception {
    // given
    s3.answer("photos", MetadataConfigurationServer.v2("b_photos", "ENABLED", "ACTIVE"));
    queueTwoResults();
    Set<String> before = MotoAthena.executions(athena);

    // when
    int code = QuarryCommand.execute(context, "plan", playbook("photos").toString(), "-o", "json");

    // then
    assertThat(code).as(err.toString()).isZero();
    JsonNode plan = new ObjectMapper().readTree(out.toString()).path("plans").path(0);
    assertThat(plan.path("objects").asLong()).isEqualTo(2);
    assertThat(plan.path("engine").asText()).isEqualTo("athena");
    assertThat(s3.lookups()).containsExactly("photos");
    List<QueryExecution> executions =
        MotoAthena.executions(athena).stream()
            .filter(id -> !before.contains(id))
            .map(id -> athena.getQueryExecution(r -> r.queryExecutionId(id)).queryExecution())
            .toList();
    assertThat(executions).hasSize(2);
    assertThat(executions)
        .allSatisfy(
            e -> {
              assertThat(e.queryExecutionContext().database()).isEqualTo("b_photos");
              assertThat(e.queryExecutionContext().catalog()).isEqualTo("s3tablescatalog/aws-s3");
            });
  }

  @Test
  void thePlanShowsTheBytesAthenaScannedAndTheirCost() throws Exception {
    // given
    s3.answer("photos", MetadataConfigurationServer.v2("b_photos", "ENABLED", "ACTIVE"));
    Path file = playbook("photos");
    queueTwoResults();
    Set<String> before = MotoAthena.executions(athena);

    // when
    int json = QuarryCommand.execute(context, "plan", file.toString(), "-o", "json");
    String jsonOut = out.toString();
    Set<String> ranForJson = MotoAthena.executions(athena);
    ranForJson.removeAll(before);
    out.getBuffer().setLength(0);
    queueTwoResults();
    int text = QuarryCommand.execute(context, "plan", file.toString());

    // then: the figures are the executions' own (moto scans nothing, so 0 bytes and $0)
    assertThat(json).as(err.toString()).isZero();
    assertThat(text).as(err.toString()).isZero();
    long scanned =
        ranForJson.stream()
            .mapToLong(
                id ->
                    athena
                        .getQueryExecution(r -> r.queryExecutionId(id))
                        .queryExecution()
                        .statistics()
                        .dataScannedInBytes())
            .sum();
    JsonNode statistics =
        new ObjectMapper().readTree(jsonOut).path("plans").path(0).path("queryStatistics");
    assertThat(statistics.path("queries").asInt()).isEqualTo(2);
    assertThat(statistics.path("bytesScanned").asLong()).isEqualTo(scanned).isZero();
    assertThat(statistics.path("costUsd").decimalValue()).isZero();
    assertThat(out.toString())
        .contains("  query cost   0 B scanned by 2 queries: about $0 at Athena's price per TB");
  }

  @Test
  void anAdHocQueryOfABucketResolvesItsTablesAsAPlaybookWould() {
    // given
    s3.answer("photos", MetadataConfigurationServer.v2("b_photos", "ENABLED", "ACTIVE"));
    List<Column> columns = List.of(new Column("key", "varchar"));
    motoAthena.queueResult(columns, List.of(List.of("key"), List.of("2019/a.jpg")));
    Set<String> before = MotoAthena.executions(athena);

    // when
    int code =
        QuarryCommand.execute(
            context, "query", "--bucket", "photos", "SELECT key FROM inventory", "-o", "csv");

    // then
    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString()).contains("2019/a.jpg");
    assertThat(s3.lookups()).containsExactly("photos");
    String id =
        MotoAthena.executions(athena).stream()
            .filter(e -> !before.contains(e))
            .findFirst()
            .orElseThrow();
    assertThat(
            athena
                .getQueryExecution(r -> r.queryExecutionId(id))
                .queryExecution()
                .queryExecutionContext()
                .database())
        .isEqualTo("b_photos");
  }

  @Test
  void aBucketWithoutMetadataConfigurationStopsThePlanBeforeAnyQuery() throws Exception {
    // given
    s3.answer("plain", MetadataConfigurationServer.notConfigured());
    Set<String> before = MotoAthena.executions(athena);

    // when
    int code = QuarryCommand.execute(context, "plan", playbook("plain").toString());

    // then
    assertThat(code).isEqualTo(2);
    assertThat(err.toString())
        .contains("bucket plain has no S3 Metadata configuration (MetadataConfigurationNotFound)");
    assertThat(MotoAthena.executions(athena)).isEqualTo(before);
  }

  @Test
  void readingAnInventoryThatIsStillBackfillingIsRefused() throws Exception {
    // given
    s3.answer("fresh", MetadataConfigurationServer.v2("b_fresh", "ENABLED", "BACKFILLING"));

    // when
    int code = QuarryCommand.execute(context, "plan", playbook("fresh").toString());

    // then
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("the inventory table of bucket fresh is still BACKFILLING");
  }
}
