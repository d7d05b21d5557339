package dev.quarry.sandbox;

import dev.quarry.io.AtomicFiles;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * moto's server (moto 5), in memory, on 127.0.0.1 only, behind a guard that refuses foreign {@code
 * Host} headers and requests from web pages ({@code Origin}), with moto's allow-all CORS off:
 * faithful Glacier semantics (restores, archive-tier errors) and Athena's API with canned results;
 * no S3 Control jobs. It checks no signature (moto's IAM mode accepts only keys moto itself
 * issued).
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
    Path launcher = log.toAbsolutePath().getParent().resolve("moto_guarded.py");
    writeLauncher(launcher);
    List<String> command = new ArrayList<>(python());
    command.add(launcher.toString());
    command.add(Integer.toString(port));
    Process process = ServerProcess.start(command, Map.of(), log);
    ServerProcess.awaitHttp(
        process,
        URI.create("http://127.0.0.1:" + port + "/moto-api/"),
        Duration.ofSeconds(60),
        log);
    return new MotoServer(process.pid(), port);
  }

  /**
   * moto_server's own script cannot be told to check {@code Host} or {@code Origin}, nor to turn
   * off its allow-all CORS, so the sandbox runs moto's server app from a launcher of its own
   * ({@code moto_guarded.py}, a resource of Quarry) with the Python that has moto.
   */
  private static void writeLauncher(Path launcher) {
    try (InputStream in = MotoServer.class.getResourceAsStream("guard/moto_guarded.py")) {
      if (in == null) {
        throw new IllegalStateException("resource guard/moto_guarded.py is missing");
      }
      AtomicFiles.write(launcher, in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + launcher, e);
    }
  }

  /**
   * The Python that has moto: {@code $QUARRY_MOTO_PYTHON}; else the interpreter named in the first
   * line of the {@code moto_server} script ({@code $QUARRY_MOTO_SERVER}, else on PATH) when pip
   * wrote one there; else {@code python3} (as behind a pyenv shim, which is a shell script).
   */
  static List<String> python() {
    String configured = System.getenv("QUARRY_MOTO_PYTHON");
    if (configured != null && !configured.isBlank()) {
      return List.of(configured);
    }
    return motoServerScript().flatMap(MotoServer::interpreter).orElse(List.of("python3"));
  }

  private static Optional<Path> motoServerScript() {
    String configured = System.getenv("QUARRY_MOTO_SERVER");
    if (configured != null && !configured.isBlank()) {
      return Optional.of(Path.of(configured)).filter(Files::isRegularFile);
    }
    for (String entry : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!entry.isEmpty() && Files.isExecutable(Path.of(entry, "moto_server"))) {
        return Optional.of(Path.of(entry, "moto_server"));
      }
    }
    return Optional.empty();
  }

  private static Optional<List<String>> interpreter(Path script) {
    try (BufferedReader reader = Files.newBufferedReader(script, StandardCharsets.ISO_8859_1)) {
      String first = reader.readLine();
      if (first == null || !first.startsWith("#!") || !first.contains("python")) {
        return Optional.empty();
      }
      return Optional.of(List.of(first.substring(2).trim().split("\\s+")));
    } catch (IOException e) {
      return Optional.empty();
    }
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
        "cannot list keys with control characters such as U+0001");
  }

  @Override
  public void stop() {
    ServerProcess.stop(pid);
  }
}
