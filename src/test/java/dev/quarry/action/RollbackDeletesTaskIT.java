package dev.quarry.action;

import static dev.quarry.action.ActionTaskFixtures.markerOf;
import static dev.quarry.action.ActionTaskFixtures.put;
import static dev.quarry.action.ActionTaskFixtures.read;
import static dev.quarry.action.ActionTaskFixtures.row;
import static dev.quarry.action.ActionTaskFixtures.versionIds;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.action.TaskOutcome.Status;
import dev.quarry.sandbox.LocalS3Server;
import dev.quarry.testing.S3Servers;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.s3.S3Client;

/** rollback-deletes against S3Mock and moto, which tell delete markers apart differently. */
class RollbackDeletesTaskIT {
  static Stream<LocalS3Server> servers() {
    return Stream.of(S3Servers.s3mock(), S3Servers.moto());
  }

  @ParameterizedTest(autoCloseArguments = false) // the servers are shared by the whole test JVM
  @MethodSource("servers")
  void removesADeleteMarkerSoThePreviousVersionIsCurrentAgain(LocalS3Server server) {
    // given a deleted key, and a longer key its prefix also matches
    S3Client s3 = S3Servers.client(server);
    String bucket = S3Servers.createVersionedBucket(s3, "rollback");
    String previous = put(s3, bucket, "photos/a.jpg", "picture");
    put(s3, bucket, "photos/a.jpg.bak", "backup");
    s3.deleteObject(b -> b.bucket(bucket).key("photos/a.jpg"));
    String marker = markerOf(s3, bucket, "photos/a.jpg");

    // when
    TaskOutcome outcome = task(s3).run(row(bucket, "photos/a.jpg", marker));

    // then
    assertThat(outcome).isEqualTo(TaskOutcome.succeeded("delete marker removed"));
    assertThat(read(s3, bucket, "photos/a.jpg")).isEqualTo("picture");
    assertThat(versionIds(s3, bucket, "photos/a.jpg")).containsExactly(previous);
    assertThat(s3.listObjectVersions(b -> b.bucket(bucket)).deleteMarkers()).isEmpty();
    assertThat(read(s3, bucket, "photos/a.jpg.bak")).isEqualTo("backup");
  }

  @ParameterizedTest(autoCloseArguments = false)
  @MethodSource("servers")
  void aVersionThatIsNotADeleteMarkerIsNeverDeleted(LocalS3Server server) {
    // given
    S3Client s3 = S3Servers.client(server);
    String bucket = S3Servers.createVersionedBucket(s3, "rollback");
    String older = put(s3, bucket, "docs/x.txt", "one");
    String current = put(s3, bucket, "docs/x.txt", "two");

    // when
    TaskOutcome outcome = task(s3).run(row(bucket, "docs/x.txt", older));

    // then
    assertThat(outcome.status()).isEqualTo(Status.FAILED);
    assertThat(outcome.errorCode()).isEqualTo("NotADeleteMarker");
    assertThat(outcome.httpStatus()).isEqualTo(400);
    assertThat(outcome.message()).contains(older).contains("nothing deleted");
    assertThat(versionIds(s3, bucket, "docs/x.txt")).containsExactly(current, older);
  }

  @ParameterizedTest(autoCloseArguments = false)
  @MethodSource("servers")
  void aMarkerAlreadyRemovedCountsAsDoneAndDeletesNothing(LocalS3Server server) {
    // given a marker removed once already
    S3Client s3 = S3Servers.client(server);
    String bucket = S3Servers.createVersionedBucket(s3, "rollback");
    String previous = put(s3, bucket, "gone.txt", "back");
    s3.deleteObject(b -> b.bucket(bucket).key("gone.txt"));
    String marker = markerOf(s3, bucket, "gone.txt");
    LocalTask task = task(s3);
    task.run(row(bucket, "gone.txt", marker));

    // when the same row runs again
    TaskOutcome outcome = task.run(row(bucket, "gone.txt", marker));

    // then (S3Mock would delete the current version if asked to delete the gone marker again)
    assertThat(outcome).isEqualTo(TaskOutcome.succeeded("delete marker already removed"));
    assertThat(versionIds(s3, bucket, "gone.txt")).containsExactly(previous);
    assertThat(read(s3, bucket, "gone.txt")).isEqualTo("back");
  }

  @ParameterizedTest(autoCloseArguments = false)
  @MethodSource("servers")
  void aRowWithoutVersionIdFailsAndDeletesNothing(LocalS3Server server) {
    // given
    S3Client s3 = S3Servers.client(server);
    String bucket = S3Servers.createVersionedBucket(s3, "rollback");
    put(s3, bucket, "k", "v");
    s3.deleteObject(b -> b.bucket(bucket).key("k"));
    String marker = markerOf(s3, bucket, "k");

    // when
    TaskOutcome outcome = task(s3).run(row(bucket, "k", null));

    // then
    assertThat(outcome.status()).isEqualTo(Status.FAILED);
    assertThat(outcome.errorCode()).isEqualTo("MissingVersionId");
    assertThat(markerOf(s3, bucket, "k")).isEqualTo(marker);
    assertThat(versionIds(s3, bucket, "k")).hasSize(1);
  }

  @ParameterizedTest(autoCloseArguments = false)
  @MethodSource("servers")
  void theNullVersionAndABlankVersionIdAreRefusedAndNothingIsDeleted(LocalS3Server server) {
    // given a deleted key (neither S3Mock nor moto makes null-version markers when versioning is
    // suspended, so the refusal is shown on a key that has a real marker)
    S3Client s3 = S3Servers.client(server);
    String bucket = S3Servers.createVersionedBucket(s3, "rollback");
    String kept = put(s3, bucket, "k", "v");
    s3.deleteObject(b -> b.bucket(bucket).key("k"));
    String marker = markerOf(s3, bucket, "k");

    // when
    TaskOutcome nullVersion = task(s3).run(row(bucket, "k", "null"));
    TaskOutcome blank = task(s3).run(row(bucket, "k", " "));

    // then
    assertThat(nullVersion.errorCode()).isEqualTo("NullVersionNotSupported");
    assertThat(nullVersion.message()).contains("nothing deleted");
    assertThat(blank.errorCode()).isEqualTo("MissingVersionId");
    assertThat(markerOf(s3, bucket, "k")).isEqualTo(marker);
    assertThat(versionIds(s3, bucket, "k")).containsExactly(kept);
  }

  @ParameterizedTest(autoCloseArguments = false)
  @MethodSource("servers")
  void aMissingBucketIsAFailureNotAnAlreadyRemovedMarker(LocalS3Server server) {
    // given
    S3Client s3 = S3Servers.client(server);
    String bucket = S3Servers.newBucketName("never-made");

    // when
    TaskOutcome outcome = task(s3).run(row(bucket, "k", "3sL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY"));

    // then
    assertThat(outcome.status()).isEqualTo(Status.FAILED);
    assertThat(outcome.errorCode()).isEqualTo("NoSuchBucket");
    assertThat(outcome.httpStatus()).isEqualTo(404);
  }

  private static LocalTask task(S3Client s3) {
    return new RollbackDeletesAction(null).localTask(s3);
  }
}
