package dev.quarry.action;

import static dev.quarry.action.ActionTaskFixtures.row;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.action.ComputeChecksumAction.Type;
import dev.quarry.action.ObjectChecksum.Algorithm;
import dev.quarry.testing.S3Servers;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * compute-checksum against moto: the local task's checksums equal the ones the server computed
 * itself when the object was uploaded with that algorithm. Neither sandbox server answers GetObject
 * by part number (moto sends the whole object, S3Mock 4 gives no parts count), so a composite of a
 * multipart object is only checked to be refused rather than wrong.
 */
class ComputeChecksumTaskIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static S3Client s3;
  private static String bucket;

  @BeforeAll
  static void bucket() {
    s3 = S3Servers.client(S3Servers.moto());
    bucket = S3Servers.createVersionedBucket(s3, "checksum");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(
      value = Algorithm.class,
      // CRC64NVME uploads need the SDK's native CRT; its check value is pinned in the unit test
      names = {"CRC32", "CRC32C", "SHA1", "SHA256"})
  void aFullObjectChecksumIsTheOneTheServerStoredOnUpload(Algorithm algorithm) throws Exception {
    // given an object the server checksummed itself on upload
    String key = "archive/" + algorithm + ".bin";
    String version =
        s3.putObject(
                b ->
                    b.bucket(bucket)
                        .key(key)
                        .checksumAlgorithm(ChecksumAlgorithm.fromValue(algorithm.name())),
                RequestBody.fromString("integrity matters ".repeat(1000)))
            .versionId();
    HeadObjectResponse head =
        s3.headObject(b -> b.bucket(bucket).key(key).checksumMode(ChecksumMode.ENABLED));

    // when
    TaskOutcome outcome =
        ComputeChecksumAction.of(algorithm, Type.FULL_OBJECT)
            .localTask(s3)
            .run(row(bucket, key, version));

    // then
    assertThat(outcome.succeeded()).as(outcome.message()).isTrue();
    JsonNode result = JSON.readTree(outcome.message());
    assertThat(result.path("checksum_base64").asText()).isEqualTo(stored(algorithm).apply(head));
    assertThat(result.path("checksumAlgorithm").asText()).isEqualTo(algorithm.name());
    assertThat(result.path("checksumType").asText()).isEqualTo("FULL_OBJECT");
    assertThat(result.path("etag").asText()).isEqualTo(head.eTag().replace("\"", ""));
  }

  @Test
  void aFullObjectMd5OfOnePartIsItsEtag() throws Exception {
    // given
    String key = "archive/plain.txt";
    String etag =
        s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString("plain")).eTag();

    // when
    TaskOutcome outcome =
        ComputeChecksumAction.of(Algorithm.MD5, Type.FULL_OBJECT)
            .localTask(s3)
            .run(row(bucket, key, null));

    // then
    assertThat(JSON.readTree(outcome.message()).path("checksum_hex").asText())
        .isEqualTo(etag.replace("\"", ""));
  }

  @Test
  void aCompositeOfAnObjectOfOnePartIsItsFullObjectChecksum() throws Exception {
    // given
    String key = "archive/one-part.txt";
    String etag =
        s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString("one part")).eTag();

    // when
    TaskOutcome composite =
        ComputeChecksumAction.of(Algorithm.MD5, Type.COMPOSITE)
            .localTask(s3)
            .run(row(bucket, key, null));

    // then
    assertThat(composite.succeeded()).as(composite.message()).isTrue();
    JsonNode result = JSON.readTree(composite.message());
    assertThat(result.path("checksum_hex").asText()).isEqualTo(etag.replace("\"", ""));
    assertThat(result.path("checksumType").asText()).isEqualTo("COMPOSITE");
  }

  @Test
  void aCompositeIsRefusedByAServerThatIgnoresPartNumbers() {
    // given moto 5.2.1, which answers GetObject?partNumber=1 of a multipart object in full
    multipart(s3, bucket, "archive/moto-multipart.bin");

    // when
    TaskOutcome composite =
        ComputeChecksumAction.of(Algorithm.SHA256, Type.COMPOSITE)
            .localTask(s3)
            .run(row(bucket, "archive/moto-multipart.bin", null));

    // then a failure that says why, not a wrong checksum
    assertThat(composite.succeeded()).isFalse();
    assertThat(composite.errorCode()).isEqualTo("InvalidRequest");
    assertThat(composite.message()).contains("does not answer GetObject by part number");
  }

  private static final byte[] FIRST =
      "a".repeat(5 * 1024 * 1024).getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SECOND = "tail".getBytes(StandardCharsets.US_ASCII);

  /** Uploads {@code key} in two parts (5 MiB is S3's smallest part but the last); its ETag. */
  private static String multipart(S3Client client, String in, String key) {
    String upload = client.createMultipartUpload(b -> b.bucket(in).key(key)).uploadId();
    String e1 =
        client
            .uploadPart(
                b -> b.bucket(in).key(key).uploadId(upload).partNumber(1),
                RequestBody.fromBytes(FIRST))
            .eTag();
    String e2 =
        client
            .uploadPart(
                b -> b.bucket(in).key(key).uploadId(upload).partNumber(2),
                RequestBody.fromBytes(SECOND))
            .eTag();
    return client
        .completeMultipartUpload(
            b ->
                b.bucket(in)
                    .key(key)
                    .uploadId(upload)
                    .multipartUpload(
                        m ->
                            m.parts(
                                List.of(
                                    CompletedPart.builder().partNumber(1).eTag(e1).build(),
                                    CompletedPart.builder().partNumber(2).eTag(e2).build()))))
        .eTag();
  }

  @Test
  void aMissingKeyFailsWithS3sAnswer() {
    // when
    TaskOutcome outcome =
        ComputeChecksumAction.of(Algorithm.SHA256, Type.FULL_OBJECT)
            .localTask(s3)
            .run(row(bucket, "archive/missing", null));

    // then
    assertThat(outcome.succeeded()).isFalse();
    assertThat(outcome.errorCode()).isEqualTo("NoSuchKey");
    assertThat(outcome.httpStatus()).isEqualTo(404);
  }

  private static Function<HeadObjectResponse, String> stored(Algorithm algorithm) {
    return switch (algorithm) {
      case CRC32 -> HeadObjectResponse::checksumCRC32;
      case CRC32C -> HeadObjectResponse::checksumCRC32C;
      case CRC64NVME -> HeadObjectResponse::checksumCRC64NVME;
      case SHA1 -> HeadObjectResponse::checksumSHA1;
      case SHA256 -> HeadObjectResponse::checksumSHA256;
      case MD5 -> h -> null;
    };
  }
}
