package dev.quarry.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

class VersionReaderTest {
  @Test
  void mapsHeadObjectHeadersToInventoryColumns() {
    // given
    HeadObjectResponse head =
        HeadObjectResponse.builder()
            .contentLength(10L)
            .eTag("\"abc-3\"")
            .serverSideEncryption("aws:kms:dsse")
            .ssekmsKeyId("arn:aws:kms:us-east-1:1:key/k")
            .bucketKeyEnabled(true)
            .checksumSHA256("x")
            .metadata(Map.of("b", "2", "a", "1"))
            .build();

    // when
    InventoryRow row = VersionReader.row("b", "k", "v", Instant.EPOCH, head, Map.of("t", "1"), 0);

    // then
    assertThat(row.eTag()).isEqualTo("abc-3");
    assertThat(row.multipart()).isTrue();
    assertThat(row.storageClass()).isEqualTo("STANDARD");
    assertThat(row.encryptionStatus()).isEqualTo("DSSE-KMS");
    assertThat(row.bucketKeyEnabled()).isTrue();
    assertThat(row.checksumAlgorithm()).isEqualTo("SHA256");
    assertThat(row.userMetadata()).containsExactly(Map.entry("a", "1"), Map.entry("b", "2"));
  }

  @Test
  void namesEachEncryption() {
    assertThat(VersionReader.encryptionStatus("AES256", null)).isEqualTo("SSE-S3");
    assertThat(VersionReader.encryptionStatus("aws:kms", null)).isEqualTo("SSE-KMS");
    assertThat(VersionReader.encryptionStatus(null, "AES256")).isEqualTo("SSE-C");
    assertThat(VersionReader.encryptionStatus(null, null)).isNull();
    assertThat(VersionReader.tableVersionId("null")).isNull();
  }

  @Test
  void aKeyParsedFromUnencodedXmlMayHaveHadACrOrCrLfWhereItHasALf() {
    assertThat(VersionReader.keysBeforeXml("plain")).containsExactly("plain");
    assertThat(VersionReader.keysBeforeXml("a\nb")).containsExactly("a\nb", "a\rb", "a\r\nb");
    assertThat(VersionReader.keysBeforeXml("\n\n")).hasSize(9).first().isEqualTo("\n\n");
    // beyond four LFs only the key as listed is tried
    assertThat(VersionReader.keysBeforeXml("\n\n\n\n\n")).containsExactly("\n\n\n\n\n");
  }
}
