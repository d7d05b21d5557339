package dev.quarry.sandbox;

import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.sandbox.guard.S3MockGuard;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Adobe S3Mock's standalone jar as a process, plain HTTP on 127.0.0.1 only. Its extra {@code
 * http.port} connector, which S3Mock always opens on all interfaces and cannot be told otherwise,
 * is bound to loopback by {@link S3MockGuard}, loaded into its process, which also refuses foreign
 * {@code Host} headers and any request from a web page ({@code Origin}). S3Mock checks no
 * signature: any local process that can reach loopback can use it.
 */
public final class S3MockServer implements LocalS3Server {
  /** The KMS key the sandbox accepts for SSE-KMS (S3Mock only accepts keys it was told about). */
  public static final String DEMO_KMS_KEY_ID = "0f9a3c52-6f0e-4d1c-9d89-2d5a7e0b6a01";

  public static final String DEMO_KMS_KEY_ARN =
      "arn:aws:kms:us-east-1:111122223333:key/" + DEMO_KMS_KEY_ID;

  private final long pid;
  private final int port;
  private final int httpPort;

  private S3MockServer(long pid, int port, int httpPort) {
    this.pid = pid;
    this.port = port;
    this.httpPort = httpPort;
  }

  /**
   * Starts S3Mock and waits until it answers.
   *
   * @param storeRoot where S3Mock keeps objects; kept after it stops
   */
  public static S3MockServer start(Path storeRoot, Path log) {
    return start(storeRoot, log, JVM_OPTIONS);
  }

  /**
   * S3Mock's JVM options. C1 code only: measured with the quickstart's requests (thousands of PUTs,
   * HEADs and tagging reads), C2's compilation cost S3Mock 20 to 30 CPU seconds more for no request
   * rate it showed, on two cores (docs/PERFORMANCE.md, section 7).
   */
  public static final List<String> JVM_OPTIONS = List.of("-XX:TieredStopAtLevel=1", "-Xmx512m");

  /** As {@link #start(Path, Path)}, with other JVM options: for benchmarks comparing them. */
  public static S3MockServer start(Path storeRoot, Path log, List<String> jvmOptions) {
    return ServerProcess.retryingTakenPorts(() -> startOnce(storeRoot, log, jvmOptions, true));
  }

  /**
   * As {@link #start(Path, Path)}, but with S3Mock's own {@code BucketStore}, which re-parses the
   * bucket's metadata file on every request: the same-run baseline of benchmarks only.
   */
  public static S3MockServer startWithS3MocksOwnBucketStore(Path storeRoot, Path log) {
    return ServerProcess.retryingTakenPorts(() -> startOnce(storeRoot, log, JVM_OPTIONS, false));
  }

  private static S3MockServer startOnce(
      Path storeRoot, Path log, List<String> jvmOptions, boolean quarryBucketStore) {
    Path jar = locateJar();
    requireShadowedVersion(jar);
    int port = ServerProcess.freePort();
    int httpPort = ServerProcess.freePort();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    // the guard (see S3MockGuard) is put on S3Mock's classpath by Spring Boot's
    // PropertiesLauncher, which also finds S3Mock's main class in its manifest
    Path guard = log.toAbsolutePath().getParent().resolve("s3mock-guard.jar");
    S3MockGuard.writeJar(guard, quarryBucketStore);
    command.add("-Dloader.path=" + guard);
    command.addAll(
        List.of(
            "-cp",
            jar.toString(),
            "org.springframework.boot.loader.launch.PropertiesLauncher",
            "--server.port=" + port,
            "--server.address=127.0.0.1",
            "--server.ssl.enabled=false",
            "--http.port=" + httpPort));
    Map<String, String> environment =
        Map.of(
            "COM_ADOBE_TESTING_S3MOCK_STORE_ROOT",
            storeRoot.toAbsolutePath().toString(),
            "COM_ADOBE_TESTING_S3MOCK_STORE_RETAIN_FILES_ON_EXIT",
            "true",
            "COM_ADOBE_TESTING_S3MOCK_STORE_VALID_KMS_KEYS",
            DEMO_KMS_KEY_ARN);
    Process process = ServerProcess.start(command, environment, log);
    URI probe = URI.create("http://127.0.0.1:" + port + "/favicon.ico");
    ServerProcess.awaitHttp(process, probe, Duration.ofSeconds(90), log);
    return new S3MockServer(process.pid(), port, httpPort);
  }

