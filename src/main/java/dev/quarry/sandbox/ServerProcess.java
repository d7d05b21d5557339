package dev.quarry.sandbox;

import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.io.StateDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Starting, probing and stopping the processes of local servers. */
final class ServerProcess {
  private ServerProcess() {}

  /** A port free on loopback now (another process could still take it before the server binds). */
  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** How often a start is tried when another process took the port it was given. */
  private static final int PORT_ATTEMPTS = 3;

  /**
   * Runs {@code start} again, with the new free ports it picks, when the server died because a port
   * was taken: {@link #freePort} only finds a port free at that moment, and any process (a client's
   * outgoing connection included) may take it before the server binds it.
   */
  static <T> T retryingTakenPorts(Supplier<T> start) {
    for (int attempt = 1; ; attempt++) {
      try {
        return start.get();
      } catch (PortTaken e) {
        if (attempt == PORT_ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  /** A server died while starting because a port it was given was taken. */
  static final class PortTaken extends QuarryException {
    private static final long serialVersionUID = 1L;

    PortTaken(String message) {
      super(dev.quarry.error.ErrorCode.PORT_IN_USE, message);
    }
  }

  /** Starts a process whose output goes to {@code log}, so it outlives no pipe of ours. */
  static Process start(List<String> command, Map<String, String> environment, Path log) {
    try {
      StateDirectory.createPrivateDirectories(log.toAbsolutePath().getParent());
      ProcessBuilder builder = new ProcessBuilder(command);
      builder.environment().putAll(environment);
      builder.redirectErrorStream(true);
      builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      return builder.start();
    } catch (IOException e) {
      throw QuarryException.external(ErrorCode.SERVER_FAILED, "cannot start " + command.get(0), e);
    }
  }

  /** Waits until {@code probe} answers any HTTP status, or fails naming the log to read. */
  static void awaitHttp(Process process, URI probe, Duration timeout, Path log) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        String message =
            "server exited with code "
                + process.exitValue()
                + " while starting; see "
                + log
                + lastLines(log);
        throw portTaken(log)
            ? new PortTaken(message)
            : QuarryException.external(ErrorCode.SERVER_FAILED, message, null);
      }
      if (answers(probe)) {
        return;
      }
      sleep(Duration.ofMillis(200));
    }
    process.destroyForcibly();
    throw QuarryException.external(
        ErrorCode.SERVER_FAILED,
        "server did not answer at " + probe + " within " + timeout.toSeconds() + " s; see " + log,
        null);
  }

  /**
   * Whether the log says a port was in use: S3Mock (Spring Boot) and the control server (a {@code
   * BindException}) and moto (Python) each say it their way. The log is appended to by every start,
   * so a port taken in an earlier start also counts: that costs at most a needless retry.
   */
  private static boolean portTaken(Path log) {
    try {
      String text = Files.readString(log);
      return text.contains("Address already in use") || text.contains("listening on port");
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** The end of the log, so the reason shows where the failure is reported. */
  private static String lastLines(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      List<String> last = lines.subList(Math.max(0, lines.size() - 5), lines.size());
      return last.isEmpty() ? "" : ":\n  " + String.join("\n  ", last);
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  /**
   * Whether a server whose process is alive answers, given up to {@link #PATIENCE}: one probe's 2 s
   * read timeout was too short on a loaded machine (load 40 on 2 cores), where {@code sandbox seed}
   * then said no sandbox was running while S3Mock was up. A server that answers costs one probe.
   */
  static boolean answersWithin(URI probe) {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (true) {
      if (answers(probe)) {
        return true;
      }
      if (System.nanoTime() >= deadline) {
        return false;
      }
      sleep(Duration.ofMillis(250));
    }
  }

  private static final Duration PATIENCE = Duration.ofSeconds(10);

  static boolean answers(URI probe) {
    try {
      HttpURLConnection connection = (HttpURLConnection) probe.toURL().openConnection();
      connection.setConnectTimeout(500);
      connection.setReadTimeout(2000);
      connection.getResponseCode();
      connection.disconnect();
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Ends the process with the given pid and its descendants (moto_server's launcher has some):
   * politely, then forcibly after a grace period.
   */
  static void stop(long pid) {
    ProcessHandle.of(pid)
        .ifPresent(
            handle -> {
              handle.descendants().forEach(ProcessHandle::destroy);
              handle.destroy();
              try {
                handle.onExit().get(10, TimeUnit.SECONDS);
              } catch (Exception notYet) {
                handle.destroyForcibly();
              }
            });
  }

  static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
