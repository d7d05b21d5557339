package dev.quarry.action;

import static dev.quarry.action.ActionTaskFixtures.row;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.action.RestoreAction.Archive;
import dev.quarry.action.RestoreAction.Tier;
import dev.quarry.action.TaskOutcome.Status;
import dev.quarry.testing.S3Servers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.StorageClass;

/** restore against moto, which knows archive tiers (S3Mock has no RestoreObject). */
class RestoreTaskIT {
  private static S3Client s3;
  private static String bucket;

  @BeforeAll
  static void bucket() {
    s3 = S3Servers.client(S3Servers.moto());
    bucket = S3Servers.createVersionedBucket(s3, "restore");
  }

  @ParameterizedTest
  @ValueSource(strings = {"GLACIER", "DEEP_ARCHIVE"})
  void initiatesARestoreOfAnArchivedObject(String storageClass) {
    // given
    String key = "cold/" + storageClass + ".bin";
    putIn(key, StorageClass.fromValue(storageClass));
    LocalTask task = new RestoreAction(Archive.GLACIER, 5, Tier.BULK).localTask(s3);

    // when
    TaskOutcome outcome = task.run(row(bucket, key, null));

    // then
    assertThat(outcome).isEqualTo(TaskOutcome.succeeded("restore initiated (tier BULK, 5 days)"));
    assertThat(s3.headObject(b -> b.bucket(bucket).key(key)).restore())
        .contains("ongoing-request=");
  }

  @Test
  void sendsTheRowsVersionId() {
    // given a row naming its version (moto restores the current version whatever the version id
    // says, so only a current version shows the request is well formed)
    String key = "cold/versioned.bin";
    String archived = putIn(key, StorageClass.GLACIER);
    LocalTask task = new RestoreAction(Archive.GLACIER, 1, Tier.STANDARD).localTask(s3);

    // when
    TaskOutcome outcome = task.run(row(bucket, key, archived));

    // then
    assertThat(outcome)
        .isEqualTo(TaskOutcome.succeeded("restore initiated (tier STANDARD, 1 day)"));
    assertThat(s3.headObject(b -> b.bucket(bucket).key(key).versionId(archived)).restore())
        .isNotNull();
  }

  @Test
  void anObjectThatIsNotArchivedFailsWithS3sAnswer() {
    // given
    String key = "warm/standard.txt";
    putIn(key, StorageClass.STANDARD);
    LocalTask task = new RestoreAction(Archive.GLACIER, 5, Tier.BULK).localTask(s3);

    // when
    TaskOutcome outcome = task.run(row(bucket, key, null));

    // then
    assertThat(outcome.status()).isEqualTo(Status.FAILED);
    assertThat(outcome.errorCode()).isEqualTo("InvalidObjectState");
    assertThat(outcome.httpStatus()).isEqualTo(403);
    assertThat(outcome.message()).contains("storage class");
    assertThat(s3.headObject(b -> b.bucket(bucket).key(key)).restore()).isNull();
  }

  @Test
  void aMissingKeyFailsWithNoSuchKey() {
    // given
    LocalTask task = new RestoreAction(Archive.GLACIER, 5, Tier.BULK).localTask(s3);

    // when
    TaskOutcome outcome = task.run(row(bucket, "cold/never-written", null));

    // then
    assertThat(outcome.errorCode()).isEqualTo("NoSuchKey");
    assertThat(outcome.httpStatus()).isEqualTo(404);
  }

  private static String putIn(String key, StorageClass storageClass) {
    return s3.putObject(
            b -> b.bucket(bucket).key(key).storageClass(storageClass),
            RequestBody.fromString("frozen " + key))
        .versionId();
  }
}
