package dev.quarry.action;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonCreator;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.TaggingDirective;
import software.amazon.awssdk.services.s3control.model.JobOperation;
import software.amazon.awssdk.services.s3control.model.S3CopyObjectOperation;
import software.amazon.awssdk.services.s3control.model.S3MetadataDirective;

/**
 * Copies an older version back in place, making it current again (a point-in-time revert of
 * overwrites). Each manifest row names the version to bring back; the newer versions stay in the
 * bucket's history.
 *
 * <pre>{@code
 * action:
 *   type: revert-to-version
 *   storage-class: STANDARD_IA     # optional: the copies' class (default: S3's, STANDARD)
 *   sse: aws:kms                   # optional: the copies' encryption (default: the bucket's)
 *   kms-key: arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
 * }</pre>
 *
 * <p>Locally, each row is a CopyObject from the row's version onto the same key ({@code
 * MetadataDirective COPY}, {@code TaggingDirective COPY}), as the AWS job does: the copy becomes a
 * new current version with that version's content, metadata and tags. Like the AWS job it sets the
 * storage class and encryption the action names and no others, so without them the bucket's
 * defaults apply (a point-in-time revert names the class and encryption of the versions it copies
 * back, one job per group). A row without a version id fails ({@code MissingVersionId}, 400)
 * without copying; a version that does not exist fails with S3's {@code 404 NoSuchVersion}. S3Mock
 * refuses this copy ({@code 400 InvalidRequest}, "copy an object to itself without changing …"): it
 * ignores the source version id; AWS and moto accept it.
 */
public record RevertToVersionAction(String storageClass, String sse, String kmsKey)
    implements Action {
  @JsonCreator
  public static RevertToVersionAction create(
      @com.fasterxml.jackson.annotation.JsonProperty("storage-class") String storageClass,
      @com.fasterxml.jackson.annotation.JsonProperty("sse") String sse,
      @com.fasterxml.jackson.annotation.JsonProperty("kms-key") String kmsKey) {
    return new RevertToVersionAction(storageClass, sse, kmsKey);
  }

  public RevertToVersionAction {
    if (sse != null && !ReencryptAction.KMS.equals(sse) && !ReencryptAction.SSE_S3.equals(sse)) {
      throw new IllegalArgumentException("sse must be aws:kms or AES256, not " + sse);
    }
    if (ReencryptAction.KMS.equals(sse) && kmsKey == null) {
      throw new IllegalArgumentException("sse aws:kms needs kms-key");
    }
    if (!ReencryptAction.KMS.equals(sse) && kmsKey != null) {
      throw new IllegalArgumentException("kms-key goes only with sse aws:kms");
    }
  }

  /** Copies back with no class or encryption named: the bucket's defaults. */
  public RevertToVersionAction() {
    this(null, null, null);
  }

  @Override
  public String type() {
    return "revert-to-version";
  }

  @Override
  public boolean needsVersionId() {
    return true;
  }

  @Override
  public boolean idempotent() {
    // each copy in place writes a new current version
    return false;
  }

  @Override
  public boolean destructive() {
    return true;
  }

  @Override
  public JobOperation jobOperation(String bucket) {
    // Batch Operations copies the manifest row's version to the same key of the target bucket
    S3CopyObjectOperation.Builder copy =
        S3CopyObjectOperation.builder()
            .targetResource("arn:aws:s3:::" + bucket)
            .metadataDirective(S3MetadataDirective.COPY)
            .storageClass(storageClass);
    if (sse != null) {
      copy.newObjectMetadata(
          software.amazon.awssdk.services.s3control.model.S3ObjectMetadata.builder()
              .sseAlgorithm(
                  ReencryptAction.KMS.equals(sse)
                      ? software.amazon.awssdk.services.s3control.model.S3SSEAlgorithm.KMS
                      : software.amazon.awssdk.services.s3control.model.S3SSEAlgorithm.AES256)
              .build());
      if (kmsKey != null) {
        copy.sseAwsKmsKeyId(kmsKey);
      }
    }
    return JobOperation.builder().s3PutObjectCopy(copy.build()).build();
  }

  @Override
  public RolePermissions rolePermissions(boolean versioned) {
    // the source is the row's version; the copy is a new current version
    RolePermissions copy =
        RolePermissions.copyInPlace(versioned, "the copy becomes the current version");
    return kmsKey == null
        ? copy
        : copy.withKmsKey(
            new RolePermissions.KeyUse(
                kmsKey, java.util.List.of("kms:Decrypt", "kms:GenerateDataKey")));
  }

  @Override
  public LocalTask localTask(S3Client s3) {
    requireNonNull(s3, "s3 is null");
    return row ->
        S3Errors.guard(
            () -> {
              if (row.versionId() == null) {
                return TaskOutcome.failed(
                    "MissingVersionId",
                    400,
                    "revert-to-version needs the version id to bring back; nothing copied");
              }
              software.amazon.awssdk.services.s3.model.CopyObjectRequest.Builder request =
                  software.amazon.awssdk.services.s3.model.CopyObjectRequest.builder()
                      .sourceBucket(row.bucket())
                      .sourceKey(row.key())
                      .sourceVersionId(row.versionId())
                      .destinationBucket(row.bucket())
                      .destinationKey(row.key())
                      .metadataDirective(MetadataDirective.COPY)
                      .taggingDirective(TaggingDirective.COPY)
                      .storageClass(storageClass);
              if (ReencryptAction.KMS.equals(sse)) {
                request
                    .serverSideEncryption(
                        software.amazon.awssdk.services.s3.model.ServerSideEncryption.AWS_KMS)
                    .ssekmsKeyId(kmsKey);
              } else if (sse != null) {
                request.serverSideEncryption(
                    software.amazon.awssdk.services.s3.model.ServerSideEncryption.AES256);
              }
              CopyObjectResponse copied = s3.copyObject(request.build());
              return TaskOutcome.succeeded(
                  "version "
                      + row.versionId()
                      + " copied in place"
                      + (copied.versionId() == null ? "" : " as " + copied.versionId()));
            });
  }
}
