package dev.quarry.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.sandbox.LocalS3Server;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * {@code quarry daemon ...} as a process of its own (the packaged jar) against a local S3 server,
 * with the state directory {@link QuarryCli} uses in the same folder, so that the test's {@code
 * quarry runs} sees the daemon's runs. Its output goes to a log file, which every failed wait
 * shows.
 */
public final class DaemonProcess implements AutoCloseable {
  private static final Path JAR = Path.of(System.getProperty("quarry.jar", "target/quarry.jar"));

  private final Process process;
  private final Path log;

  private DaemonProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /**
   * Starts {@code quarry <args>} in {@code dir} (its log {@code dir/daemon.log}), concurrency 2.
   */
  public static DaemonProcess start(LocalS3Server server, Path dir, String... args)
      throws IOException {
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
    Path log = dir.resolve("daemon.log");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().put("QUARRY_MANIFESTS_DIR", dir.resolve("manifests").toString());
    return new DaemonProcess(builder.start(), log);
  }

  /** What the daemon has written so far. */
  public String log() {
    try {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** Waits up to {@code seconds} for {@code condition}; fails at once if the daemon has ended. */
  public void await(BooleanSupplier condition, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.getAsBoolean()) {
      assertThat(process.isAlive()).as("daemon ended: " + log()).isTrue();
      assertThat(System.nanoTime()).as("timed out; daemon log: " + log()).isLessThan(deadline);
      Thread.sleep(500);
    }
  }

  /** SIGTERM, as a service manager stops it: its exit code, once it has exited (20 s at most). */
  public int terminate() throws InterruptedException {
    process.destroy();
    assertThat(process.waitFor(20, TimeUnit.SECONDS)).as(log()).isTrue();
    return process.exitValue();
  }

  /** Kills what a failed test left running. */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }
}
