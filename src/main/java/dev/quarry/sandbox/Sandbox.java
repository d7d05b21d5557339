package dev.quarry.sandbox;

import static java.util.Objects.requireNonNull;

import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.io.FileTrees;
import dev.quarry.io.StateDirectory;
import dev.quarry.io.StorageErrors;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The local S3 server that {@code quarry sandbox up} starts and leaves running, found again by
 * later commands through its {@link SandboxState} in {@code sandboxDir}.
 */
public final class Sandbox {
  private final Path dir;

  public Sandbox(Path dir) {
    this.dir = requireNonNull(dir, "dir is null");
  }

  public Path dir() {
    return dir;
  }

  public Path storeRoot() {
    return dir.resolve("s3mock-store");
  }

  public Path log(ServerKind kind) {
    return dir.resolve(kind.name() + ".log");
  }

  /** What the state file says and whether that server is running. */
  public Status status() {
    Optional<SandboxState> state = SandboxState.read(dir);
    if (state.isEmpty()) {
      boolean unreadable = Files.exists(SandboxState.file(dir));
      return new Status(
          state, false, unreadable ? "state file unreadable" : "no sandbox started here");
    }
    SandboxState s = state.get();
    if (!s.processAlive()) {
      return new Status(state, false, "process " + s.pid() + " is gone");
    }
    if (!ServerProcess.answersWithin(s.endpoint())) {
      return new Status(
          state,
          false,
          "process " + s.pid() + " is alive but " + s.endpoint() + " does not answer");
    }
    return new Status(state, true, "running");
  }

  /**
   * @param state the state file's content, if readable
   * @param reason why it is not running, or {@code running}
   */
  public record Status(Optional<SandboxState> state, boolean running, String reason) {
    public Status {
      requireNonNull(state, "state is null");
      requireNonNull(reason, "reason is null");
    }
  }

  /**
   * Starts a server unless one is running already. A stale state (process gone, or alive but not
   * answering) is cleaned up and replaced.
   *
   * @throws QuarryException (user) if a sandbox of another kind is running
   */
  public UpResult up(ServerKind kind) {
    Status status = status();
    if (status.running()) {
      SandboxState running = status.state().orElseThrow();
      if (!running.kind().equals(kind.name())) {
        throw QuarryException.user(
            ErrorCode.SANDBOX_RUNNING,
            "a "
                + running.kind()
                + " sandbox is already running at "
                + running.endpoint()
                + " (pid "
                + running.pid()
                + "); run 'quarry sandbox down' first to start "
                + kind.name());
      }
      if (running.controlProcess().filter(SandboxState.Control::running).isEmpty()) {
        // an older sandbox, or its control endpoint died: give it one
        running
            .controlProcess()
            .filter(SandboxState.Control::processAlive)
            .ifPresent(c -> stopProcess(c.pid()));
        SandboxState.Credentials credentials =
            running.sandboxCredentials().orElseGet(SandboxState.Credentials::random);
        running =
            running
                .withCredentials(credentials)
                .withControl(startControl(running.endpoint(), credentials));
        running.write(dir);
      }
      return new UpResult(running, true, Optional.empty());
    }
    Optional<String> replaced = Optional.empty();
    if (status.state().isPresent() || Files.exists(SandboxState.file(dir))) {
      status.state().filter(SandboxState::processAlive).ifPresent(s -> stopProcess(s.pid()));
      SandboxState.delete(dir);
      replaced = Optional.of(status.reason());
    }
    createDirectories(dir);
    LocalS3Server server =
        switch (kind) {
          case s3mock -> S3MockServer.start(storeRoot(), log(kind));
          case moto -> {
            requireMotoExecutable();
            yield MotoServer.start(log(kind));
          }
        };
    Optional<Path> store =
        switch (kind) {
          case s3mock -> Optional.of(storeRoot());
          case moto -> Optional.empty();
        };
    SandboxState.Credentials credentials = SandboxState.Credentials.random();
    SandboxState state = SandboxState.of(server, store, log(kind)).withCredentials(credentials);
    try {
      state = state.withControl(startControl(server.endpoint(), credentials));
    } catch (RuntimeException e) {
      server.stop();
      throw e;
    }
    try {
      state.write(dir);
    } catch (RuntimeException e) {
      state.controlProcess().ifPresent(c -> ServerProcess.stop(c.pid()));
      server.stop();
      throw e;
    }
    return new UpResult(state, false, replaced);
  }

  /**
   * @param alreadyRunning nothing was started: this sandbox was running
   * @param replacedStale why an earlier state was replaced, if there was one
   */
  public record UpResult(
      SandboxState state, boolean alreadyRunning, Optional<String> replacedStale) {
    public UpResult {
      requireNonNull(state, "state is null");
      requireNonNull(replacedStale, "replacedStale is null");
    }
  }

  /**
   * Stops the server by pid and removes the state; with {@code purge} also deletes S3Mock's store.
   * Does nothing (and says so) when there is nothing to stop. Never stops a process that merely got
   * the same pid after ours ended.
   */
  public DownResult down(boolean purge) {
    Optional<SandboxState> state = SandboxState.read(dir);
    Optional<Long> stopped = Optional.empty();
    Optional<String> note = Optional.empty();
    if (state.isPresent()) {
      SandboxState s = state.get();
      if (s.processAlive()) {
        stopProcess(s.pid());
        stopped = Optional.of(s.pid());
      } else if (s.pidReused()) {
        note = Optional.of("pid " + s.pid() + " now belongs to another process; left it alone");
      } else {
        note = Optional.of("process " + s.pid() + " had already ended");
      }
    } else {
      note = Optional.of("no sandbox was running here");
    }
    state
        .flatMap(SandboxState::controlProcess)
        .filter(SandboxState.Control::processAlive)
        .ifPresent(c -> stopProcess(c.pid()));
    SandboxState.delete(dir);
    boolean purged = false;
    if (purge && Files.exists(storeRoot())) {
      FileTrees.delete(storeRoot());
      purged = true;
    }
    return new DownResult(state, stopped, purged, note);
  }

