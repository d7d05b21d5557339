package dev.quarry.action;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.query.ObjectRow;
import org.junit.jupiter.api.Test;

class ReencryptActionTest {
  private static final String ARN =
      "arn:aws:kms:us-east-1:111122223333:key/0f9a3c52-6f0e-4d1c-9d89-2d5a7e0b6a01";

  @Test
  void offersUpdateObjectEncryptionForAKeyArn() {
    // given
    ReencryptAction action = new ReencryptAction("aws:kms", ARN, true, null);

    // when
    var alternative = action.updateEncryptionOperation().map(OperationView::of);

    // then
    assertThat(alternative).isPresent();
    assertThat(alternative.get().name()).isEqualTo("S3UpdateObjectEncryption");
    assertThat(alternative.get().parameters().toString())
        .isEqualTo(
            "{\"ObjectEncryption\":{\"SSEKMS\":{\"KMSKeyArn\":\""
                + ARN
                + "\",\"BucketKeyEnabled\":true}}}");
  }

  @Test
  void offersNoAlternativeForABareKeyIdWhichTheOperationRefuses() {
    ReencryptAction action =
        new ReencryptAction("aws:kms", "0f9a3c52-6f0e-4d1c-9d89-2d5a7e0b6a01", true, null);

    assertThat(action.updateEncryptionOperation()).isEmpty();
  }

  @Test
  void offersNoAlternativeForSseS3OrAStorageClassChange() {
    assertThat(new ReencryptAction("AES256", null, false, null).updateEncryptionOperation())
        .isEmpty();
    assertThat(
            new ReencryptAction("aws:kms", ARN, false, "STANDARD_IA").updateEncryptionOperation())
        .isEmpty();
  }

  @Test
  void offersNoAlternativeForAnAliasArnWhichIsNoKeyArn() {
    // the "arn:" test this replaced let an alias ARN through; the model's pattern does not
    ReencryptAction alias =
        new ReencryptAction(
            "aws:kms", "arn:aws:kms:us-east-1:111122223333:alias/quarry", true, null);

    assertThat(alias.updateEncryptionOperation()).isEmpty();
    assertThat(
            new ReencryptAction(
                    "aws:kms", "arn:aws-cn:kms:cn-north-1:111122223333:key/0f9a3c52", false, null)
                .updateEncryptionOperation())
        .isPresent();
  }

  @Test
  void onlySseS3AndSseKmsObjectsOutsideObjectLockCanBeUpdated() {
    ObjectRow row = new ObjectRow("b", "k", null, 1L, "STANDARD");

    assertThat(ReencryptAction.notUpdatable(row.withEncryption("SSE-S3", null, null))).isEmpty();
    assertThat(ReencryptAction.notUpdatable(row.withEncryption("SSE-KMS", ARN, false))).isEmpty();
    assertThat(ReencryptAction.notUpdatable(row.withEncryption("DSSE-KMS", ARN, false)))
        .contains("DSSE-KMS");
    assertThat(ReencryptAction.notUpdatable(row.withEncryption("SSE-C", null, null)))
        .contains("SSE-C");
    assertThat(ReencryptAction.notUpdatable(row.withEncryption("SSE-S3", null, true)))
        .contains("Object Lock");
    assertThat(ReencryptAction.notUpdatable(row)).contains("unencrypted or encryption unknown");
  }

  @Test
  void updateEncryptionNeedsOnlyItsOwnPermissions() {
    RolePermissions permissions =
        new ReencryptAction("aws:kms", ARN, true, null, ReencryptAction.Method.UPDATE_ENCRYPTION)
            .rolePermissions(false);

    assertThat(permissions.objectActions())
        .containsExactly("s3:PutObject", "s3:UpdateObjectEncryption");
    assertThat(permissions.kmsKey().orElseThrow().actions())
        .containsExactly("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncrypt*");
  }
}