  /** Re-attaches to a server started by an earlier command. */
  static S3MockServer attach(long pid, int port, int httpPort) {
    return new S3MockServer(pid, port, httpPort);
  }

  /**
   * The standalone jar: {@code -Dquarry.s3mock.jar}, {@code $QUARRY_S3MOCK_JAR}, or {@code
   * sandbox/s3mock.jar} next to quarry.jar (where the build puts it).
   */
  public static Path locateJar() {
    List<Path> candidates = new ArrayList<>();
    Optional.ofNullable(System.getProperty("quarry.s3mock.jar"))
        .map(Path::of)
        .ifPresent(candidates::add);
    Optional.ofNullable(System.getenv("QUARRY_S3MOCK_JAR"))
        .map(Path::of)
        .ifPresent(candidates::add);
    codeLocation().ifPresent(dir -> candidates.add(dir.resolve("sandbox").resolve("s3mock.jar")));
    candidates.add(Path.of("target", "sandbox", "s3mock.jar"));
    return candidates.stream()
        .filter(Files::isRegularFile)
        .findFirst()
        .orElseThrow(
            () ->
                QuarryException.user(
                    ErrorCode.TOOL_MISSING,
                    "S3Mock's standalone jar not found (looked at "
                        + candidates
                        + "); build Quarry with 'mvn package' or set QUARRY_S3MOCK_JAR"));
  }

  /**
   * Refuses an S3Mock jar of another version than the one Quarry's {@code BucketStore} was written
   * for ({@link S3MockGuard#S3MOCK_VERSION}): a silent mismatch would run S3Mock with a store that
   * does not match its other classes.
   */
  static void requireShadowedVersion(Path jar) {
    String version = versionOf(jar);
    if (!S3MockGuard.S3MOCK_VERSION.equals(version)) {
      throw QuarryException.user(
          ErrorCode.TOOL_MISSING,
          "S3Mock's jar "
              + jar
              + " is version "
              + version
              + "; the sandbox's BucketStore (src/s3mock) was written for S3Mock "
              + S3MockGuard.S3MOCK_VERSION
              + ": use that jar, or port the BucketStore and change S3MockGuard.S3MOCK_VERSION");
    }
  }

  private static String versionOf(Path jar) {
    try (JarFile file = new JarFile(jar.toFile())) {
      JarEntry entry = file.getJarEntry(POM_PROPERTIES);
      if (entry == null) {
        return "unknown (no " + POM_PROPERTIES + ")";
      }
      Properties properties = new Properties();
      try (InputStream in = file.getInputStream(entry)) {
        properties.load(in);
      }
      return properties.getProperty("version", "unknown");
    } catch (IOException e) {
      throw QuarryException.user(
          ErrorCode.TOOL_MISSING, "S3Mock's jar " + jar + " cannot be read: " + e.getMessage());
    }
  }

  private static final String POM_PROPERTIES =
      "META-INF/maven/com.adobe.testing/s3mock/pom.properties";

  private static Optional<Path> codeLocation() {
    try {
      Path location =
          Path.of(S3MockServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return Optional.ofNullable(location.getParent());
    } catch (Exception e) {
      return Optional.empty();
    }
  }

  @Override
  public String kind() {
    return "s3mock";
  }

  @Override
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  @Override
  public long pid() {
    return pid;
  }

  int httpPort() {
    return httpPort;
  }

  @Override
  public List<Listener> listeners() {
    return List.of(
        new Listener("127.0.0.1", port, "S3 API (loopback only)"),
        new Listener("127.0.0.1", httpPort, "S3Mock's extra http.port connector (loopback only)"));
  }

  @Override
  public List<String> knownGaps() {
    return List.of(
        "no RestoreObject and no archive-tier errors (use --server moto for restores)",
        "DeleteObject returns the previous version's id, not the marker's",
        "a copy in place in a versioned bucket overwrites instead of adding a version",
        "ListObjectVersions paging loses entries (seen at the default 1000 keys a page): list"
            + " by prefix in pages under 1000",
        "ListObjectsV2 still lists keys whose latest version is a delete marker");
  }

  @Override
  public void stop() {
    ServerProcess.stop(pid);
  }
}
