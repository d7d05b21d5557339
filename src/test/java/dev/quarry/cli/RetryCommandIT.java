package dev.quarry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.report.CompletionReportReader;
import dev.quarry.report.ReportLocation;
import dev.quarry.report.TaskResult;
import dev.quarry.sandbox.LocalS3Server;
import dev.quarry.testing.QuarryCli;
import dev.quarry.testing.S3Servers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real run with the local executor against S3Mock where some tasks fail (their objects were
 * deleted after the metadata refresh), then {@code quarry retry}: a new run of only those tasks,
 * linked to its origin in {@code quarry runs} and {@code runs show}.
 */
class RetryCommandIT {
  @TempDir Path dir;

  private final LocalS3Server server = S3Servers.s3mock();
  private final S3Client s3 = S3Servers.client(server);

  @Test
  void aRetryRunsOnlyTheFailedTasksAsANewRunLinkedToItsOrigin() throws Exception {
    // given: five objects in the metadata, two of them deleted before the run tags them
    String bucket = S3Servers.createVersionedBucket(s3, "retry");
    IntStream.range(0, 5)
        .forEach(
            i -> s3.putObject(b -> b.bucket(bucket).key("obj/" + i), RequestBody.fromString("x")));
    assertThat(quarry("metadata", "refresh", "--bucket", bucket).code()).isZero();
    s3.deleteObject(b -> b.bucket(bucket).key("obj/1"));
    s3.deleteObject(b -> b.bucket(bucket).key("obj/3"));
    Path playbook =
        Files.writeString(
            dir.resolve("tag.yaml"),
            """
            name: tag-all
            query: SELECT bucket, key FROM "b_%s"."inventory"
            action: { type: put-tags, tags: { checked: "yes" } }
            """
                .formatted(bucket));
    QuarryCli.Result run = quarry("run", playbook.toString(), "--yes", "-o", "json");
    String origin = onlyRun().path("id").asText();
    assertThat(onlyRun().path("failed").asLong()).as(run.err()).isEqualTo(2);
    String code = failedCodes(origin).get(0);

    // when: a plain retry skips the permanent failures and submits nothing
    QuarryCli.Result skipped = quarry("retry", origin);

    // then
    assertThat(skipped.code()).as(skipped.err()).isZero();
    assertThat(skipped.err()).contains("nothing submitted").contains("permanent");
    assertThat(runs()).hasSize(1);

    // when: the objects are back, and the retry asks for their error code
    s3.putObject(b -> b.bucket(bucket).key("obj/1"), RequestBody.fromString("x"));
    s3.putObject(b -> b.bucket(bucket).key("obj/3"), RequestBody.fromString("x"));
    QuarryCli.Result retry = quarry("retry", origin, "--error-code", code, "--yes", "-o", "json");

    // then: a second run, of the two failed tasks only, both succeeded
    assertThat(retry.code()).as(retry.err()).isZero();
    List<JsonNode> listed = runs();
    assertThat(listed).hasSize(2);
    JsonNode again = listed.get(0);
    String retryId = again.path("id").asText();
    assertThat(retryId).isNotEqualTo(origin);
    assertThat(again.path("retryOf").asText()).isEqualTo(origin);
    assertThat(again.path("objects").asLong()).isEqualTo(2);
    assertThat(again.path("succeeded").asLong()).isEqualTo(2);
    assertThat(listed.get(1).path("retries").get(0).asText()).isEqualTo(retryId);
    assertThat(reportKeys(retryId)).containsExactlyInAnyOrder("obj/1", "obj/3");
    assertThat(s3.getObjectTagging(b -> b.bucket(bucket).key("obj/3")).tagSet())
        .extracting(t -> t.key() + "=" + t.value())
        .containsExactly("checked=yes");

    // and: runs show tells the link both ways, in json and text
    JsonNode shown =
        Json.MAPPER.readTree(quarry("runs", "show", retryId, "-o", "json").out()).path("run");
    assertThat(shown.path("retryOf").asText()).isEqualTo(origin);
    JsonNode originShown =
        Json.MAPPER.readTree(quarry("runs", "show", origin, "-o", "json").out()).path("run");
    assertThat(originShown.path("retries").get(0).asText()).isEqualTo(retryId);
    assertThat(quarry("runs", "show", retryId).out()).contains("retry of   " + origin);
    assertThat(quarry("runs", "show", origin).out()).contains("retried by " + retryId);
    assertThat(quarry("runs").out()).contains("of " + origin).contains("by " + retryId);
  }

  @Test
  void aRetryOfARunWithoutFailuresSubmitsNothing() throws Exception {
    // given: a run whose tasks all succeeded
    String bucket = S3Servers.createVersionedBucket(s3, "noretry");
    s3.putObject(b -> b.bucket(bucket).key("a"), RequestBody.fromString("x"));
    assertThat(quarry("metadata", "refresh", "--bucket", bucket).code()).isZero();
    Path playbook =
        Files.writeString(
            dir.resolve("tag.yaml"),
            """
            name: tag-one
            query: SELECT bucket, key FROM "b_%s"."inventory"
            action: { type: put-tags, tags: { checked: "yes" } }
            """
                .formatted(bucket));
    assertThat(quarry("run", playbook.toString(), "--yes").code()).isZero();
    String origin = onlyRun().path("id").asText();

    // when
    QuarryCli.Result retry = quarry("retry", origin, "--include-permanent");

    // then
    assertThat(retry.code()).as(retry.err()).isZero();
    assertThat(retry.err()).contains("has no failed tasks").contains("nothing submitted");
    assertThat(runs()).hasSize(1);
  }

  private JsonNode onlyRun() throws Exception {
    List<JsonNode> runs = runs();
    assertThat(runs).hasSize(1);
    return runs.get(0);
  }

  private List<JsonNode> runs() throws Exception {
    List<JsonNode> out = new ArrayList<>();
    Json.MAPPER.readTree(quarry("runs", "-o", "json").out()).path("runs").forEach(out::add);
    return out;
  }

  private List<String> failedCodes(String run) throws Exception {
    List<String> codes = new ArrayList<>();
    rows(run).stream()
        .filter(r -> !r.outcome().succeeded())
        .forEach(r -> codes.add(r.outcome().errorCode()));
    return codes;
  }

  private List<String> reportKeys(String run) throws Exception {
    return rows(run).stream().map(TaskResult::key).toList();
  }

  private List<TaskResult> rows(String run) throws Exception {
    JsonNode shown =
        Json.MAPPER.readTree(quarry("runs", "show", run, "-o", "json").out()).path("run");
    Path manifest = Path.of(shown.path("report").asText());
    String jobId = shown.path("jobIds").get(0).asText();
    List<TaskResult> rows = new ArrayList<>();
    CompletionReportReader.read(
        new ReportLocation.Local(manifest.getParent().getParent()), jobId, null, rows::add);
    return rows;
  }

  private QuarryCli.Result quarry(String... args) {
    return new QuarryCli(server.endpoint(), dir, Map.of()).run(args);
  }
}
