package dev.quarry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.sandbox.LocalS3Server;
import dev.quarry.testing.QuarryCli;
import dev.quarry.testing.S3Servers;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectVersion;
import software.amazon.awssdk.services.s3.model.StorageClass;
import software.amazon.awssdk.services.s3.model.Tag;

/**
 * {@code quarry revert} end to end on moto (which keeps versions and honours conditional deletes):
 * a prefix with puts, an overwrite, a delete, a key created after T and a tag change; after the
 * revert, the server's listing under the prefix equals the state at T, and the key outside the
 * prefix is as it was. An archived version overwritten after T is planned as a restore followed by
 * its copy; moto cannot run that restore: it restores only a key's current version (RestoreObject
 * of a noncurrent version answers 403 InvalidObjectState), where AWS restores the version named.
 */
class RevertCommandIT {
  @TempDir Path dir;

  private final LocalS3Server server = S3Servers.moto();
  private final S3Client s3 = S3Servers.client(server);

  @Test
  void aRevertBringsThePrefixBackToItsStateAtTAndTouchesNothingElse() throws Exception {
    // given: the state at T
    QuarryCli quarry =
        new QuarryCli(server.endpoint(), dir, Map.of("QUARRY_RESTORE_POLL_SECONDS", "1"));
    String bucket = S3Servers.createVersionedBucket(s3, "revert");
    for (String key : List.of("p/a", "p/b", "p/c", "p/e", "q/out")) {
      put(bucket, key, key + " at T", StorageClass.STANDARD);
    }
    put(bucket, "r/d", "r/d at T, archived", StorageClass.GLACIER);
    assertThat(quarry.run("metadata", "refresh", "--bucket", bucket).code()).isZero();
    Thread.sleep(1_100);
    Instant t = Instant.now();
    Thread.sleep(1_100);

    // and: the changes since
    put(bucket, "p/a", "p/a overwritten", StorageClass.STANDARD);
    s3.deleteObject(b -> b.bucket(bucket).key("p/b"));
    s3.putObjectTagging(
        b ->
            b.bucket(bucket)
                .key("p/c")
                .tagging(g -> g.tagSet(Tag.builder().key("k").value("v").build())));
    put(bucket, "r/d", "r/d overwritten", StorageClass.STANDARD);
    put(bucket, "p/new", "created after T", StorageClass.STANDARD);
    put(bucket, "q/out", "q/out overwritten", StorageClass.STANDARD);
    String outside = current(bucket, "q/out").versionId();
    assertThat(quarry.run("metadata", "refresh", "--bucket", bucket).code()).isZero();

    // when: planned, then run
    QuarryCli.Result plan =
        quarry.run(
            "revert",
            "--bucket",
            bucket,
            "--to",
            t.toString(),
            "--prefix",
            "p/",
            "--dry-run",
            "-o",
            "json");
    QuarryCli.Result archived =
        quarry.run(
            "revert",
            "--bucket",
            bucket,
            "--to",
            t.toString(),
            "--prefix",
            "r/",
            "--dry-run",
            "-o",
            "json");
    QuarryCli.Result before =
        quarry.run(
            "revert", "--verify", "--bucket", bucket, "--to", t.toString(), "--prefix", "p/");
    QuarryCli.Result run =
        quarry.run(
            "revert",
            "--bucket",
            bucket,
            "--to",
            t.toString(),
            "--prefix",
            "p/",
            "--max-objects",
            "100",
            "--yes",
            "-o",
            "json");

    // then: the plan had one step per set
    assertThat(plan.code()).as(plan.err()).isZero();
    JsonNode planned = Json.MAPPER.readTree(plan.out()).path("plans").get(0);
    assertThat(actions(planned))
        .containsExactly("hide-keys", "rollback-deletes", "revert-to-version");
    // and: the archived version of T is restored first, then copied back keeping its class
    JsonNode restore = Json.MAPPER.readTree(archived.out()).path("plans").get(0);
    assertThat(actions(restore)).containsExactly("restore");
    assertThat(
            restore
                .path("parts")
                .get(0)
                .path("followUp")
                .path("options")
                .path("storage-class")
                .asText())
        .isEqualTo("GLACIER");
    assertThat(planned.path("leftOut").get(0).path("storageClass").asText())
        .isEqualTo("tags-changed");
    assertThat(planned.path("parts").get(0).path("undo")).isNotEmpty();
    // and: before the run the bucket differed from T in four keys
    assertThat(before.code()).isEqualTo(1);
    assertThat(before.out()).contains("3 of 5 keys differ");
    // and: the run ran three jobs
    assertThat(run.code()).as(run.err() + run.out()).isZero();
    JsonNode ran = Json.MAPPER.readTree(run.out()).path("run");
    assertThat(ran.path("status").asText()).isEqualTo("completed");
    assertThat(ran.path("jobs")).hasSize(3);
    assertThat(ran.path("tasks").path("failed").asLong()).isZero();
    // and: the server's listing under the prefix equals the state at T
    QuarryCli.Result after =
        quarry.run(
            "revert",
            "--verify",
            "--bucket",
            bucket,
            "--to",
            t.toString(),
            "--prefix",
            "p/",
            "-o",
            "json");
    assertThat(after.code()).as(after.out()).isZero();
    assertThat(Json.MAPPER.readTree(after.out()).path("matches").asBoolean()).isTrue();
    assertThat(body(bucket, "p/a")).isEqualTo("p/a at T");
    assertThat(body(bucket, "p/b")).isEqualTo("p/b at T");
    assertThat(current(bucket, "p/new").isLatest()).isFalse();
    assertThat(
            s3.listObjectVersions(b -> b.bucket(bucket).prefix("p/new")).deleteMarkers().stream()
                .anyMatch(m -> m.isLatest()))
        .isTrue();
    // and: nothing outside the prefix changed
    assertThat(current(bucket, "q/out").versionId()).isEqualTo(outside);
    assertThat(body(bucket, "q/out")).isEqualTo("q/out overwritten");
  }

