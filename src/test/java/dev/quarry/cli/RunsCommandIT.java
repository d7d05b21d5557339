package dev.quarry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.sandbox.LocalS3Server;
import dev.quarry.testing.QuarryCli;
import dev.quarry.testing.S3Servers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real {@code quarry run} with the local executor against S3Mock, then its story from the run
 * store (embedded H2 under the state directory) through {@code quarry runs} and {@code runs show}.
 */
class RunsCommandIT {
  @TempDir Path dir;

  private final LocalS3Server server = S3Servers.s3mock();
  private final S3Client s3 = S3Servers.client(server);

  @Test
  void aCompletedRunIsListedWithItsCountsAndShownWithEveryPhase() throws Exception {
    // given: three objects, their metadata, a tagging playbook
    String bucket = S3Servers.createVersionedBucket(s3, "runs");
    IntStream.range(0, 3)
        .forEach(
            i -> s3.putObject(b -> b.bucket(bucket).key("obj/" + i), RequestBody.fromString("x")));
    assertThat(quarry("metadata", "refresh", "--bucket", bucket).code()).isZero();
    Path playbook =
        Files.writeString(
            dir.resolve("tag.yaml"),
            """
            name: tag-all
            query: SELECT bucket, key FROM "b_%s"."inventory"
            action: { type: put-tags, tags: { checked: "yes" } }
            """
                .formatted(bucket));

    // when
    QuarryCli.Result run = quarry("run", playbook.toString(), "--yes", "-o", "json");
    QuarryCli.Result runs = quarry("runs", "-o", "json");

    // then
    assertThat(run.code()).as(run.err()).isZero();
    JsonNode listed = Json.MAPPER.readTree(runs.out()).path("runs");
    assertThat(listed).hasSize(1);
    JsonNode one = listed.get(0);
    assertThat(one.path("playbook").asText()).isEqualTo("tag-all");
    assertThat(one.path("status").asText()).isEqualTo("completed");
    assertThat(one.path("objects").asLong()).isEqualTo(3);
    assertThat(one.path("succeeded").asLong()).isEqualTo(3);
    assertThat(one.path("failed").asLong()).isZero();
    assertThat(one.path("jobIds").get(0).asText())
        .isEqualTo(Json.MAPPER.readTree(run.out()).path("job").path("jobId").asText());
    assertThat(one.path("ended").isNull()).isFalse();
    assertThat(s3.getObjectTagging(b -> b.bucket(bucket).key("obj/0")).tagSet())
        .extracting(t -> t.key() + "=" + t.value())
        .containsExactly("checked=yes");

    // and: show tells the whole story, and filters find it or not
    QuarryCli.Result show = quarry("runs", "show", one.path("id").asText(), "-o", "json");
    JsonNode story = Json.MAPPER.readTree(show.out()).path("run");
    List<String> phases = story.path("transitions").findValuesAsText("status");
    assertThat(phases).containsExactly("planned", "submitted", "running", "completed");
    assertThat(story.path("approvedBy").isNull()).isTrue(); // put-tags needs no confirmation
    assertThat(story.path("report").asText()).endsWith("manifest.json");
    assertThat(story.path("playbookHash").asText()).hasSize(64);
    assertThat(
            Json.MAPPER
                .readTree(quarry("runs", "--status", "failed", "-o", "json").out())
                .path("runs"))
        .isEmpty();
    assertThat(quarry("runs", "--playbook", "tag-all", "--since", "1h").out())
        .contains("completed");
  }

