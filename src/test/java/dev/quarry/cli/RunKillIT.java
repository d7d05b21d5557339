package dev.quarry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.report.CompletionReportReader;
import dev.quarry.report.ReportLocation;
import dev.quarry.report.TaskResult;
import dev.quarry.sandbox.LocalS3Server;
import dev.quarry.testing.KilledJvm;
import dev.quarry.testing.QuarryCli;
import dev.quarry.testing.S3Servers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.StorageClass;

/**
 * A {@code quarry run} in a JVM of its own is killed with SIGKILL at each phase boundary, then
 * {@code quarry resume <run>} takes it up: exactly one job per step exists, every manifest row has
 * exactly one outcome, and {@code quarry runs show} tells the whole story. The restore-then-copy
 * chain runs on moto (which restores) and is killed while it waits between its steps.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RunKillIT {
  private static final int OBJECTS = 40;

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"after-plan", "after-submit", "mid-job", "review"})
  void aRunKilledAtAPhaseBoundaryIsResumedToOneJobWithOneOutcomePerRow(String point)
      throws Exception {
    // given: 40 objects in S3Mock, their metadata, a tagging playbook
    LocalS3Server server = S3Servers.s3mock();
    S3Client s3 = S3Servers.client(server);
    QuarryCli quarry = quarry(server);
    String bucket = S3Servers.createVersionedBucket(s3, "kill");
    IntStream.range(0, OBJECTS)
        .parallel()
        .forEach(
            i -> s3.putObject(b -> b.bucket(bucket).key("obj/" + i), RequestBody.fromString("x")));
    assertThat(quarry.run("metadata", "refresh", "--bucket", bucket).code()).isZero();
    Path playbook =
        Files.writeString(
            dir.resolve("tag.yaml"),
            """
            name: tag-all
            query: SELECT bucket, key FROM "b_%s"."inventory" WHERE NOT coalesce(is_delete_marker, false)
            action: { type: put-tags, tags: { checked: "yes" } }
            """
                .formatted(bucket));

    // when: killed at the point, then resumed
    killAt(server, point, playbook);
    String runId = onlyRun(quarry).path("id").asText();
    QuarryCli.Result resumed = quarry.run("resume", runId);

    // then
    assertThat(resumed.code()).as(resumed.err()).isZero();
    JsonNode run = quarry.show(runId);
    assertThat(run.path("status").asText()).isEqualTo("completed");
    assertThat(run.path("jobIds")).hasSize(1);
    assertThat(quarry.jobsOf(runId)).hasSize(1);
    assertThat(run.path("succeeded").asLong()).isEqualTo(OBJECTS);
    List<String> phases = run.path("transitions").findValuesAsText("status");
    assertThat(phases).startsWith("planned").endsWith("completed");
    if (!point.equals("after-plan")) {
      assertThat(phases).contains("submitted");
    }
    // every manifest row has exactly one outcome in the report
    String jobId = run.path("jobIds").get(0).asText();
    List<TaskResult> rows = new ArrayList<>();
    Path report = Path.of(run.path("report").asText()).getParent().getParent();
    CompletionReportReader.read(new ReportLocation.Local(report), jobId, null, rows::add);
    Set<String> keys = new HashSet<>();
    rows.forEach(r -> keys.add(r.key()));
    assertThat(rows).hasSize(OBJECTS);
    assertThat(keys).hasSize(OBJECTS);
    assertThat(s3.getObjectTagging(b -> b.bucket(bucket).key("obj/7")).tagSet())
        .extracting(t -> t.key() + "=" + t.value())
        .containsExactly("checked=yes");
  }

  @ParameterizedTest
  @ValueSource(strings = {"wait"})
  void aRestoreThenCopyKilledWhileItWaitsIsResumedAndCopiesOnlyWhatWasRestored(String point)
      throws Exception {
    // given: 6 archived objects and one that is not, in moto, and their metadata
    LocalS3Server server = S3Servers.moto();
    S3Client s3 = S3Servers.client(server);
    QuarryCli quarry = quarry(server);
    String bucket = S3Servers.createVersionedBucket(s3, "thaw");
    for (int i = 0; i < 6; i++) {
      String key = "cold/" + i;
      s3.putObject(
          b -> b.bucket(bucket).key(key).storageClass(StorageClass.GLACIER),
          RequestBody.fromString("frozen " + key));
    }
    s3.putObject(b -> b.bucket(bucket).key("cold/warm"), RequestBody.fromString("warm"));
    assertThat(quarry.run("metadata", "refresh", "--bucket", bucket).code()).isZero();
    Path playbook =
        Files.writeString(
            dir.resolve("thaw.yaml"),
            """
            name: thaw
            query: SELECT bucket, key FROM "b_%s"."inventory" WHERE NOT coalesce(is_delete_marker, false)
            action: { type: restore, days: 1, tier: BULK }
            then: { type: reencrypt, sse: AES256, storage-class: STANDARD }
            limits: { max-objects: 100 }
            """
                .formatted(bucket));

    // when: killed while it waits between its steps, then resumed
    killAt(server, point, playbook);
    JsonNode waiting = onlyRun(quarry);
    assertThat(waiting.path("status").asText()).isEqualTo("waiting");
    String runId = waiting.path("id").asText();
    QuarryCli.Result resumed = quarry.run("resume", runId);

    // then: two jobs, one per step; the archived objects are STANDARD now, the other untouched
    assertThat(resumed.code()).as(resumed.err() + resumed.out()).isZero();
    JsonNode run = quarry.show(runId);
    assertThat(run.path("status").asText()).isEqualTo("completed");
    assertThat(run.path("jobIds")).hasSize(2);
    assertThat(quarry.jobsOf(runId)).hasSize(2);
    JsonNode steps = run.path("steps");
    assertThat(steps.get(0).path("action").asText()).isEqualTo("restore");
    assertThat(steps.get(0).path("succeeded").asLong()).isEqualTo(6);
    assertThat(steps.get(0).path("failed").asLong()).isEqualTo(1);
    assertThat(steps.get(1).path("action").asText()).isEqualTo("reencrypt");
    assertThat(steps.get(1).path("objects").asLong()).isEqualTo(6);
    assertThat(steps.get(1).path("succeeded").asLong()).isEqualTo(6);
    assertThat(steps.get(1).path("note").asText()).contains("1 not restored");
    for (int i = 0; i < 6; i++) {
      String key = "cold/" + i;
      HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key(key));
      assertThat(head.storageClassAsString()).as(key).isIn(null, "STANDARD");
      assertThat(s3.listObjectVersions(b -> b.bucket(bucket).prefix(key)).versions())
          .as("versions of " + key)
          .hasSize(2);
    }
    assertThat(s3.listObjectVersions(b -> b.bucket(bucket).prefix("cold/warm")).versions())
        .hasSize(1);
    Path notReady =
        Path.of(steps.get(1).path("manifest").path("location").asText())
            .resolveSibling("not-ready.csv");
    assertThat(Files.readString(notReady)).contains("cold/warm,,NOT_RESTORED");
  }

  /** Starts the run in a JVM of its own and SIGKILLs it once it reports the point. */
  private void killAt(LocalS3Server server, String point, Path playbook) throws Exception {
    KilledJvm.killWhen(
        RunKillMain.class,
        List.of(
            point,
            playbook.toString(),
            server.endpoint().toString(),
            dir.resolve("state").toString()),
        Map.of("QUARRY_MANIFESTS_DIR", dir.resolve("manifests").toString()),
        line -> line.equals("REACHED " + point));
  }

  private JsonNode onlyRun(QuarryCli quarry) {
    JsonNode runs = quarry.runs();
    assertThat(runs).hasSize(1);
    return runs.get(0);
  }

  private QuarryCli quarry(LocalS3Server server) {
    return new QuarryCli(server.endpoint(), dir, Map.of(Composition.RESTORE_POLL, "1"));
  }
}
