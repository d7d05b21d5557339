package dev.quarry.action;

import static dev.quarry.action.ActionTaskFixtures.read;
import static dev.quarry.action.ActionTaskFixtures.row;
import static dev.quarry.action.ActionTaskFixtures.tags;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.action.TaskOutcome.Status;
import dev.quarry.sandbox.S3MockServer;
import dev.quarry.testing.S3Servers;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.StorageClass;

class ReencryptTaskIT {
  @Test
  void reencryptsWithKmsKeepingMetadataTagsStorageClassAndContent() {
    // given an SSE-S3 object with metadata and tags on S3Mock
    S3Client s3 = S3Servers.client(S3Servers.s3mock());
    String bucket = S3Servers.createVersionedBucket(s3, "reencrypt");
    putSseS3(s3, bucket, "docs/report.csv", StorageClass.STANDARD_IA);
    // S3Mock takes only the bare key id (see kmsKeyArnIsRefusedByS3Mock)
    LocalTask task =
        new ReencryptAction(ReencryptAction.KMS, S3MockServer.DEMO_KMS_KEY_ID, true, null)
            .localTask(s3);

    // when
    TaskOutcome outcome = task.run(row(bucket, "docs/report.csv", null));

    // then
    assertThat(outcome)
        .isEqualTo(
            TaskOutcome.succeeded(
                "re-encrypted with aws:kms key "
                    + S3MockServer.DEMO_KMS_KEY_ID
                    + ", bucket key on"));
    HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key("docs/report.csv"));
    assertThat(head.serverSideEncryption()).isEqualTo(ServerSideEncryption.AWS_KMS);
    assertThat(head.ssekmsKeyId()).endsWith(S3MockServer.DEMO_KMS_KEY_ID);
    assertThat(head.bucketKeyEnabled()).isTrue();
    assertThat(head.metadata()).isEqualTo(Map.of("owner", "finance"));
    assertThat(head.contentType()).isEqualTo("text/csv");
    assertThat(head.storageClass()).isEqualTo(StorageClass.STANDARD_IA);
    assertThat(tags(s3, bucket, "docs/report.csv"))
        .isEqualTo(Map.of("team", "finance", "year", "2026"));
    assertThat(read(s3, bucket, "docs/report.csv")).isEqualTo("a,b\n1,2\n");
  }

  @Test
  void keepsTheStorageClassWhereACopyWouldResetIt() {
    // given moto, which (like AWS) makes a copy STANDARD unless told otherwise
    S3Client s3 = S3Servers.client(S3Servers.moto());
    String bucket = S3Servers.createVersionedBucket(s3, "reencrypt");
    String before = putSseS3(s3, bucket, "docs/ia.csv", StorageClass.STANDARD_IA);
    LocalTask task = new ReencryptAction(ReencryptAction.SSE_S3, null, false, null).localTask(s3);

    // when
    TaskOutcome outcome = task.run(row(bucket, "docs/ia.csv", null));

    // then a new current version, with everything but the encryption as it was
    assertThat(outcome.status()).isEqualTo(Status.SUCCEEDED);
    HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key("docs/ia.csv"));
    assertThat(head.versionId()).isNotEqualTo(before);
    assertThat(head.storageClass()).isEqualTo(StorageClass.STANDARD_IA);
    assertThat(head.serverSideEncryption()).isEqualTo(ServerSideEncryption.AES256);
    assertThat(head.metadata()).isEqualTo(Map.of("owner", "finance"));
    assertThat(head.contentType()).isEqualTo("text/csv");
    assertThat(tags(s3, bucket, "docs/ia.csv"))
        .isEqualTo(Map.of("team", "finance", "year", "2026"));
    assertThat(read(s3, bucket, "docs/ia.csv")).isEqualTo("a,b\n1,2\n");
  }

  @Test
  void aStorageClassGivenReplacesTheObjectsOwn() {
    // given
    S3Client s3 = S3Servers.client(S3Servers.s3mock());
    String bucket = S3Servers.createVersionedBucket(s3, "reencrypt");
    putSseS3(s3, bucket, "docs/a.csv", StorageClass.STANDARD);
    LocalTask task =
        new ReencryptAction(ReencryptAction.SSE_S3, null, false, "GLACIER_IR").localTask(s3);

    // when
    TaskOutcome outcome = task.run(row(bucket, "docs/a.csv", null));

    // then
    assertThat(outcome).isEqualTo(TaskOutcome.succeeded("re-encrypted with AES256 (SSE-S3)"));
    HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key("docs/a.csv"));
    assertThat(head.storageClass()).isEqualTo(StorageClass.GLACIER_IR);
    assertThat(head.serverSideEncryption()).isEqualTo(ServerSideEncryption.AES256);
    assertThat(head.metadata()).isEqualTo(Map.of("owner", "finance"));
  }

  @Test
  void kmsKeyArnIsRefusedByS3Mock() {
    // given S3Mock configured with the demo key's ARN: it still validates only the bare key id
    S3Client s3 = S3Servers.client(S3Servers.s3mock());
    String bucket = S3Servers.createVersionedBucket(s3, "reencrypt");
    putSseS3(s3, bucket, "docs/b.csv", StorageClass.STANDARD);
    LocalTask task =
        new ReencryptAction(ReencryptAction.KMS, S3MockServer.DEMO_KMS_KEY_ARN, true, null)
            .localTask(s3);

    // when
    TaskOutcome outcome = task.run(row(bucket, "docs/b.csv", null));

    // then S3Mock's answer is reported as it came, and the object is untouched
    assertThat(outcome.status()).isEqualTo(Status.FAILED);
    assertThat(outcome.errorCode()).isEqualTo("KMS.NotFoundException");
    assertThat(outcome.httpStatus()).isEqualTo(400);
    assertThat(s3.headObject(b -> b.bucket(bucket).key("docs/b.csv")).serverSideEncryption())
        .isEqualTo(ServerSideEncryption.AES256);
  }

  @Test
  void anArchivedObjectFailsWithTheArchiveTierErrorAndStaysAsItWas() {
    // given a GLACIER object on moto (S3Mock has no archive errors)
    S3Client s3 = S3Servers.client(S3Servers.moto());
    String bucket = S3Servers.createVersionedBucket(s3, "reencrypt");
    String version = putSseS3(s3, bucket, "cold/archive.csv", StorageClass.GLACIER);
    LocalTask task = new ReencryptAction(ReencryptAction.SSE_S3, null, false, null).localTask(s3);

    // when
    TaskOutcome outcome = task.run(row(bucket, "cold/archive.csv", null));

    // then
    assertThat(outcome.status()).isEqualTo(Status.FAILED);
    assertThat(outcome.errorCode()).isEqualTo("ObjectNotInActiveTierError");
    assertThat(outcome.httpStatus()).isEqualTo(403);
    assertThat(ActionTaskFixtures.versionIds(s3, bucket, "cold/archive.csv"))
        .containsExactly(version);
    assertThat(s3.headObject(b -> b.bucket(bucket).key("cold/archive.csv")).storageClass())
        .isEqualTo(StorageClass.GLACIER);
  }

  @Test
  void aMissingObjectFailsWithoutWritingAnything() {
    // given
    S3Client s3 = S3Servers.client(S3Servers.moto());
    String bucket = S3Servers.createVersionedBucket(s3, "reencrypt");
    LocalTask task = new ReencryptAction(ReencryptAction.SSE_S3, null, false, null).localTask(s3);

    // when
    TaskOutcome outcome = task.run(row(bucket, "docs/never-written", null));

    // then
    assertThat(outcome.status()).isEqualTo(Status.FAILED);
    assertThat(outcome.httpStatus()).isEqualTo(404);
    assertThat(s3.listObjectVersions(b -> b.bucket(bucket)).versions()).isEmpty();
  }

  private static String putSseS3(
      S3Client s3, String bucket, String key, StorageClass storageClass) {
    return s3.putObject(
            b ->
                b.bucket(bucket)
                    .key(key)
                    .serverSideEncryption(ServerSideEncryption.AES256)
                    .storageClass(storageClass)
                    .contentType("text/csv")
                    .metadata(Map.of("owner", "finance"))
                    .tagging("team=finance&year=2026"),
            RequestBody.fromString("a,b\n1,2\n"))
        .versionId();
  }
}