  /**
   * @param stoppedPid the pid stopped, if a process was running
   * @param purgedStore whether S3Mock's store was deleted
   */
  public record DownResult(
      Optional<SandboxState> state,
      Optional<Long> stoppedPid,
      boolean purgedStore,
      Optional<String> note) {
    public DownResult {
      requireNonNull(state, "state is null");
      requireNonNull(stoppedPid, "stoppedPid is null");
      requireNonNull(note, "note is null");
    }
  }

  /** The running sandbox's server, for its known gaps and listeners. */
  public static LocalS3Server attach(SandboxState state) {
    ServerKind kind = kind(state.kind());
    int port = state.endpoint().getPort();
    return switch (kind) {
      case s3mock ->
          S3MockServer.attach(
              state.pid(),
              port,
              state.listeners().stream()
                  .filter(l -> l.port() != port)
                  .mapToInt(LocalS3Server.Listener::port)
                  .findFirst()
                  .orElse(-1));
      case moto -> MotoServer.attach(state.pid(), port);
    };
  }

  public Path controlLog() {
    return dir.resolve("s3control.log");
  }

  /**
   * Starts the S3 Control endpoint as a process of its own ({@code quarry sandbox control-server},
   * a hidden command of the same jar or classpath), for the S3 server at {@code s3}, its jobs under
   * the state directory's {@code control/}, accepting only requests signed with {@code credentials}
   * (given in its environment, which other users cannot read, not on its command line, which they
   * can).
   */
  private SandboxState.Control startControl(URI s3, SandboxState.Credentials credentials) {
    return ServerProcess.retryingTakenPorts(() -> startControlOnce(s3, credentials));
  }

  private SandboxState.Control startControlOnce(URI s3, SandboxState.Credentials credentials) {
    int port = ServerProcess.freePort();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-Xmx512m");
    command.add("-cp");
    command.add(classPath());
    command.addAll(
        List.of(
            "dev.quarry.cli.Main",
            "sandbox",
            "control-server",
            "--port",
            Integer.toString(port),
            "--s3-endpoint",
            s3.toString(),
            "--state-dir",
            dir.toAbsolutePath().getParent().toString()));
    Process process =
        ServerProcess.start(
            command,
            Map.of(
                "QUARRY_ACCESS_KEY_ID",
                credentials.accessKeyId(),
                "QUARRY_SECRET_ACCESS_KEY",
                credentials.secretAccessKey()),
            controlLog());
    URI endpoint = URI.create("http://127.0.0.1:" + port);
    ServerProcess.awaitHttp(
        process, endpoint.resolve("/v20180820/jobs"), Duration.ofSeconds(60), controlLog());
    Instant started = process.toHandle().info().startInstant().orElse(null);
    return new SandboxState.Control(
        process.pid(), started, endpoint, controlLog().toAbsolutePath().toString());
  }

  /**
   * Quarry's own classes and libraries: this JVM's classpath, which is quarry.jar under {@code java
   * -jar} (the code location alone is not: under a test runner it is the unshaded jar).
   */
  private static String classPath() {
    return System.getProperty("java.class.path");
  }

  public static ServerKind kind(String name) {
    try {
      return ServerKind.valueOf(name);
    } catch (IllegalArgumentException e) {
      throw QuarryException.user(
          ErrorCode.OPTION_INVALID,
          "unknown sandbox server '"
              + name
              + "'; valid: "
              + String.join(", ", Stream.of(ServerKind.values()).map(Enum::name).toList()));
    }
  }

  private static void stopProcess(long pid) {
    ServerProcess.stop(pid);
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
      if (System.nanoTime() > deadline) {
        throw QuarryException.external(
            ErrorCode.SERVER_FAILED, "process " + pid + " did not stop; kill it by hand", null);
      }
      ServerProcess.sleep(Duration.ofMillis(100));
    }
  }

  /**
   * moto_server's location, checked before starting so a missing install gets a clear message:
   * {@code $QUARRY_MOTO_SERVER}, else {@code moto_server} on PATH.
   */
  private static void requireMotoExecutable() {
    String configured = System.getenv("QUARRY_MOTO_SERVER");
    if (configured != null && !configured.isBlank()) {
      Path path = Path.of(configured);
      if (path.getNameCount() > 1 && !Files.isExecutable(path)) {
        throw QuarryException.user(
            ErrorCode.TOOL_MISSING, "QUARRY_MOTO_SERVER=" + configured + " is not an executable");
      }
      return;
    }
    String pathVariable = System.getenv().getOrDefault("PATH", "");
    for (String entry : pathVariable.split(File.pathSeparator)) {
      if (!entry.isEmpty() && Files.isExecutable(Path.of(entry, "moto_server"))) {
        return;
      }
    }
    throw QuarryException.user(
        ErrorCode.TOOL_MISSING,
        "moto_server is not on PATH; install it with \"pip install 'moto[server]'\" or set"
            + " QUARRY_MOTO_SERVER to its location");
  }

  private static void createDirectories(Path dir) {
    try {
      StateDirectory.createPrivateDirectories(dir);
    } catch (IOException e) {
      throw StorageErrors.of(
          "cannot create the sandbox directory", dir, e, "or give --state-dir another place");
    }
  }
}
