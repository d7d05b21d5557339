package dev.quarry.action;

import static org.assertj.core.api.Assertions.assertThat;

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
}
