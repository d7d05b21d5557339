package dev.quarry.sandbox;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.quarry.io.AtomicFiles;
import dev.quarry.sandbox.LocalS3Server.Listener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * What {@code quarry sandbox up} left behind: the server's process and endpoints, persisted as
 * {@code <sandboxDir>/state.json} so that later commands (other JVMs) find the server.
 *
 * @param kind {@code s3mock} or {@code moto}
 * @param processStart when the OS says the process started, if it says; tells our server apart from
 *     an unrelated process that got the same pid after ours ended (null when unknown)
 * @param storeRoot where the server keeps objects; null for a server that keeps them in memory
 * @param log the server's output
 * @param control the S3 Control endpoint's process, null when none was started (an older state)
 * @param credentials the key this sandbox hands out: its S3 Control endpoint accepts only requests
 *     signed with it, and Quarry's commands sign with it; null in an older state
 */
public record SandboxState(
    String kind,
    long pid,
    Instant processStart,
    URI endpoint,
    List<Listener> listeners,
    Instant startedAt,
    String storeRoot,
    String log,
    Control control,
    Credentials credentials) {
  static final String FILE_NAME = "state.json";

  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(SerializationFeature.INDENT_OUTPUT);

  /** Start instants from /proc have a resolution of a clock tick; allow for rounding. */
  private static final Duration START_TOLERANCE = Duration.ofSeconds(1);

  public SandboxState {
    requireNonNull(kind, "kind is null");
    requireNonNull(endpoint, "endpoint is null");
    listeners = List.copyOf(requireNonNull(listeners, "listeners is null"));
    requireNonNull(startedAt, "startedAt is null");
    requireNonNull(log, "log is null");
  }

  /** The state of a server just started. */
  public static SandboxState of(LocalS3Server server, Optional<Path> storeRoot, Path log) {
    Instant processStart =
        ProcessHandle.of(server.pid()).flatMap(h -> h.info().startInstant()).orElse(null);
    return new SandboxState(
        server.kind(),
        server.pid(),
        processStart,
        server.endpoint(),
        server.listeners(),
        Instant.now(),
        storeRoot.map(p -> p.toAbsolutePath().toString()).orElse(null),
        log.toAbsolutePath().toString(),
        null,
        null);
  }

  /**
   * A sandbox's access key and secret, random for each {@code sandbox up}: the state file that
   * holds them is the user's alone (0600 in a 0700 directory).
   */
  public record Credentials(String accessKeyId, String secretAccessKey) {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] KEY_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

    public Credentials {
      requireNonNull(accessKeyId, "accessKeyId is null");
      requireNonNull(secretAccessKey, "secretAccessKey is null");
    }

    /** A new key, shaped like AWS's (20 characters, 40 for the secret). */
    public static Credentials random() {
      StringBuilder id = new StringBuilder("QSBX");
      for (int i = 0; i < 16; i++) {
        id.append(KEY_CHARS[RANDOM.nextInt(KEY_CHARS.length)]);
      }
      byte[] secret = new byte[30];
      RANDOM.nextBytes(secret);
      return new Credentials(id.toString(), Base64.getEncoder().encodeToString(secret));
    }

    @Override
    public String toString() {
      return "Credentials[" + accessKeyId + ", ****]";
    }
  }

  public Optional<Credentials> sandboxCredentials() {
    return Optional.ofNullable(credentials);
  }

  /** This state with the key the sandbox hands out. */
  public SandboxState withCredentials(Credentials next) {
    return new SandboxState(
        kind, pid, processStart, endpoint, listeners, startedAt, storeRoot, log, control, next);
  }

  /**
   * The sandbox's S3 Control endpoint ({@code dev.quarry.sandbox.control.S3ControlEndpoint}), a
   * process of its own running Batch Operations jobs against the S3 server.
   *
   * @param processStart as for the S3 server: tells our process apart from a reused pid
   */
  public record Control(long pid, Instant processStart, URI endpoint, String log) {
    public Control {
      requireNonNull(endpoint, "endpoint is null");
      requireNonNull(log, "log is null");
    }

    /** Whether our endpoint's process is alive (not merely some process with the same pid). */
    public boolean processAlive() {
      return ProcessHandle.of(pid)
          .filter(ProcessHandle::isAlive)
          .filter(h -> sameStart(h, processStart))
          .isPresent();
    }

    public boolean running() {
      return processAlive() && ServerProcess.answersWithin(endpoint);
    }
  }

  /** This state with the S3 Control endpoint's process. */
  public SandboxState withControl(Control next) {
    return new SandboxState(
        kind, pid, processStart, endpoint, listeners, startedAt, storeRoot, log, next, credentials);
  }

  public Optional<Control> controlProcess() {
    return Optional.ofNullable(control);
  }

  public static Path file(Path sandboxDir) {
    return sandboxDir.resolve(FILE_NAME);
  }

  /** The S3 endpoint of the sandbox whose state is in {@code sandboxDir}, if it is running. */
  public static Optional<URI> runningEndpoint(Path sandboxDir) {
    return read(sandboxDir).filter(SandboxState::running).map(SandboxState::endpoint);
  }

  /**
   * The state in {@code sandboxDir}; empty when there is none or it cannot be read (a state file
   * from an older or broken write is treated as no sandbox, and {@code up} replaces it).
   */
  public static Optional<SandboxState> read(Path sandboxDir) {
    Path file = file(sandboxDir);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(MAPPER.readValue(file.toFile(), SandboxState.class));
    } catch (IOException | RuntimeException unreadable) {
      return Optional.empty();
    }
  }

  /** Writes the state atomically: a reader sees the old file or the new one, never half of one. */
  public void write(Path sandboxDir) {
    AtomicFiles.writeJson(file(sandboxDir), this);
  }

  public static void delete(Path sandboxDir) {
    try {
      Files.deleteIfExists(file(sandboxDir));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + file(sandboxDir), e);
    }
  }

  /** Whether our server's process is alive (not merely some process with the same pid). */
  public boolean processAlive() {
    return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(this::isOurs).isPresent();
  }

  /** Whether the pid now belongs to a different process than the one we started. */
  public boolean pidReused() {
    return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(h -> !isOurs(h)).isPresent();
  }

  /** Alive and answering HTTP at its endpoint. */
  public boolean running() {
    return processAlive() && ServerProcess.answersWithin(endpoint);
  }

  public Optional<Path> store() {
    return Optional.ofNullable(storeRoot).map(Path::of);
  }

  public Duration uptime(Instant now) {
    return Duration.between(startedAt, now);
  }

  private boolean isOurs(ProcessHandle handle) {
    return sameStart(handle, processStart);
  }

  private static boolean sameStart(ProcessHandle handle, Instant processStart) {
    if (processStart == null) {
      return true;
    }
    return handle
        .info()
        .startInstant()
        .map(s -> Duration.between(s, processStart).abs().compareTo(START_TOLERANCE) <= 0)
        .orElse(true);
  }
}
