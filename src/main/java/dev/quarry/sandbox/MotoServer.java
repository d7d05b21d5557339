package dev.quarry.sandbox;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code moto_server} (moto 5), in memory, on loopback: faithful Glacier semantics (restores,
 * archive-tier errors) and Athena's API with canned results; no S3 Control jobs.
 */
public final class MotoServer implements LocalS3Server {
  private final long pid;
  private final int port;

  private MotoServer(long pid, int port) {
    this.pid = pid;
    this.port = port;
  }

  /**
   * Starts {@code moto_server} (found on PATH, or {@code $QUARRY_MOTO_SERVER}) and waits for it.
   */
  public static MotoServer start(Path log) {
    return ServerProcess.retryingTakenPorts(() -> startOnce(log));
  }

  private static MotoServer startOnce(Path log) {
    int port = ServerProcess.freePort();
    String executable = System.getenv().getOrDefault("QUARRY_MOTO_SERVER", "moto_server");
    Process process =
        ServerProcess.start(
            List.of(executable, "-H", "127.0.0.1", "-p", Integer.toString(port)), Map.of(), log);
    ServerProcess.awaitHttp(
        process,
        URI.create("http://127.0.0.1:" + port + "/moto-api/"),
        Duration.ofSeconds(60),
        log);
    return new MotoServer(process.pid(), port);
  }

  static MotoServer attach(long pid, int port) {
    return new MotoServer(pid, port);
  }

  @Override
  public String kind() {
    return "moto";
  }

  @Override
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  @Override
  public long pid() {
    return pid;
  }

  @Override
  public List<Listener> listeners() {
    return List.of(new Listener("127.0.0.1", port, "S3, KMS and Athena APIs (loopback only)"));
  }

  @Override
  public List<String> knownGaps() {
    return List.of(
        "in memory: stopping it loses every bucket",
        "no S3 Control (Batch Operations) API",
        "cannot list keys with control characters such as U+0001",
        "GetObjectTagging on a GLACIER/DEEP_ARCHIVE object fails with InvalidObjectState (S3"
            + " allows it)");
  }

  @Override
  public void stop() {
    ServerProcess.stop(pid);
  }
}
