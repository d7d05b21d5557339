package dev.quarry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.sandbox.LocalS3Server;
import dev.quarry.testing.S3Servers;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectVersion;

/**
 * Two destructive jobs on one bucket at once, each in a {@code quarry} process of its own (the
 * packaged jar), against the default sandbox server (S3Mock): the probe of issue 8. S3Mock treats a
 * version-exact DeleteObject of a version that is gone as a delete of the key's current version, so
 * two rollbacks racing on the same markers used to delete data; two re-encrypts copied every object
 * twice.
 */
class ConcurrentDestructiveRunsIT {
  private static final Path JAR = Path.of(System.getProperty("quarry.jar", "target/quarry.jar"));
  private static final Pattern SUBMITTED = Pattern.compile("Submitted job ([0-9a-f-]{36})");

  @TempDir Path work;

  private final LocalS3Server server = S3Servers.s3mock();
  private final S3Client s3 = S3Servers.client(server);

  @Test
  void twoRollbacksAtOnceLeaveEveryKeyItsDataAndTheSecondIsToldWhoHoldsTheBucket()
      throws Exception {
    // given: 300 keys put, then deleted, and the metadata refreshed (the probe's scenario)
    String bucket = S3Servers.createVersionedBucket(s3, "race");
    List<String> keys = IntStream.range(0, 300).mapToObj(i -> "camera/img-" + i).toList();
    keys.parallelStream()
        .forEach(k -> s3.putObject(b -> b.bucket(bucket).key(k), RequestBody.fromString(k)));
    keys.parallelStream().forEach(k -> s3.deleteObject(b -> b.bucket(bucket).key(k)));
    refresh(bucket);
    // two playbooks: two runs of one playbook are refused by the run store before any job
    Path playbook = playbook("rollback-deletes.yaml", bucket, "a");
    Path other = playbook("rollback-deletes.yaml", bucket, "b");

    // when: two runs started together, both confirmed
    List<Result> runs =
        together(
            List.of(
                List.of("run", playbook.toString(), "--yes", "--concurrency", "2"),
                List.of("run", other.toString(), "--yes", "--concurrency", "2")));

    // then: every key still has its data version, and its marker is gone
    for (String key : keys) {
      List<ObjectVersion> versions =
          s3.listObjectVersions(b -> b.bucket(bucket).prefix(key)).versions().stream()
              .filter(v -> v.key().equals(key))
              .toList();
      assertThat(versions).as("data versions of " + key).hasSize(1);
    }
    assertThat(
            s3.listObjectVersions(b -> b.bucket(bucket).prefix("camera/")).deleteMarkers().stream()
                .filter(m -> keys.contains(m.key())))
        .isEmpty();
    assertOneRanOrTheyTookTurns(runs);
  }

  @Test
  void twoReencryptsAtOnceCopyNoObjectTwice() throws Exception {
    // given: 300 objects, not under SSE-KMS, in the metadata
    String bucket = S3Servers.createVersionedBucket(s3, "race");
    IntStream.range(0, 300)
        .parallel()
        .forEach(
            i ->
                s3.putObject(
                    b -> b.bucket(bucket).key("data/obj-" + i), RequestBody.fromString("x" + i)));
    refresh(bucket);
    Path playbook = playbook("reencrypt-to-kms.yaml", bucket, "a");
    Path other = playbook("reencrypt-to-kms.yaml", bucket, "b");
    // both jobs planned and confirmed first, so that the two executions start within a JVM's
    // start-up of each other; one thread each keeps them running long enough to meet
    String first = submitted(quarry("run", playbook.toString(), "--yes", "--no-wait"));
    String second = submitted(quarry("run", other.toString(), "--yes", "--no-wait"));

    // when
    List<Result> runs =
        together(
            List.of(
                List.of("resume", first, "--concurrency", "1"),
                List.of("resume", second, "--concurrency", "1")));

    // then: each object was copied once by the jobs running at the same time
    assertOneRanOrTheyTookTurns(runs);
  }

  @Test
  void twoRunsOfOnePlaybookStartedTogetherRunOnceAndTheOtherIsRefusedNamingTheRun()
      throws Exception {
    // given: 40 objects, not under SSE-KMS, in the metadata
    String bucket = S3Servers.createVersionedBucket(s3, "once");
    IntStream.range(0, 40)
        .parallel()
        .forEach(
            i ->
                s3.putObject(
                    b -> b.bucket(bucket).key("data/obj-" + i), RequestBody.fromString("x" + i)));
    refresh(bucket);
    Path playbook = playbook("reencrypt-to-kms.yaml", bucket, "a");

    // when: the same run started twice at the same moment
    List<String> run = List.of("run", playbook.toString(), "--yes", "--concurrency", "2");
    List<Result> runs = together(List.of(run, run));

    // then: one ran; the other was refused before it submitted anything, naming the first run
    List<Result> refused = runs.stream().filter(r -> r.code() != 0).toList();
    assertThat(refused).as(runs.toString()).hasSize(1);
    JsonNode jobs = localJobs();
    assertThat(jobs).hasSize(1);
    String winner = jobs.get(0).get("runId").asText();
    assertThat(refused.get(0).code()).isEqualTo(2);
    assertThat(refused.get(0).output())
        .contains("already has a run that has not ended: " + winner)
        .contains("quarry runs show " + winner);
    // one job copied each object once (S3Mock overwrites on a copy in place, so versions cannot
    // show it): all 40 tasks in its one job, none in another
    assertThat(jobs.get(0).get("progress").get("numberOfTasksSucceeded").asLong()).isEqualTo(40);
    assertThat(jobs.get(0).get("progress").get("totalNumberOfTasks").asLong()).isEqualTo(40);
  }

