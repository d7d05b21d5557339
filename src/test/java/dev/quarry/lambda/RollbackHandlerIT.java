package dev.quarry.lambda;

import static dev.quarry.lambda.LambdaFixtures.deleteAndGetMarker;
import static dev.quarry.lambda.LambdaFixtures.event;
import static dev.quarry.lambda.LambdaFixtures.invoke;
import static dev.quarry.lambda.LambdaFixtures.markerCount;
import static dev.quarry.lambda.LambdaFixtures.put;
import static dev.quarry.lambda.LambdaFixtures.read;
import static dev.quarry.lambda.LambdaFixtures.results;
import static dev.quarry.lambda.LambdaFixtures.task;
import static dev.quarry.lambda.LambdaFixtures.versionIds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.config.S3Clients;
import dev.quarry.lambda.LambdaFixtures.WireTask;
import dev.quarry.sandbox.LocalS3Server;
import dev.quarry.testing.S3Servers;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The rollback Lambda's handler fed schema 2.0 events as JSON text, against real versioned buckets
 * on S3Mock and moto.
 */
class RollbackHandlerIT {
  private static final Map<String, String> ROLLBACK = Map.of("action", "rollback-deletes");

  static Stream<LocalS3Server> servers() {
    return Stream.of(S3Servers.s3mock(), S3Servers.moto());
  }

  @ParameterizedTest(autoCloseArguments = false) // the servers are shared by the whole test JVM
  @MethodSource("servers")
  void removesADeleteMarkerSoThePreviousVersionIsCurrentAgain(LocalS3Server server) {
    // given a deleted key, and a longer key its prefix also matches
    S3Client s3 = S3Servers.client(server);
    String bucket = S3Servers.createVersionedBucket(s3, "lambda");
    String previous = put(s3, bucket, "photos/a.jpg", "picture");
    put(s3, bucket, "photos/a.jpg.bak", "backup");
    String marker = deleteAndGetMarker(s3, bucket, "photos/a.jpg");

    // when
    JsonNode response =
        invoke(
            new RollbackHandler(s3),
            event(ROLLBACK, task("dGFza2lkZ29lc2hlcmUK", bucket, "photos/a.jpg", marker)));

    // then the response echoes the invocation and answers the task
    assertThat(response.get("invocationSchemaVersion").asText()).isEqualTo("2.0");
    assertThat(response.get("invocationId").asText())
        .isEqualTo("YXNkbGZqYWRmaiBhc2RmdW9hZHNmZGpmaGFzbGtkaGZza2RmaAo");
    assertThat(response.get("treatMissingKeysAs").asText()).isEqualTo("PermanentFailure");
    assertThat(results(response))
        .containsExactly(entry("dGFza2lkZ29lc2hlcmUK", "Succeeded: delete marker removed"));
    // and the previous version is current again, the other key untouched
    assertThat(read(s3, bucket, "photos/a.jpg")).isEqualTo("picture");
    assertThat(versionIds(s3, bucket, "photos/a.jpg")).containsExactly(previous);
    assertThat(markerCount(s3, bucket, "photos/a.jpg")).isZero();
    assertThat(read(s3, bucket, "photos/a.jpg.bak")).isEqualTo("backup");
  }

  @ParameterizedTest(autoCloseArguments = false)
  @MethodSource("servers")
  void aVersionThatIsNotADeleteMarkerSurvivesAndFailsPermanently(LocalS3Server server) {
    // given
    S3Client s3 = S3Servers.client(server);
    String bucket = S3Servers.createVersionedBucket(s3, "lambda");
    String older = put(s3, bucket, "docs/x.txt", "one");
    String current = put(s3, bucket, "docs/x.txt", "two");

    // when
    JsonNode response =
        invoke(new RollbackHandler(s3), event(ROLLBACK, task("t1", bucket, "docs/x.txt", older)));

    // then
    assertThat(results(response))
        .containsExactly(
            entry(
                "t1",
                "PermanentFailure: NotADeleteMarker: version "
                    + older
                    + " is not a delete marker; nothing deleted"));
    assertThat(versionIds(s3, bucket, "docs/x.txt")).containsExactly(current, older);
  }

