package dev.quarry.lambda;

import static dev.quarry.lambda.LambdaFixtures.event;
import static dev.quarry.lambda.LambdaFixtures.invoke;
import static dev.quarry.lambda.LambdaFixtures.markerCount;
import static dev.quarry.lambda.LambdaFixtures.put;
import static dev.quarry.lambda.LambdaFixtures.read;
import static dev.quarry.lambda.LambdaFixtures.results;
import static dev.quarry.lambda.LambdaFixtures.task;
import static dev.quarry.lambda.LambdaFixtures.versionIds;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.config.S3Clients;
import dev.quarry.sandbox.LocalS3Server;
import dev.quarry.testing.S3Servers;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;

/**
 * The rollback Lambda dispatching a hide-keys job (UserArguments {@code {action: hide-keys}}):
 * schema 2.0 events as JSON text against real versioned buckets on S3Mock and moto.
 */
class HideKeysHandlerIT {
  private static final Map<String, String> HIDE = Map.of("action", "hide-keys");

  static Stream<LocalS3Server> servers() {
    return Stream.of(S3Servers.s3mock(), S3Servers.moto());
  }

  @ParameterizedTest(autoCloseArguments = false) // the servers are shared by the whole test JVM
  @MethodSource("servers")
  void hidesEachKeyStillAtItsPlannedVersionAndRefusesTheRest(LocalS3Server server) {
    // given a key created after T, one overwritten since the plan, a key of a suspended bucket
    S3Client s3 = S3Servers.client(server);
    String bucket = S3Servers.createVersionedBucket(s3, "lambda");
    String created = put(s3, bucket, "photos/a b+c.jpg", "new");
    String planned = put(s3, bucket, "docs/x.txt", "one");
    String newer = put(s3, bucket, "docs/x.txt", "two");
    String suspended = S3Servers.createVersionedBucket(s3, "lambda");
    s3.putBucketVersioning(
        b ->
            b.bucket(suspended)
                .versioningConfiguration(v -> v.status(BucketVersioningStatus.SUSPENDED)));
    put(s3, suspended, "k", "null version");

    // when
    JsonNode response =
        invoke(
            new RollbackHandler(s3),
            event(
                HIDE,
                task("t-created", bucket, "photos/a b+c.jpg", created),
                task("t-changed", bucket, "docs/x.txt", planned),
                task("t-suspended", suspended, "k", "null")));

    // then the created key is hidden by one marker, whose id the result gives
    Map<String, String> results = results(response);
    assertThat(results.keySet()).containsExactly("t-created", "t-changed", "t-suspended");
    assertThat(markerCount(s3, bucket, "photos/a b+c.jpg")).isOne();
    String marker =
        s3.listObjectVersions(b -> b.bucket(bucket).prefix("photos/")).deleteMarkers().stream()
            .filter(m -> m.isLatest())
            .findFirst()
            .orElseThrow()
            .versionId();
    assertThat(results.get("t-created")).isEqualTo("Succeeded: delete marker added: " + marker);
    assertThat(versionIds(s3, bucket, "photos/a b+c.jpg")).containsExactly(created);
    // and nothing was done to the others
    assertThat(results.get("t-changed")).startsWith("PermanentFailure: ChangedSincePlan: ");
    assertThat(markerCount(s3, bucket, "docs/x.txt")).isZero();
    assertThat(versionIds(s3, bucket, "docs/x.txt")).containsExactly(newer, planned);
    assertThat(results.get("t-suspended")).startsWith("PermanentFailure: VersioningNotEnabled: ");
    assertThat(read(s3, suspended, "k")).isEqualTo("null version");
    assertThat(markerCount(s3, suspended, "k")).isZero();
  }

  @Test
  void noAnswerFromS3IsATemporaryFailureSoBatchOperationsRetries() throws IOException {
    // given an endpoint where nothing listens
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    S3Client s3 =
        S3Clients.create(
            S3Servers.config(URI.create("http://127.0.0.1:" + port), Path.of("unused")), 1);

    // when
    JsonNode response =
        invoke(new RollbackHandler(s3), event(HIDE, task("t1", "some-bucket", "k", "v1")));

    // then
    assertThat(results(response).get("t1")).startsWith("TemporaryFailure: ");
  }
}