  @Test
  void theUndoOfARevertBringsTheBucketBackToItsStateBeforeTheRevert() throws Exception {
    // given: a prefix with an overwrite, a delete and a key created after T, reverted
    QuarryCli quarry = new QuarryCli(server.endpoint(), dir, Map.of());
    String bucket = S3Servers.createVersionedBucket(s3, "undo");
    for (String key : List.of("p/a", "p/b", "p/e", "q/out")) {
      put(bucket, key, key + " at T", StorageClass.STANDARD);
    }
    assertThat(quarry.run("metadata", "refresh", "--bucket", bucket).code()).isZero();
    Thread.sleep(1_100);
    Instant t = Instant.now();
    Thread.sleep(1_100);
    put(bucket, "p/a", "p/a overwritten", StorageClass.STANDARD);
    s3.deleteObject(b -> b.bucket(bucket).key("p/b"));
    put(bucket, "p/new", "created after T", StorageClass.STANDARD);
    put(bucket, "q/out", "q/out overwritten", StorageClass.STANDARD);
    assertThat(quarry.run("metadata", "refresh", "--bucket", bucket).code()).isZero();
    Map<String, String> beforeRevert = liveETags(bucket);
    List<ObjectVersion> outsideBefore = versions(bucket, "q/");
    QuarryCli.Result revert =
        quarry.run(
            "revert",
            "--bucket",
            bucket,
            "--to",
            t.toString(),
            "--prefix",
            "p/",
            "--max-objects",
            "100",
            "--yes",
            "-o",
            "json");
    assertThat(revert.code()).as(revert.err() + revert.out()).isZero();
    String revertRun = Json.MAPPER.readTree(revert.out()).path("run").path("id").asText();
    assertThat(liveETags(bucket)).isNotEqualTo(beforeRevert);

    // when: the undo is planned, then run
    QuarryCli.Result plan = quarry.run("undo", revertRun, "--dry-run", "-o", "json");
    QuarryCli.Result undo = quarry.run("undo", revertRun, "--max-objects", "100", "--yes");

    // then: the plan names one step per kind of change, and changed nothing
    assertThat(plan.code()).as(plan.err() + plan.out()).isZero();
    List<String> steps = new ArrayList<>();
    Json.MAPPER
        .readTree(plan.out())
        .path("steps")
        .forEach(s -> steps.add(s.path("action").asText() + " " + s.path("objects").asLong()));
    assertThat(steps)
        .containsExactlyInAnyOrder("rollback-deletes 1", "hide-keys 1", "revert-to-version 1");
    // and: after the undo, every key under the prefix is live with the content it had before
    assertThat(undo.code()).as(undo.err() + undo.out()).isZero();
    assertThat(liveETags(bucket)).isEqualTo(beforeRevert);
    assertThat(body(bucket, "p/a")).isEqualTo("p/a overwritten");
    assertThat(body(bucket, "p/new")).isEqualTo("created after T");
    // and: nothing outside the prefix changed, not even a version id
    assertThat(versions(bucket, "q/"))
        .extracting(ObjectVersion::versionId)
        .isEqualTo(outsideBefore.stream().map(ObjectVersion::versionId).toList());
  }

  /** Each live key (its newest entry is a version, not a delete marker) and its content ETag. */
  private Map<String, String> liveETags(String bucket) {
    Map<String, String> live = new java.util.TreeMap<>();
    s3.listObjectVersionsPaginator(b -> b.bucket(bucket))
        .forEach(
            page ->
                page.versions().stream()
                    .filter(ObjectVersion::isLatest)
                    .forEach(v -> live.put(v.key(), v.eTag())));
    return live;
  }

  private List<ObjectVersion> versions(String bucket, String prefix) {
    return s3.listObjectVersions(b -> b.bucket(bucket).prefix(prefix)).versions();
  }

  private static List<String> actions(JsonNode plan) {
    List<String> actions = new ArrayList<>();
    plan.path("parts").forEach(p -> actions.add(p.path("action").path("type").asText()));
    return actions;
  }

  private void put(String bucket, String key, String body, StorageClass storageClass) {
    s3.putObject(
        b -> b.bucket(bucket).key(key).storageClass(storageClass), RequestBody.fromString(body));
  }

  private String body(String bucket, String key) {
    return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asUtf8String();
  }

  /** The newest object version of {@code key} (not a delete marker). */
  private ObjectVersion current(String bucket, String key) {
    return s3.listObjectVersions(b -> b.bucket(bucket).prefix(key)).versions().stream()
        .filter(v -> v.key().equals(key))
        .findFirst()
        .orElseThrow();
  }
}
