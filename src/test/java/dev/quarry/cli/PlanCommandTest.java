package dev.quarry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.testing.TestWarehouse;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlanCommandTest {
  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private Path stateDir;
  private Path manifests;
  private CliContext context;

  @BeforeEach
  void warehouse() throws Exception {
    stateDir = dir.resolve("state");
    manifests = dir.resolve("manifests");
    // the manifests folder comes from the environment, as a user's profile would set it
    context =
        new CliContext(
            Map.of("QUARRY_MANIFESTS_DIR", manifests.toString()),
            new PrintWriter(out, true),
            new PrintWriter(err, true),
            false);
    try (TestWarehouse warehouse = new TestWarehouse(stateDir.resolve("warehouse"))) {
      warehouse.inventory(
          "b_logs",
          """
          SELECT * FROM (VALUES
            ('logs', 'app/1.log', 'v1', '01', false, 100, 'STANDARD', 'SSE-S3'),
            ('logs', 'app/2.log', 'v1', '02', false, 300, 'STANDARD_IA', 'SSE-S3'),
            ('logs', 'web/a b.log', 'v1', '03', false, 50, 'STANDARD', 'SSE-KMS')
          ) AS t(bucket, key, version_id, sequence_number, is_delete_marker, size, storage_class,
                 encryption_status)
          """);
      warehouse.journal(
          "b_logs",
          """
          SELECT 'logs' AS bucket, 'app/0.log' AS key, 'DELETE' AS record_type,
                 '111122223333' AS requester
          """);
    }
  }

  private Path playbook(String name, String yaml) throws Exception {
    return Files.writeString(dir.resolve(name + ".yaml"), yaml);
  }

  private int quarry(String... args) {
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--state-dir";
    all[args.length + 1] = stateDir.toString();
    return QuarryCommand.execute(context, all);
  }

  @Test
  void printsWhatWouldBeSubmittedAndWritesTheManifest() throws Exception {
    // given
    Path file =
        playbook(
            "tag-sse-s3",
            """
            name: tag-sse-s3
            query: |
              SELECT bucket, key FROM inventory WHERE encryption_status = :status
            parameters:
              status: { type: string, default: SSE-KMS }
            action:
              type: put-tags
              tags: { reviewed: "yes" }
            """);

    // when
    int code = quarry("plan", file.toString(), "--param", "status=SSE-S3");

    // then
    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString())
        .contains("Plan tag-sse-s3")
        .contains("parameters   status=SSE-S3")
        .contains("objects      2  (400 B)")
        .containsPattern("STANDARD_IA\\s+1\\s+300 B")
        .contains(
            "operation    S3PutObjectTagging"
                + " {\"TagSet\":[{\"Key\":\"reviewed\",\"Value\":\"yes\"}]}")
        .contains("Nothing was changed")
        .doesNotContain("query cost");
    try (var runs = Files.list(manifests.resolve("tag-sse-s3"))) {
      Path run = runs.findFirst().orElseThrow();
      assertThat(Files.readAllLines(run.resolve("manifest.csv")))
          .containsExactlyInAnyOrder("logs,app/1.log", "logs,app/2.log");
      assertThat(run.resolve("manifest.json")).exists();
    }
  }

  @Test
  void estimatesTheCostFromThePriceFileTheEnvironmentNamesInTextAndJson() throws Exception {
    // given a price file of the user's own (another region, a job fee of $7)
    String bundled =
        new String(
            getClass().getClassLoader().getResourceAsStream("prices/us-east-1.yaml").readAllBytes(),
            java.nio.charset.StandardCharsets.UTF_8);
    Path prices =
        Files.writeString(
            dir.resolve("prices.yaml"),
            bundled
                .replace("region: us-east-1", "region: test-region-9")
                .replace("as-of: \"2026-12-01\"", "as-of: \"2026-01-02\"")
                .replace("per-job: 0.25", "per-job: 7.00"));
    context =
        new CliContext(
            Map.of(
                "QUARRY_MANIFESTS_DIR", manifests.toString(),
                "QUARRY_PRICES_FILE", prices.toString()),
            new PrintWriter(out, true),
            new PrintWriter(err, true),
            false);
    Path file =
        playbook(
            "tag-all",
            """
            name: tag-all
            query: SELECT bucket, key FROM inventory
            action:
              type: put-tags
              tags: { reviewed: "yes" }
            """);

    // when
    int text = quarry("plan", file.toString());
    String printed = out.toString();
    out.getBuffer().setLength(0);
    int json = quarry("plan", file.toString(), "--output", "json");

    // then: 3 objects; a job costs $7 + 3 PUT-class requests; direct calls only the requests
    assertThat(text).as(err.toString()).isZero();
    assertThat(printed)
        .contains(
            "cost         estimate at test-region-9 list prices of 2026-01-02 (USD, " + prices)
        .containsPattern("S3 Batch Operations\\s+\\$7\\.00")
        .containsPattern("Batch Operations jobs\\s+\\$7\\.00  \\(1 x \\$7 per job\\)")
        .containsPattern("PUT-class \\(PutObjectTagging\\)\\s+\\$0\\.0000  \\(3 x \\$0\\.005")
        .containsPattern("local executor, direct API calls\\s+\\$0\\.0000")
        .contains("query        run here by the embedded engine: nothing billed");
    assertThat(json).as(err.toString()).isZero();
    JsonNode cost = Json.MAPPER.readTree(out.toString()).get("plans").get(0).get("cost");
    assertThat(cost.get("prices").get("region").asText()).isEqualTo("test-region-9");
    assertThat(cost.get("prices").get("asOf").asText()).isEqualTo("2026-01-02");
    assertThat(cost.get("batch").get("total").decimalValue())
        .isEqualByComparingTo("7.000018"); // 7 + 3/10^6 x $1 + 3/1000 x $0.005
    assertThat(cost.get("direct").get("total").decimalValue()).isEqualByComparingTo("0.000015");
    assertThat(cost.get("query").get("kind").asText()).isEqualTo("LOCAL");
  }

  @Test
  void aBrokenPriceFileStopsThePlanBeforeAnyQuery() throws Exception {
    Path prices = Files.writeString(dir.resolve("prices.yaml"), "region: x\n");
    context =
        new CliContext(
            Map.of(
                "QUARRY_MANIFESTS_DIR", manifests.toString(),
                "QUARRY_PRICES_FILE", prices.toString()),
            new PrintWriter(out, true),
            new PrintWriter(err, true),
            false);
    Path file =
        playbook(
            "tag-all",
            """
            name: tag-all
            query: SELECT bucket, key FROM inventory
            action: { type: delete-tags }
            """);

    int code = quarry("plan", file.toString());

    assertThat(code).isEqualTo(2);
    assertThat(err.toString())
        .contains(prices + ": ")
        .contains("batch-operations.per-job: missing");
    assertThat(manifests.resolve("tag-all")).doesNotExist();
  }

  @Test
  void aFullDiskIsNamedWithItsPathAndLeavesNoManifest() throws Exception {
    // given: the manifests folder on a real 64 KiB file system, a manifest of about 230 KB
    Files.createDirectories(manifests);
    Process mount =
        new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", manifests.toString())
            .redirectErrorStream(true)
            .start();
    assumeTrue(mount.waitFor() == 0, "mounting a tmpfs needs root");
    try {
      Path file =
          playbook(
              "big",
              """
              name: big
              query: |
                SELECT 'logs' AS bucket, 'k/' || CAST(n AS VARCHAR) || lpad('', 100, 'x') AS key
                FROM UNNEST(sequence(1, 2000)) AS t(n)
              action: { type: delete-tags }
              """);

      // when
      int code = quarry("plan", file.toString());

      // then: an external error naming the device's folder, one line, no stack trace
      assertThat(code).isEqualTo(3);
      assertThat(err.toString())
          .startsWith("quarry: cannot write manifest " + manifests.resolve("big"))
          .contains("no space left on the device that holds " + manifests.resolve("big") + "/")
          .contains("free space there, or set manifests-dir elsewhere")
          .doesNotContain("internal error")
          .doesNotContain("\tat ");
      try (var left = Files.walk(manifests)) {
        assertThat(left.filter(Files::isRegularFile)).isEmpty();
      }
    } finally {
      new ProcessBuilder("umount", manifests.toString()).start().waitFor();
    }
  }

  @Test
  void thePlanSaysHowManyDuplicateRowsItLeftOut() throws Exception {
    // given: a query that names each key twice
    Path file =
        playbook(
            "twice",
            """
            name: twice
            query: |
              SELECT bucket, key FROM inventory UNION ALL SELECT bucket, key FROM inventory
            action: { type: delete-tags }
            """);

    // when
    int text = quarry("plan", file.toString());
    String printed = out.toString();
    int json = quarry("plan", file.toString(), "--output", "json");

    // then
    assertThat(text).as(err.toString()).isZero();
    assertThat(json).isZero();
    assertThat(printed)
        .contains("objects      3")
        .contains("duplicates   3 rows the query returned for a task already selected");
    assertThat(out.toString()).contains("\"duplicatesRemoved\" : 3");
  }

  @Test
  void aReencryptWithMethodAutoShowsEachJobsMethodAndWhy() throws Exception {
    // given: SSE-S3 and SSE-KMS objects only, so UpdateObjectEncryption takes all three
    Path file =
        playbook(
            "to-kms",
            """
            name: to-kms
            query: SELECT bucket, key FROM inventory
            action:
              type: reencrypt
              sse: aws:kms
              kms-key: arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
              method: auto
            limits: { max-objects: 10, confirm: required }
            """);

    // when
    int text = quarry("plan", file.toString());
    String printed = out.toString();
    int json = quarry("plan", file.toString(), "--output", "json");

    // then
    assertThat(text).as(err.toString()).isZero();
    assertThat(json).isZero();
    assertThat(printed)
        .contains("step 1     logs update-encryption: 3 objects (450 B), S3UpdateObjectEncryption")
        .contains(
            "why: UpdateObjectEncryption: 1 SSE-KMS, 2 SSE-S3 to SSE-KMS under a key ARN; no data"
                + " copied, no new version")
        .contains("S3Mock and moto do not, and the sandbox fails these tasks")
        .doesNotContain("or, where eligible");
    assertThat(out.toString()).contains("\"why\" : \"UpdateObjectEncryption: 1 SSE-KMS");
  }

  @Test
  void jsonGivesScriptsTheWholePlan() throws Exception {
    // given
    Path file =
        playbook(
            "untag",
            """
            name: untag
            query: SELECT bucket, key FROM inventory
            action: { type: delete-tags }
            limits: { max-objects: 2 }
            """);

    // when
    int code = quarry("plan", file.toString(), "--output", "json");

    // then
    assertThat(code).as(err.toString()).isZero();
    JsonNode plan = Json.MAPPER.readTree(out.toString()).path("plans").path(0);
    assertThat(plan.path("objects").asLong()).isEqualTo(3);
    assertThat(plan.path("operation").path("name").asText()).isEqualTo("S3DeleteObjectTagging");
    assertThat(plan.path("manifest").path("etag").asText()).hasSize(32);
    assertThat(plan.path("limitViolations").path(0).asText())
        .isEqualTo("the query selected 3 objects, over limits.max-objects 2: nothing would run");
    // the embedded engine bills nothing, so a plan reports no query statistics
    assertThat(plan.has("queryStatistics")).isFalse();
  }

  @Test
  void aReportPlaybookPrintsItsRows() throws Exception {
    // given
    Path file =
        playbook(
            "who-deleted",
            """
            name: who-deleted
            query: |
              SELECT requester, count(*) AS deletes FROM journal
              WHERE record_type = 'DELETE' GROUP BY requester
            """);

    // when
    int code = quarry("plan", file.toString());

    // then
    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString())
        .contains("Report who-deleted (no action: nothing would be submitted)")
        .containsPattern("111122223333\\s+\\|\\s+1");
    assertThat(manifests).doesNotExist();
  }

  @Test
  void anInvalidPlaybookStopsBeforeAnyQuery() throws Exception {
    // given
    Path file =
        playbook(
            "bad",
            """
            name: bad
            query: SELECT bucket, key FROM inventory WHERE size > :min
            action: { type: delete-tags }
            """);

    // when
    int code = quarry("plan", file.toString());

    // then
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains(file + ":2:").contains("min");
    assertThat(manifests).doesNotExist();
  }
}
