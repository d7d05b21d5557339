package dev.quarry.action;

import static dev.quarry.action.ActionTaskFixtures.row;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.action.LegalHoldAction.Status;
import dev.quarry.testing.S3Servers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectLockLegalHoldStatus;

/**
 * legal-hold against moto, which keeps Object Lock's semantics (moto 5.2.1 answers a hold on a
 * missing key with a 500, not AWS's 404 NoSuchKey, so that case is not tested here).
 */
class LegalHoldTaskIT {
  private static S3Client s3;
  private static String locked;

  @BeforeAll
  static void bucket() {
    s3 = S3Servers.client(S3Servers.moto());
    locked = S3Servers.newBucketName("hold");
    s3.createBucket(b -> b.bucket(locked).objectLockEnabledForBucket(true));
  }

  @Test
  void onPlacesAHoldThatBlocksDeletingTheVersionAndOffLiftsIt() {
    // given
    String version =
        s3.putObject(b -> b.bucket(locked).key("contracts/a.pdf"), RequestBody.fromString("a"))
            .versionId();

    // when
    TaskOutcome placed =
        new LegalHoldAction(Status.ON).localTask(s3).run(row(locked, "contracts/a.pdf", version));

    // then the version is held, and S3 refuses to delete it
    assertThat(placed).isEqualTo(TaskOutcome.succeeded("legal hold placed"));
    assertThat(hold("contracts/a.pdf", version)).isEqualTo(ObjectLockLegalHoldStatus.ON);
    assertThat(
            org.assertj.core.api.Assertions.catchThrowable(
                () ->
                    s3.deleteObject(
                        b -> b.bucket(locked).key("contracts/a.pdf").versionId(version))))
        .isNotNull();

    // when lifted
    TaskOutcome lifted =
        new LegalHoldAction(Status.OFF).localTask(s3).run(row(locked, "contracts/a.pdf", null));

    // then
    assertThat(lifted).isEqualTo(TaskOutcome.succeeded("legal hold lifted"));
    assertThat(hold("contracts/a.pdf", version)).isEqualTo(ObjectLockLegalHoldStatus.OFF);
  }

  private static ObjectLockLegalHoldStatus hold(String key, String version) {
    return s3.getObjectLegalHold(b -> b.bucket(locked).key(key).versionId(version))
        .legalHold()
        .status();
  }
}