  @ParameterizedTest(autoCloseArguments = false)
  @MethodSource("servers")
  void aVersionAlreadyGoneSucceedsAndDeletesNothing(LocalS3Server server) {
    // given a marker removed once already
    S3Client s3 = S3Servers.client(server);
    String bucket = S3Servers.createVersionedBucket(s3, "lambda");
    String previous = put(s3, bucket, "gone.txt", "back");
    String marker = deleteAndGetMarker(s3, bucket, "gone.txt");
    RollbackHandler handler = new RollbackHandler(s3);
    invoke(handler, event(ROLLBACK, task("first", bucket, "gone.txt", marker)));

    // when Batch Operations runs the task again
    JsonNode response = invoke(handler, event(ROLLBACK, task("again", bucket, "gone.txt", marker)));

    // then (S3Mock would delete the current version if asked to delete the gone marker again)
    assertThat(results(response))
        .containsExactly(entry("again", "Succeeded: delete marker already removed"));
    assertThat(versionIds(s3, bucket, "gone.txt")).containsExactly(previous);
    assertThat(read(s3, bucket, "gone.txt")).isEqualTo("back");
  }

  @ParameterizedTest(autoCloseArguments = false)
  @MethodSource("servers")
  void aKeyWithSpacesAndUnicodeIsDecodedFromItsUrlEncoding(LocalS3Server server) {
    // given a key whose manifest spelling is percent-encoded (space %20, '+' %2B, UTF-8 bytes)
    S3Client s3 = S3Servers.client(server);
    String bucket = S3Servers.createVersionedBucket(s3, "lambda");
    String key = "photos/2024 été/Zoë + ☀ plan.jpg";
    put(s3, bucket, key, "sunny");
    String marker = deleteAndGetMarker(s3, bucket, key);
    WireTask wire = task("t-unicode", bucket, key, marker);
    assertThat(wire.s3Key())
        .isEqualTo("photos/2024%20%C3%A9t%C3%A9/Zo%C3%AB%20%2B%20%E2%98%80%20plan.jpg");

    // when
    JsonNode response = invoke(new RollbackHandler(s3), event(ROLLBACK, wire));

    // then
    assertThat(results(response))
        .containsExactly(entry("t-unicode", "Succeeded: delete marker removed"));
    assertThat(read(s3, bucket, key)).isEqualTo("sunny");
  }

  @ParameterizedTest(autoCloseArguments = false)
  @MethodSource("servers")
  void aPlusThatStandsForASpaceIsFoundByTheExactVersion(LocalS3Server server) {
    // given a form-encoded key ('+' for a space), next to a key literally spelled with '+'
    S3Client s3 = S3Servers.client(server);
    String bucket = S3Servers.createVersionedBucket(s3, "lambda");
    put(s3, bucket, "a b", "spaced");
    put(s3, bucket, "a+b", "plussed");
    String marker = deleteAndGetMarker(s3, bucket, "a b");
    WireTask wire = new WireTask("t-plus", bucket, "a+b", marker);

    // when
    JsonNode response = invoke(new RollbackHandler(s3), event(ROLLBACK, wire));

    // then the marker of "a b" is gone, "a+b" untouched
    assertThat(results(response))
        .containsExactly(entry("t-plus", "Succeeded: delete marker removed"));
    assertThat(read(s3, bucket, "a b")).isEqualTo("spaced");
    assertThat(read(s3, bucket, "a+b")).isEqualTo("plussed");
    assertThat(versionIds(s3, bucket, "a+b")).hasSize(1);
  }

