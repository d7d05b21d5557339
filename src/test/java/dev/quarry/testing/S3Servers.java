package dev.quarry.testing;

import dev.quarry.config.QuarryConfig;
import dev.quarry.config.S3Clients;
import dev.quarry.sandbox.LocalS3Server;
import dev.quarry.sandbox.MotoServer;
import dev.quarry.sandbox.S3MockServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;

/**
 * Real S3 servers for tests, started once per test JVM on loopback (S3Mock takes seconds to start)
 * and stopped when the JVM exits. Tests keep out of each other's way with {@link #newBucketName}.
 */
public final class S3Servers {
  private static LocalS3Server s3mock;
  private static LocalS3Server moto;

  private S3Servers() {}

  public static synchronized LocalS3Server s3mock() {
    if (s3mock == null) {
      Path dir = tempDir("quarry-s3mock-");
      s3mock = S3MockServer.start(dir.resolve("store"), dir.resolve("s3mock.log"));
      stopOnExit(s3mock);
    }
    return s3mock;
  }

  public static synchronized LocalS3Server moto() {
    if (moto == null) {
      moto = MotoServer.start(tempDir("quarry-moto-").resolve("moto.log"));
      stopOnExit(moto);
    }
    return moto;
  }

  /** A configuration pointing at {@code server}, with its state under {@code stateDir}. */
  public static QuarryConfig config(LocalS3Server server, Path stateDir) {
    return config(server.endpoint(), stateDir);
  }

  /** A configuration pointing at {@code endpoint}, with its state under {@code stateDir}. */
  public static QuarryConfig config(URI endpoint, Path stateDir) {
    return new QuarryConfig(
        "test",
        stateDir,
        stateDir.resolve("manifests"),
        Optional.of(endpoint),
        "us-east-1",
        Optional.empty(),
        "embedded",
        "local");
  }

  public static S3Client client(LocalS3Server server) {
    return S3Clients.create(config(server, Path.of("unused")), 16);
  }

  /** A bucket name no other test uses: lower case, starting with the given word. */
  public static String newBucketName(String prefix) {
    return (prefix + "-" + UUID.randomUUID().toString().substring(0, 8)).toLowerCase(Locale.ROOT);
  }

  public static String createVersionedBucket(S3Client s3, String prefix) {
    String bucket = newBucketName(prefix);
    s3.createBucket(b -> b.bucket(bucket));
    s3.putBucketVersioning(
        b ->
            b.bucket(bucket)
                .versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
    return bucket;
  }

  public static URI endpoint(LocalS3Server server) {
    return server.endpoint();
  }

  private static void stopOnExit(LocalS3Server server) {
    Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "stop-" + server.kind()));
  }

  private static Path tempDir(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
