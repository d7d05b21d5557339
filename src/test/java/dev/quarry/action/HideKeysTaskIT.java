package dev.quarry.action;

import static dev.quarry.action.ActionTaskFixtures.markerOf;
import static dev.quarry.action.ActionTaskFixtures.put;
import static dev.quarry.action.ActionTaskFixtures.read;
import static dev.quarry.action.ActionTaskFixtures.row;
import static dev.quarry.action.ActionTaskFixtures.versionIds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.sandbox.LocalS3Server;
import dev.quarry.testing.S3Servers;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** hide-keys against S3Mock and moto: a marker on top, or nothing at all. */
class HideKeysTaskIT {
  static Stream<LocalS3Server> servers() {
    return Stream.of(S3Servers.s3mock(), S3Servers.moto());
  }

  @ParameterizedTest(autoCloseArguments = false) // the servers are shared by the whole test JVM
  @MethodSource("servers")
  void addsADeleteMarkerOnTopAndReportsItsVersionId(LocalS3Server server) {
    // given a key created after T, and a longer key its prefix also matches
    S3Client s3 = S3Servers.client(server);
    String bucket = S3Servers.createVersionedBucket(s3, "hide");
    String created = put(s3, bucket, "photos/new.jpg", "new");
    put(s3, bucket, "photos/new.jpg.bak", "backup");

    // when
    TaskOutcome outcome = task(s3).run(row(bucket, "photos/new.jpg", created));

    // then the key reads as deleted, its version is kept, and the message names the new marker
    String marker = markerOf(s3, bucket, "photos/new.jpg");
    assertThat(outcome).isEqualTo(TaskOutcome.succeeded("delete marker added: " + marker));
    assertThat(marker).isNotEqualTo(created);
    assertThatThrownBy(() -> read(s3, bucket, "photos/new.jpg"))
        .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(404));
    assertThat(versionIds(s3, bucket, "photos/new.jpg")).containsExactly(created);
    assertThat(read(s3, bucket, "photos/new.jpg.bak")).isEqualTo("backup");
  }

  @ParameterizedTest(autoCloseArguments = false)
  @MethodSource("servers")
  void aRowRunTwiceAddsOneMarker(LocalS3Server server) {
    // given a key hidden once already
    S3Client s3 = S3Servers.client(server);
    String bucket = S3Servers.createVersionedBucket(s3, "hide");
    String created = put(s3, bucket, "k", "v");
    LocalTask task = task(s3);
    TaskOutcome first = task.run(row(bucket, "k", created));

    // when the same row runs again
    TaskOutcome again = task.run(row(bucket, "k", created));

    // then
    String marker = markerOf(s3, bucket, "k");
    assertThat(first.message()).isEqualTo("delete marker added: " + marker);
    assertThat(again)
        .isEqualTo(TaskOutcome.succeeded("already hidden by delete marker: " + marker));
    assertThat(s3.listObjectVersions(b -> b.bucket(bucket)).deleteMarkers()).hasSize(1);
    assertThat(versionIds(s3, bucket, "k")).containsExactly(created);
  }

  @ParameterizedTest(autoCloseArguments = false)
  @MethodSource("servers")
  void aKeyChangedSinceThePlanIsLeftAlone(LocalS3Server server) {
    // given a key overwritten after the plan saw its version
    S3Client s3 = S3Servers.client(server);
    String bucket = S3Servers.createVersionedBucket(s3, "hide");
    String planned = put(s3, bucket, "docs/x.txt", "one");
    String newer = put(s3, bucket, "docs/x.txt", "two");

    // when
    TaskOutcome outcome = task(s3).run(row(bucket, "docs/x.txt", planned));

    // then
    assertThat(outcome.succeeded()).isFalse();
    assertThat(outcome.errorCode()).isEqualTo("ChangedSincePlan");
    assertThat(outcome.transientFailure()).isFalse();
    assertThat(outcome.message()).contains("changed since the plan").endsWith("nothing done");
    assertThat(s3.listObjectVersions(b -> b.bucket(bucket)).deleteMarkers()).isEmpty();
    assertThat(versionIds(s3, bucket, "docs/x.txt")).containsExactly(newer, planned);
    assertThat(read(s3, bucket, "docs/x.txt")).isEqualTo("two");
  }

  @ParameterizedTest(autoCloseArguments = false)
  @MethodSource("servers")
  void aBucketWithSuspendedVersioningIsRefusedAndItsNullVersionKept(LocalS3Server server) {
    // given a key whose current version is the null version, versioning suspended
    S3Client s3 = S3Servers.client(server);
    String bucket = S3Servers.createVersionedBucket(s3, "hide");
    put(s3, bucket, "k", "versioned");
    s3.putBucketVersioning(
        b ->
            b.bucket(bucket)
                .versioningConfiguration(v -> v.status(BucketVersioningStatus.SUSPENDED)));
    put(s3, bucket, "k", "null version");

    // when
    TaskOutcome outcome = task(s3).run(row(bucket, "k", "null"));

    // then
    assertThat(outcome.succeeded()).isFalse();
    assertThat(outcome.errorCode()).isEqualTo("VersioningNotEnabled");
    assertThat(outcome.message()).contains("Suspended").endsWith("nothing done");
    assertThat(read(s3, bucket, "k")).isEqualTo("null version");
    assertThat(versionIds(s3, bucket, "k")).contains("null");
    assertThat(s3.listObjectVersions(b -> b.bucket(bucket)).deleteMarkers()).isEmpty();
  }

  @ParameterizedTest(autoCloseArguments = false)
  @MethodSource("servers")
  void aRowWithoutVersionIdIsRefused(LocalS3Server server) {
    // given
    S3Client s3 = S3Servers.client(server);
    String bucket = S3Servers.createVersionedBucket(s3, "hide");
    put(s3, bucket, "k", "v");

    // when
    TaskOutcome outcome = task(s3).run(row(bucket, "k", null));

    // then
    assertThat(outcome.errorCode()).isEqualTo("MissingVersionId");
    assertThat(read(s3, bucket, "k")).isEqualTo("v");
  }

  private static LocalTask task(S3Client s3) {
    return new HideKeysAction(null).localTask(s3);
  }
}
