package dev.quarry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.sandbox.LocalS3Server;
import dev.quarry.sandbox.control.S3ControlEndpoint;
import dev.quarry.testing.S3Servers;
import dev.quarry.testing.TestWarehouse;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code quarry run}, {@code jobs}, {@code job}, {@code confirm}, {@code resume} and {@code report}
 * with a profile {@code executor: s3control}, against the local S3 Control endpoint on moto: the
 * commands talk to it through the real AWS SDK client, as they would to AWS.
 */
class S3ControlRunIT {
  @TempDir Path dir;

  private final LocalS3Server server = S3Servers.moto();
  private final S3Client s3 = S3Servers.client(server);
  private S3ControlEndpoint endpoint;
  private StringWriter out = new StringWriter();
  private StringWriter err = new StringWriter();
  private Path configFile;
  private String dataBucket;
  private String quarryBucket;

  @BeforeEach
  void start() throws Exception {
    endpoint = S3ControlEndpoint.start(S3ControlEndpoint.Settings.of(dir.resolve("control"), s3));
    dataBucket = S3Servers.newBucketName("data");
    quarryBucket = S3Servers.newBucketName("quarry");
    s3.createBucket(b -> b.bucket(dataBucket));
    s3.createBucket(b -> b.bucket(quarryBucket));
    for (String key : new String[] {"app/1.log", "app/2.log", "web/a b.log"}) {
      s3.putObject(b -> b.bucket(dataBucket).key(key), RequestBody.fromString(key));
    }
    try (TestWarehouse warehouse = new TestWarehouse(dir.resolve("state/warehouse"))) {
      warehouse.inventory(
          "b_logs",
          """
          SELECT * FROM (VALUES
            ('%1$s', 'app/1.log', 'v1', '01', false, 100, 'STANDARD'),
            ('%1$s', 'app/2.log', 'v1', '02', false, 300, 'STANDARD'),
            ('%1$s', 'web/a b.log', 'v1', '03', false, 50, 'STANDARD')
          ) AS t(bucket, key, version_id, sequence_number, is_delete_marker, size, storage_class)
          """
              .formatted(dataBucket));
    }
    configFile =
        Files.writeString(
            dir.resolve("quarry.yaml"),
            """
            profiles:
              aws:
                s3-endpoint: %s
                state-dir: %s
                manifests-dir: %s
                executor: s3control
                account-id: "123456789012"
                role-arn: arn:aws:iam::123456789012:role/quarry-batch-operations
                manifest-location: s3://%s/manifests/
                report-location: s3://%s/reports/
                s3control-endpoint: %s
            """
                .formatted(
                    server.endpoint(),
                    dir.resolve("state"),
                    dir.resolve("manifests"),
                    quarryBucket,
                    quarryBucket,
                    endpoint.uri()));
  }

  @AfterEach
  void stop() {
    endpoint.close();
  }

  private int quarry(String... args) {
    out = new StringWriter();
    err = new StringWriter();
    CliContext context =
        new CliContext(Map.of(), new PrintWriter(out, true), new PrintWriter(err, true), false);
    String[] all = new String[args.length + 4];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--config";
    all[args.length + 1] = configFile.toString();
    all[args.length + 2] = "--profile";
    all[args.length + 3] = "aws";
    return QuarryCommand.execute(context, all);
  }

  private Path playbook(String confirm) throws Exception {
    return Files.writeString(
        dir.resolve("playbook.yaml"),
        """
        name: tag-logs
        description: Tag the logs
        query: SELECT bucket, key FROM inventory
        action: { type: put-tags, tags: { kind: log } }
        limits: { confirm: %s }
        """
            .formatted(confirm));
  }

