package dev.quarry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.sandbox.LocalS3Server;
import dev.quarry.testing.KilledJvm;
import dev.quarry.testing.QuarryCli;
import dev.quarry.testing.S3Servers;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code quarry revert --yes} in a JVM of its own (the real command line, on moto) is killed with
 * SIGKILL while its three steps run (hide-keys, rollback-deletes, revert-to-version), once the job
 * of step 1 or of step 2 is recorded; {@code quarry resume} then finishes it with exactly one job
 * per step, and the server's listing equals the state at T.
 */
// two JVMs, moto and three metadata refreshes: 130-180 s a case measured on a shared machine (load
// 30+)
@Timeout(value = 6, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RevertKillIT {
  /** Keys per change set: enough that a step's job runs a while at concurrency 1. */
  private static final int KEYS = 20;

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(ints = {1, 2})
  void aRevertKilledWhileItsStepsRunIsResumedToOneJobPerStepAndTheStateAtT(int killAtStep)
      throws Exception {
    // given: keys at T, then created, deleted and overwritten since, under p/
    LocalS3Server server = S3Servers.moto();
    S3Client s3 = S3Servers.client(server);
    QuarryCli quarry = new QuarryCli(server.endpoint(), dir, Map.of());
    String bucket = S3Servers.createVersionedBucket(s3, "revkill");
    keys().forEach(k -> put(s3, bucket, "p/del/" + k, "at T"));
    keys().forEach(k -> put(s3, bucket, "p/over/" + k, "at T"));
    assertThat(quarry.run("metadata", "refresh", "--bucket", bucket).code()).isZero();
    Thread.sleep(1_100);
    Instant t = Instant.now();
    Thread.sleep(1_100);
    keys().forEach(k -> put(s3, bucket, "p/new/" + k, "created after T"));
    keys().forEach(k -> s3.deleteObject(b -> b.bucket(bucket).key("p/del/" + k)));
    keys().forEach(k -> put(s3, bucket, "p/over/" + k, "overwritten"));
    assertThat(quarry.run("metadata", "refresh", "--bucket", bucket).code()).isZero();

    // when: the revert is killed once the job of step killAtStep is recorded
    AtomicInteger submitted = new AtomicInteger();
    String seen =
        KilledJvm.killWhen(
            Main.class,
            List.of(
                "revert",
                "--bucket",
                bucket,
                "--to",
                t.toString(),
                "--prefix",
                "p/",
                "--max-objects",
                "1000",
                "--yes",
                "--concurrency",
                "1",
                "--s3-endpoint",
                server.endpoint().toString(),
                "--state-dir",
                dir.resolve("state").toString()),
            Map.of("QUARRY_MANIFESTS_DIR", quarry.manifests().toString()),
            line -> line.startsWith("Submitted job") && submitted.incrementAndGet() == killAtStep);
    JsonNode killed = onlyRun(quarry);
    String runId = killed.path("id").asText();
    assertThat(killed.path("status").asText()).as(seen).isNotEqualTo("completed");
    QuarryCli.Result resumed = quarry.run("resume", runId);

    // then: the run completed, with one job per step: none submitted twice, none missing
    assertThat(resumed.code()).as(resumed.err() + resumed.out()).isZero();
    JsonNode run = quarry.show(runId);
    assertThat(run.path("status").asText()).isEqualTo("completed");
    List<String> actions = new ArrayList<>();
    Set<String> stepJobs = new HashSet<>();
    for (JsonNode step : run.path("steps")) {
      actions.add(step.path("action").asText());
      stepJobs.add(step.path("jobId").asText());
      assertThat(step.path("succeeded").asLong()).as(step.toString()).isEqualTo(KEYS);
      assertThat(step.path("failed").asLong()).as(step.toString()).isZero();
    }
    assertThat(actions).containsExactly("hide-keys", "rollback-deletes", "revert-to-version");
    assertThat(stepJobs).hasSize(3);
    assertThat(run.path("jobIds")).hasSize(3);
    assertThat(quarry.jobsOf(runId)).hasSize(3);
    // and: the server's listing under the prefix equals the state at T
    QuarryCli.Result verify =
        quarry.run(
            "revert", "--verify", "--bucket", bucket, "--to", t.toString(), "--prefix", "p/");
    assertThat(verify.code()).as(verify.out()).isZero();
    assertThat(verify.out()).contains("0 of " + 2 * KEYS + " keys differ");
  }

  private static IntStream keys() {
    return IntStream.range(0, KEYS).parallel();
  }

  private static void put(S3Client s3, String bucket, String key, String body) {
    s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(key + " " + body));
  }

  private static JsonNode onlyRun(QuarryCli quarry) {
    JsonNode runs = quarry.runs();
    assertThat(runs).hasSize(1);
    return runs.get(0);
  }
}