  /**
   * Either one job ran and the other was refused with a message naming it, or the second started
   * only after the first had ended (a later run may legitimately act on the same objects again).
   */
  private void assertOneRanOrTheyTookTurns(List<Result> runs) throws Exception {
    List<JsonNode> jobs = new ArrayList<>();
    for (JsonNode job : localJobs()) {
      jobs.add(job);
    }
    assertThat(jobs).hasSize(2);
    List<Result> refused = runs.stream().filter(r -> r.code() != 0).toList();
    if (!refused.isEmpty()) {
      System.out.println("refused: " + refused);
      assertThat(refused).as(runs.toString()).hasSize(1);
      Result loser = refused.get(0);
      JsonNode winner =
          jobs.stream()
              .filter(j -> j.get("progress").get("numberOfTasksSucceeded").asLong() > 0)
              .findFirst()
              .orElseThrow();
      assertThat(loser.code()).as(loser.output()).isEqualTo(2);
      if (!loser.output().contains("has not said which job it runs")) {
        // the holder names its job once it has written it; just before, the lock is all there is
        assertThat(loser.output())
            .contains("is held by job " + winner.get("jobId").asText())
            .contains(winner.get("runId").asText())
            .contains("quarry job " + winner.get("jobId").asText());
      }
      JsonNode waiting = jobs.stream().filter(j -> j != winner).findFirst().orElseThrow();
      assertThat(waiting.get("status").asText()).isEqualTo("READY");
      assertThat(waiting.get("progress").get("numberOfTasksSucceeded").asLong()).isZero();
      assertThat(loser.output()).contains("quarry resume " + waiting.get("jobId").asText());
      return;
    }
    // both ran: their Active periods must not overlap
    System.out.println("both ran: " + runs);
    JsonNode a = jobs.get(0);
    JsonNode b = jobs.get(1);
    assertThat(activeSince(a).isAfter(ended(b)) || activeSince(b).isAfter(ended(a)))
        .as("both jobs ran at once: " + runs)
        .isTrue();
  }

  private static Instant activeSince(JsonNode job) {
    for (JsonNode t : job.get("transitions")) {
      if (t.get("status").asText().equals("ACTIVE")) {
        return Instant.parse(t.get("at").asText());
      }
    }
    throw new AssertionError("never Active: " + job);
  }

  private static Instant ended(JsonNode job) {
    return Instant.parse(job.get("terminated").asText());
  }

  private JsonNode localJobs() throws Exception {
    Result jobs = quarry("jobs", "--output", "json");
    assertThat(jobs.code()).as(jobs.output()).isZero();
    return new ObjectMapper().readTree(jobs.output()).get("jobs");
  }

  private void refresh(String bucket) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        QuarryCommand.execute(
            new CliContext(Map.of(), new PrintWriter(out), new PrintWriter(err), false),
            "metadata",
            "refresh",
            "--bucket",
            bucket,
            "--s3-endpoint",
            server.endpoint().toString(),
            "--state-dir",
            work.resolve("state").toString());
    assertThat(code).as(err.toString()).isZero();
  }

  /**
   * The shipped playbook, its query pointed at {@code bucket}'s tables, named with {@code suffix}.
   */
  private Path playbook(String name, String bucket, String suffix) throws IOException {
    String text = Files.readString(Path.of("playbooks", name));
    String base = name.replace(".yaml", "");
    Path file = work.resolve(base + "-" + suffix + ".yaml");
    Files.writeString(
        file,
        text.replace("b_starwatcher", "b_" + bucket)
            .replace("name: " + base + "\n", "name: " + base + "-" + suffix + "\n"));
    assertThat(Files.readString(file)).contains("name: " + base + "-" + suffix + "\n");
    return file;
  }

  private static String submitted(Result result) {
    assertThat(result.code()).as(result.output()).isZero();
    Matcher m = SUBMITTED.matcher(result.output());
    assertThat(m.find()).as(result.output()).isTrue();
    return m.group(1);
  }

  private record Result(int code, String output) {}

  private Result quarry(String... args) throws Exception {
    return together(List.of(List.of(args))).get(0);
  }

  /** Starts one quarry process per argument list at once, then waits for all of them. */
  private List<Result> together(List<List<String>> commands) throws Exception {
    List<Process> processes = new ArrayList<>();
    List<Path> logs = new ArrayList<>();
    for (List<String> args : commands) {
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.add("-jar");
      command.add(JAR.toAbsolutePath().toString());
      command.addAll(args);
      command.addAll(
          List.of(
              "--s3-endpoint",
              server.endpoint().toString(),
              "--state-dir",
              work.resolve("state").toString()));
      Path log = Files.createTempFile(work, "quarry-", ".log");
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .directory(work.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      builder.environment().put("QUARRY_MANIFESTS_DIR", work.resolve("manifests").toString());
      processes.add(builder.start());
      logs.add(log);
    }
    List<Result> results = new ArrayList<>();
    for (int i = 0; i < processes.size(); i++) {
      Process p = processes.get(i);
      if (!p.waitFor(3, TimeUnit.MINUTES)) {
        p.destroyForcibly();
      }
      results.add(new Result(p.exitValue(), Files.readString(logs.get(i), StandardCharsets.UTF_8)));
    }
    return results;
  }
}