  @Test
  void runSubmitsToS3BatchOperationsFollowsTheJobAndReviewsItsReportFromS3() throws Exception {
    // given
    Path file = playbook("required");

    // when
    int code = quarry("run", file.toString(), "--yes");

    // then
    assertThat(code).as(err.toString()).isZero();
    Matcher submitted =
        Pattern.compile("Submitted job ([0-9a-f-]{36}) for tag-logs \\(run (\\S+), 3 tasks\\)")
            .matcher(out.toString());
    assertThat(submitted.find()).as(out.toString()).isTrue();
    String jobId = submitted.group(1);
    String runId = submitted.group(2);
    assertThat(out.toString())
        .contains("Job " + jobId + "  Complete")
        .contains("3 succeeded, 0 failed, of 3")
        .contains("s3://" + quarryBucket + "/reports/job-" + jobId + "/manifest.json");
    assertThat(
            s3.getObjectTagging(b -> b.bucket(dataBucket).key("web/a b.log")).tagSet().get(0).key())
        .isEqualTo("kind");
    assertThat(
            s3.headObject(
                b -> b.bucket(quarryBucket).key("manifests/tag-logs/" + runId + "/manifest.csv")))
        .isNotNull();

    // and: the job, as AWS's ListJobs and DescribeJob show it
    assertThat(quarry("jobs")).isZero();
    assertThat(out.toString()).containsPattern(jobId + "\\s+tag-logs\\s+Complete\\s+3/3");
    assertThat(quarry("job", jobId)).isZero();
    assertThat(out.toString())
        .contains("playbook   tag-logs (run " + runId + ")")
        .contains("action     put-tags")
        .containsPattern("Suspended[\\s\\S]*Complete");

    // and: the report, read from S3 through DescribeJob's Report
    assertThat(quarry("report", jobId, "--output", "json")).as(err.toString()).isZero();
    JsonNode review = Json.MAPPER.readTree(out.toString()).path("review");
    assertThat(review.path("succeeded").asLong()).isEqualTo(3);
  }

  @Test
  void noWaitSubmitsAndReturnsThenConfirmFollowsAndResumeReattachesByRunId() throws Exception {
    // given
    Path file = playbook("required");

    // when: no --yes and no terminal, and no waiting
    int run = quarry("run", file.toString(), "--no-wait", "--output", "json");

    // then: the job waits for a confirmation
    assertThat(run).as(err.toString()).isZero();
    JsonNode job = Json.MAPPER.readTree(out.toString()).path("job");
    String jobId = job.path("jobId").asText();
    String runId = job.path("runId").asText();
    assertThat(job.path("status").asText()).isEqualTo("SUSPENDED");

    // when
    int confirm = quarry("confirm", jobId);

    // then
    assertThat(confirm).as(err.toString()).isZero();
    assertThat(out.toString()).contains("Job " + jobId + "  Complete");

    // when: an interrupted run is taken up by its run id
    int resume = quarry("resume", runId);

    // then: the same job, never a second one
    assertThat(resume).as(err.toString()).isZero();
    assertThat(out.toString()).contains("Job " + jobId + "  Complete");
    assertThat(quarry("jobs", "--output", "json")).isZero();
    assertThat(Json.MAPPER.readTree(out.toString()).path("jobs").size()).isEqualTo(1);
  }

  @Test
  void aProfileMissingItsAwsSettingsIsRefusedBeforeTheQueryRuns() throws Exception {
    // given
    Files.writeString(
        configFile,
        """
        profiles:
          aws:
            state-dir: %s
            executor: s3control
            account-id: "123456789012"
        """
            .formatted(dir.resolve("state")));

    // when
    int code = quarry("run", playbook("none").toString());

    // then
    assertThat(code).isEqualTo(2);
    assertThat(err.toString())
        .contains("profile 'aws' uses executor s3control, which needs these settings")
        .contains("role-arn (QUARRY_ROLE_ARN)")
        .contains("manifest-location (QUARRY_MANIFEST_LOCATION)")
        .contains("report-location (QUARRY_REPORT_LOCATION)")
        .doesNotContain("account-id (");
    assertThat(dir.resolve("manifests")).doesNotExist();
  }

  @Test
  void aRollbackWithoutItsLambdaIsRefusedBeforeTheQueryRuns() throws Exception {
    // given a rollback playbook that names no function, in a profile that names none either
    Path rollback =
        Files.writeString(
            dir.resolve("rollback.yaml"),
            """
            name: rollback
            query: SELECT bucket, key, version_id FROM journal WHERE is_delete_marker
            action: { type: rollback-deletes }
            limits: { max-objects: 10 }
            """);

    // when
    int code = quarry("run", rollback.toString(), "--yes");

    // then: refused before the (on Athena, billed) query and before any manifest
    assertThat(code).isEqualTo(2);
    assertThat(err.toString())
        .contains("action 'rollback-deletes' cannot run on AWS")
        .contains("rollback-function-arn");
    assertThat(dir.resolve("manifests")).doesNotExist();
  }
}
