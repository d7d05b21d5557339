package dev.quarry.action;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import software.amazon.awssdk.services.s3control.model.JobOperation;
import software.amazon.awssdk.services.s3control.model.ObjectEncryption;
import software.amazon.awssdk.services.s3control.model.S3CopyObjectOperation;
import software.amazon.awssdk.services.s3control.model.S3MetadataDirective;
import software.amazon.awssdk.services.s3control.model.S3ObjectMetadata;
import software.amazon.awssdk.services.s3control.model.S3SSEAlgorithm;
import software.amazon.awssdk.services.s3control.model.S3UpdateObjectEncryptionOperation;
import software.amazon.awssdk.services.s3control.model.S3UpdateObjectEncryptionSSEKMS;

/**
 * Re-encrypts objects in place, keeping their metadata and tags. On AWS the default operation is a
 * copy in place ({@code S3PutObjectCopy}, objects up to 5 GB); {@link #updateEncryptionOperation()}
 * is {@code S3UpdateObjectEncryption}, which changes SSE-S3 or SSE-KMS objects to SSE-KMS without
 * copying data.
 *
 * <pre>{@code
 * action:
 *   type: reencrypt
 *   sse: aws:kms
 *   kms-key: arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
 *   bucket-key: true
 * }</pre>
 */
public record ReencryptAction(String sse, String kmsKey, boolean bucketKey, String storageClass)
    implements Action {
  public static final String KMS = "aws:kms";
  public static final String SSE_S3 = "AES256";

  @JsonCreator
  public ReencryptAction(
      @JsonProperty("sse") String sse,
      @JsonProperty("kms-key") String kmsKey,
      @JsonProperty("bucket-key") Boolean bucketKey,
      @JsonProperty("storage-class") String storageClass) {
    this(sse, kmsKey, bucketKey != null && bucketKey, storageClass);
  }

  public ReencryptAction {
    if (!KMS.equals(sse) && !SSE_S3.equals(sse)) {
      throw new IllegalArgumentException("sse must be aws:kms or AES256, not " + sse);
    }
    if (KMS.equals(sse) && kmsKey == null) {
      throw new IllegalArgumentException("sse aws:kms needs kms-key");
    }
    if (SSE_S3.equals(sse) && kmsKey != null) {
      throw new IllegalArgumentException("kms-key goes only with sse aws:kms");
    }
  }

  @Override
  public String type() {
    return "reencrypt";
  }

  @Override
  public boolean needsVersionId() {
    return false;
  }

  @Override
  public boolean acceptsVersionId() {
    // re-encrypting copies the current object; naming an older version would revert to it
    return false;
  }

  @Override
  public boolean idempotent() {
    // each copy in place writes a new current version
    return false;
  }

  @Override
  public boolean destructive() {
    // a copy in place replaces the current version (and, unversioned, the only copy)
    return true;
  }

  @Override
  public JobOperation jobOperation(String bucket) {
    S3CopyObjectOperation.Builder copy =
        S3CopyObjectOperation.builder()
            .targetResource("arn:aws:s3:::" + bucket)
            .metadataDirective(S3MetadataDirective.COPY)
            .newObjectMetadata(
                S3ObjectMetadata.builder()
                    .sseAlgorithm(KMS.equals(sse) ? S3SSEAlgorithm.KMS : S3SSEAlgorithm.AES256)
                    .build())
            .storageClass(storageClass);
    if (KMS.equals(sse)) {
      copy.sseAwsKmsKeyId(kmsKey).bucketKeyEnabled(bucketKey);
    }
    return JobOperation.builder().s3PutObjectCopy(copy.build()).build();
  }

  /**
   * The no-copy alternative, for SSE-S3 or SSE-KMS objects going to SSE-KMS; empty for a target of
   * SSE-S3, which the operation does not offer.
   */
  public java.util.Optional<JobOperation> updateEncryptionOperation() {
    if (!KMS.equals(sse) || storageClass != null) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(
        JobOperation.builder()
            .s3UpdateObjectEncryption(
                S3UpdateObjectEncryptionOperation.builder()
                    .objectEncryption(
                        ObjectEncryption.builder()
                            .ssekms(
                                S3UpdateObjectEncryptionSSEKMS.builder()
                                    .kmsKeyArn(kmsKey)
                                    .bucketKeyEnabled(bucketKey)
                                    .build())
                            .build())
                    .build())
            .build());
  }

  @Override
  public LocalTask localTask(software.amazon.awssdk.services.s3.S3Client s3) {
    throw new UnsupportedOperationException("local task of " + type() + " not written yet");
  }
}
