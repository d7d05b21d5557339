package dev.quarry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.sandbox.LocalS3Server;
import dev.quarry.testing.S3Servers;
import java.io.PrintWriter;
import java.io.StringWriter;
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
 * playbook fired every 2 seconds, a broken playbook dropped in while it runs, then a SIGTERM.
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
    Path log = dir.resolve("daemon.log");

    // when: the daemon runs
    daemon = start(log, "daemon", "--playbooks", playbooks.toString(), "--poll", "1");

    // then: its runs complete and are in the run store
    await(() -> read(log).contains("scheduled tag-every-2s"), log, 40); // a JVM's start
    await(() -> completed() >= 2, log, 20);
    assertThat(s3.getObjectTagging(b -> b.bucket(bucket).key("obj/0")).tagSet())
        .extracting(t -> t.key() + "=" + t.value())
        .containsExactly("checked=yes");

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
    await(() -> read(log).contains("broken.yaml:4"), log, 10);
    int before = completed();
    await(() -> completed() >= before + 2, log, 20);
    assertThat(read(log)).contains("broken.yaml: broken; not scheduled until fixed");

    // when: SIGTERM
    daemon.destroy();

    // then: it exits 0, and leaves no run unfinished
    assertThat(daemon.waitFor(20, TimeUnit.SECONDS)).as(read(log)).isTrue();
    assertThat(daemon.exitValue()).as(read(log)).isZero();
    List<String> statuses = new ArrayList<>();
    runs()
        .forEach(r -> statuses.add(r.path("playbook").asText() + " " + r.path("status").asText()));
    assertThat(statuses).isNotEmpty().allMatch(s -> s.equals("tag-every-2s completed"), read(log));
    assertThat(read(log))
        .contains("stopped")
        .doesNotContain("firing broken")
        .doesNotContain("(bug)");
  }

  private int completed() {
    int n = 0;
    for (JsonNode run : runs()) {
      if (run.path("status").asText().equals("completed")) {
        n++;
      }
    }
    return n;
  }

  private JsonNode runs() {
    Result runs = quarry("runs", "-o", "json");
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

  private record Result(int code, String out, String err) {}

  private Result quarry(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(
        List.of(
            "--s3-endpoint",
            server.endpoint().toString(),
            "--state-dir",
            dir.resolve("state").toString()));
    int code =
        QuarryCommand.execute(
            new CliContext(
                Map.of("QUARRY_MANIFESTS_DIR", dir.resolve("manifests").toString()),
                new PrintWriter(out, true),
                new PrintWriter(err, true),
                false),
            all.toArray(String[]::new));
    return new Result(code, out.toString(), err.toString());
  }
}