  @Test
  void aRunAwaitingApprovalIsShownAsSuchUntilQuarryConfirmApprovesIt() throws Exception {
    // given: a run whose job waits for a confirmation nobody gave
    String bucket = S3Servers.createVersionedBucket(s3, "runs");
    s3.putObject(b -> b.bucket(bucket).key("obj/0"), RequestBody.fromString("x"));
    assertThat(quarry("metadata", "refresh", "--bucket", bucket).code()).isZero();
    Path playbook =
        Files.writeString(
            dir.resolve("tag.yaml"),
            """
            name: tag-confirmed
            query: SELECT bucket, key FROM "b_%s"."inventory"
            action: { type: put-tags, tags: { checked: "yes" } }
            limits: { confirm: required }
            """
                .formatted(bucket));
    QuarryCli.Result run = quarry("run", playbook.toString(), "-o", "json");
    assertThat(run.code()).as(run.err()).isZero();
    String jobId = Json.MAPPER.readTree(run.out()).path("job").path("jobId").asText();
    JsonNode waiting = Json.MAPPER.readTree(quarry("runs", "-o", "json").out()).path("runs").get(0);
    assertThat(waiting.path("status").asText()).isEqualTo("awaiting-approval");

    // when
    QuarryCli.Result confirm = quarry("confirm", jobId);

    // then
    assertThat(confirm.code()).as(confirm.err()).isZero();
    JsonNode story =
        Json.MAPPER
            .readTree(quarry("runs", "show", waiting.path("id").asText(), "-o", "json").out())
            .path("run");
    assertThat(story.path("status").asText()).isEqualTo("completed");
    assertThat(story.path("succeeded").asLong()).isEqualTo(1);
    assertThat(story.path("approvedBy").asText()).startsWith("quarry confirm (");
    assertThat(story.path("transitions").findValuesAsText("status"))
        .containsExactly("planned", "submitted", "awaiting-approval", "submitted", "completed");
  }

  @Test
  void aPlaybookWithARunAwaitingApprovalIsRefusedUntilThatRunIsCancelled() throws Exception {
    // given: a run whose job waits for a confirmation nobody gave
    String bucket = S3Servers.createVersionedBucket(s3, "runs");
    s3.putObject(b -> b.bucket(bucket).key("obj/0"), RequestBody.fromString("x"));
    assertThat(quarry("metadata", "refresh", "--bucket", bucket).code()).isZero();
    Path playbook =
        Files.writeString(
            dir.resolve("tag.yaml"),
            """
            name: tag-held
            query: SELECT bucket, key FROM "b_%s"."inventory"
            action: { type: put-tags, tags: { checked: "yes" } }
            limits: { confirm: required }
            """
                .formatted(bucket));
    assertThat(quarry("run", playbook.toString()).code()).isZero();
    String first =
        Json.MAPPER
            .readTree(quarry("runs", "-o", "json").out())
            .path("runs")
            .get(0)
            .path("id")
            .asText();

    // when: a second run, then the first cancelled, then a third run
    QuarryCli.Result refused = quarry("run", playbook.toString(), "--yes");
    QuarryCli.Result cancel = quarry("cancel", first);
    QuarryCli.Result again = quarry("run", playbook.toString(), "--yes");

    // then
    assertThat(refused.code()).isEqualTo(2);
    assertThat(refused.err())
        .contains("tag-held already has a run that has not ended: " + first)
        .contains("awaiting-approval")
        .contains("quarry cancel " + first);
    assertThat(cancel.code()).as(cancel.err()).isZero();
    JsonNode cancelled =
        Json.MAPPER.readTree(quarry("runs", "show", first, "-o", "json").out()).path("run");
    assertThat(cancelled.path("status").asText()).isEqualTo("cancelled");
    assertThat(cancelled.path("failureReason").asText()).startsWith("cancelled by quarry cancel");
    assertThat(again.code()).as(again.err()).isZero();
    JsonNode runs = Json.MAPPER.readTree(quarry("runs", "-o", "json").out()).path("runs");
    assertThat(runs).hasSize(2);
    assertThat(runs.get(0).path("status").asText()).isEqualTo("completed");
  }

  @Test
  void anUnknownRunOrStatusIsAUserError() {
    // when
    QuarryCli.Result show = quarry("runs", "show", "nope");
    QuarryCli.Result status = quarry("runs", "--status", "done");

    // then
    assertThat(show.code()).isEqualTo(2);
    assertThat(show.err()).contains("no run nope");
    assertThat(status.code()).isEqualTo(2);
    assertThat(status.err()).contains("unknown status 'done'; valid: planned, refused,");
  }

  private QuarryCli.Result quarry(String... args) {
    return new QuarryCli(server.endpoint(), dir, Map.of()).run(args);
  }
}
