package dev.quarry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.sandbox.LocalS3Server;
import dev.quarry.testing.QuarryCli;
import dev.quarry.testing.S3Servers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code quarry daemon} as a process of its own (the packaged jar) against S3Mock: a tagging
 * playbook fired every 2 seconds, one beside it that needs an approval (given by quarry confirm,
 * never by the daemon) and has a run left unfinished before the daemon started, a broken playbook
 * dropped in while it runs, then a SIGTERM.
 */
class DaemonIT {
  private static final Path JAR = Path.of(System.getProperty("quarry.jar", "target/quarry.jar"));

  @TempDir Path dir;

  private final LocalS3Server server = S3Servers.s3mock();
  private final S3Client s3 = S3Servers.client(server);
  private Process daemon;

  @AfterEach
  void stopDaemon() {
    if (daemon != null && daemon.isAlive()) {
      daemon.destroyForcibly();
    }
  }

  @Test
  void firesAScheduledPlaybookReportsABrokenOneWithItsLineAndStopsCleanlyOnSigterm()
      throws Exception {
    // given: three objects, their metadata, and a folder with a playbook due every 2 seconds
    String bucket = S3Servers.createVersionedBucket(s3, "daemon");
    IntStream.range(0, 3)
        .forEach(
            i -> s3.putObject(b -> b.bucket(bucket).key("obj/" + i), RequestBody.fromString("x")));
    assertThat(quarry("metadata", "refresh", "--bucket", bucket).code()).isZero();
    Path playbooks = Files.createDirectory(dir.resolve("playbooks"));
    Files.writeString(
        playbooks.resolve("tag.yaml"),
        """
        name: tag-every-2s
        schedule: "0/2 * * * * ?"
        query: SELECT bucket, key FROM "b_%s"."inventory"
        action: { type: put-tags, tags: { checked: "yes" } }
        """
            .formatted(bucket));
    Path confirmed =
        Files.writeString(
            playbooks.resolve("confirmed.yaml"),
            """
            name: tag-confirmed
            schedule: "0/2 * * * * ?"
            query: SELECT bucket, key FROM "b_%s"."inventory"
            action: { type: put-tags, tags: { confirmed: "yes" } }
            limits: { confirm: required }
            """
                .formatted(bucket));
    Path log = dir.resolve("daemon.log");
    // and: a run of it left awaiting approval by a quarry run before the daemon started
    QuarryCli.Result earlier = quarry("run", confirmed.toString());
    assertThat(earlier.code()).as(earlier.err()).isZero();
    String unfinished = runsOf("tag-confirmed").get(0).path("id").asText();

    // when: the daemon runs
    daemon = start(log, "daemon", "--playbooks", playbooks.toString(), "--poll", "1");

    // then: the daemon took up the unfinished run first, without approving it
    await(() -> read(log).contains("resumed run " + unfinished + " awaiting-approval"), log, 40);

    // and: its runs complete and are in the run store
    await(() -> read(log).contains("scheduled tag-every-2s"), log, 30);
    await(() -> completed() >= 2, log, 90);
    assertThat(s3.getObjectTagging(b -> b.bucket(bucket).key("obj/0")).tagSet())
        .extracting(t -> t.key() + "=" + t.value())
        .containsExactly("checked=yes");

    // and: the run that needs an approval waits for it, and holds its playbook meanwhile
    await(
        () -> read(log).contains("playbook tag-confirmed already has a run that has not ended"),
        log,
        10);
    List<JsonNode> waiting = runsOf("tag-confirmed");
    assertThat(waiting).hasSize(1);
    assertThat(waiting.get(0).path("id").asText()).isEqualTo(unfinished);
    assertThat(waiting.get(0).path("status").asText()).isEqualTo("awaiting-approval");

    // when: its playbook is removed, and quarry confirm approves the run
    Files.delete(confirmed);
    await(() -> read(log).contains("confirmed.yaml: removed; unscheduled"), log, 30);
    QuarryCli.Result confirm = quarry("confirm", waiting.get(0).path("jobIds").get(0).asText());

    // then: it ran, and no other run of it was started
    assertThat(confirm.code()).as(confirm.err()).isZero();
    assertThat(runsOf("tag-confirmed"))
        .singleElement()
        .satisfies(r -> assertThat(r.path("status").asText()).isEqualTo("completed"));

    // when: a broken playbook is dropped into the folder (an unknown action, line 4)
    Files.writeString(
        playbooks.resolve("broken.yaml"),
        """
        name: broken
        schedule: "0/2 * * * * ?"
        query: SELECT bucket, key FROM "b_%s"."inventory"
        action: { type: no-such-action }
        """
            .formatted(bucket));

    // then: it is reported with its file and line, and the good one keeps firing
    await(() -> read(log).contains("broken.yaml:4"), log, 30);
    int before = completed();
    await(() -> completed() > before, log, 90);
    assertThat(read(log)).contains("broken.yaml: broken; not scheduled until fixed");

    // when: SIGTERM
    daemon.destroy();

    // then: it exits 0, and leaves no run unfinished
    assertThat(daemon.waitFor(20, TimeUnit.SECONDS)).as(read(log)).isTrue();
    assertThat(daemon.exitValue()).as(read(log)).isZero();
    System.out.println(read(log));
    List<String> statuses = new ArrayList<>();
    runs().forEach(r -> statuses.add(r.path("status").asText()));
    assertThat(statuses).isNotEmpty().allMatch(s -> s.equals("completed"), read(log));
    assertThat(read(log))
        .contains("stopped")
        .doesNotContain("firing broken")
        .doesNotContain("(bug)");
  }

  private List<JsonNode> runsOf(String playbook) {
    List<JsonNode> of = new ArrayList<>();
    runs()
        .forEach(
            r -> {
              if (r.path("playbook").asText().equals(playbook)) {
                of.add(r);
              }
            });
    return of;
  }

  private int completed() {
    int n = 0;
    for (JsonNode run : runsOf("tag-every-2s")) {
      if (run.path("status").asText().equals("completed")) {
        n++;
      }
    }
    return n;
  }

  private JsonNode runs() {
    QuarryCli.Result runs = quarry("runs", "-o", "json");
    assertThat(runs.code()).as(runs.err()).isZero();
    try {
      return Json.MAPPER.readTree(runs.out()).path("runs");
    } catch (java.io.IOException e) {
      throw new AssertionError(runs.out(), e);
    }
  }

  /** Waits up to {@code seconds} for {@code condition}; the daemon's log explains a failure. */
  private void await(BooleanSupplier condition, Path log, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.getAsBoolean()) {
      assertThat(daemon.isAlive()).as("daemon ended: " + read(log)).isTrue();
      assertThat(System.nanoTime()).as("timed out; daemon log: " + read(log)).isLessThan(deadline);
      Thread.sleep(500);
    }
  }

  private static String read(Path log) {
    try {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private Process start(Path log, String... args) throws java.io.IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(JAR.toAbsolutePath().toString());
    command.addAll(List.of(args));
    command.addAll(
        List.of(
            "--s3-endpoint",
            server.endpoint().toString(),
            "--state-dir",
            dir.resolve("state").toString(),
            "--concurrency",
            "2"));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().put("QUARRY_MANIFESTS_DIR", dir.resolve("manifests").toString());
    return builder.start();
  }

  private QuarryCli.Result quarry(String... args) {
    return new QuarryCli(server.endpoint(), dir, Map.of()).run(args);
  }
}