  static Stream<Arguments> wrongJobs() {
    Map<String, String> extra = new HashMap<>(Map.of("action", "rollback-deletes"));
    extra.put("dry-run", "false");
    return Stream.of(
        Arguments.of("2.0", null),
        Arguments.of("2.0", Map.of()),
        Arguments.of("2.0", Map.of("action", "delete-everything")),
        Arguments.of("2.0", Map.of("Action", "rollback-deletes")),
        Arguments.of("2.0", extra),
        Arguments.of("1.0", Map.of("action", "rollback-deletes")));
  }

  @ParameterizedTest
  @MethodSource("wrongJobs")
  void aJobWithOtherUserArgumentsFailsEveryTaskAndDeletesNothing(
      String schemaVersion, Map<String, String> userArguments) {
    // given two markers
    S3Client s3 = S3Servers.client(S3Servers.moto());
    String bucket = S3Servers.createVersionedBucket(s3, "lambda");
    put(s3, bucket, "k1", "v1");
    put(s3, bucket, "k2", "v2");
    String marker1 = deleteAndGetMarker(s3, bucket, "k1");
    String marker2 = deleteAndGetMarker(s3, bucket, "k2");

    // when
    JsonNode response =
        invoke(
            new RollbackHandler(s3),
            event(
                schemaVersion,
                userArguments,
                task("t1", bucket, "k1", marker1),
                task("t2", bucket, "k2", marker2)));

    // then
    assertThat(results(response)).containsOnlyKeys("t1", "t2");
    assertThat(results(response).values())
        .allSatisfy(
            result ->
                assertThat(result)
                    .startsWith("PermanentFailure: WrongJob: ")
                    .contains("UserArguments {action: rollback-deletes}")
                    .endsWith("nothing deleted"));
    assertThat(markerCount(s3, bucket, "k1")).isOne();
    assertThat(markerCount(s3, bucket, "k2")).isOne();
  }

  @ParameterizedTest(autoCloseArguments = false)
  @MethodSource("servers")
  void aMixedBatchAnswersEachTaskByItsId(LocalS3Server server) {
    // given a marker, a real version, a gone version, a task without version, a missing bucket
    S3Client s3 = S3Servers.client(server);
    String bucket = S3Servers.createVersionedBucket(s3, "lambda");
    put(s3, bucket, "m", "back");
    String marker = deleteAndGetMarker(s3, bucket, "m");
    String real = put(s3, bucket, "r", "real");

    // when
    JsonNode response =
        invoke(
            new RollbackHandler(s3),
            event(
                ROLLBACK,
                task("t-marker", bucket, "m", marker),
                task("t-real", bucket, "r", real),
                task("t-gone", bucket, "nothing-here", "3sL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY"),
                task("t-noversion", bucket, "m", null),
                task("t-nobucket", S3Servers.newBucketName("never-made"), "m", marker)));

    // then one result per task, in order, under its own task id
    Map<String, String> results = results(response);
    assertThat(results.keySet())
        .containsExactly("t-marker", "t-real", "t-gone", "t-noversion", "t-nobucket");
    assertThat(results.get("t-marker")).isEqualTo("Succeeded: delete marker removed");
    assertThat(results.get("t-real")).startsWith("PermanentFailure: NotADeleteMarker: ");
    assertThat(results.get("t-gone")).isEqualTo("Succeeded: delete marker already removed");
    assertThat(results.get("t-noversion")).startsWith("PermanentFailure: MissingVersionId: ");
    assertThat(results.get("t-nobucket")).startsWith("PermanentFailure: NoSuchBucket: ");
    assertThat(read(s3, bucket, "m")).isEqualTo("back");
    assertThat(versionIds(s3, bucket, "r")).containsExactly(real);
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
        invoke(new RollbackHandler(s3), event(ROLLBACK, task("t1", "some-bucket", "k", "v1")));

    // then
    assertThat(results(response).get("t1")).startsWith("TemporaryFailure: ");
  }
}
