package dev.quarry.action;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.TaggingDirective;
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
 *
 * <p>Locally, each row is a HeadObject then a CopyObject of the current object onto itself with
 * {@code MetadataDirective COPY} and {@code TaggingDirective COPY} (user metadata, content type and
 * the other system metadata, and tags stay), the new encryption, and the object's own storage class
 * unless {@code storage-class} names one: a copy without a storage class would make it STANDARD.
 * The copy is conditional on the ETag HeadObject saw, so an object overwritten in between is not
 * copied over with stale settings; that 412 is thrown as transient and the retry starts afresh.
 * Object ACLs and Object Lock settings are not copied (as with any CopyObject).
 *
 * <p>{@code kms-key} is sent as written: AWS takes an ARN, key id or alias. S3Mock only takes the
 * bare key id of a key it was configured with and answers an ARN with {@code 400
 * KMS.NotFoundException}, which the task reports as it comes. An object still in an archive tier
 * fails with S3's {@code 403 ObjectNotInActiveTierError}. Rows never name versions ({@link
 * #acceptsVersionId()}); the task always copies the current object.
 */
public record ReencryptAction(String sse, String kmsKey, boolean bucketKey, String storageClass)
    implements Action {
  public static final String KMS = "aws:kms";
  public static final String SSE_S3 = "AES256";

  /** Classes whose objects must be restored before a copy can read them. */
  static final java.util.Set<String> ARCHIVED = java.util.Set.of("GLACIER", "DEEP_ARCHIVE");

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
   * One job per bucket (a copy's target), and, unless {@code storage-class} names one, per storage
   * class: S3PutObjectCopy takes one storage class for all its copies, and without one stores every
   * copy as STANDARD.
   */
  @Override
  public java.util.Set<Partition> partitions() {
    return storageClass == null
        ? java.util.Set.of(Partition.BUCKET, Partition.STORAGE_CLASS)
        : java.util.Set.of(Partition.BUCKET);
  }

  /** A copy cannot read an object in an archive tier: it fails with ObjectNotInActiveTierError. */
  @Override
  public java.util.Set<String> unreadableStorageClasses() {
    return ARCHIVED;
  }

  /**
   * The no-copy alternative, for SSE-S3 or SSE-KMS objects going to SSE-KMS; empty for a target of
   * SSE-S3 or a storage class change, which the operation does not offer, and for a kms-key given
   * as a bare key id, since the operation takes only a key ARN.
   */
  public java.util.Optional<JobOperation> updateEncryptionOperation() {
    // the operation takes only a key ARN; a bare key id would be refused by CreateJob
    if (!KMS.equals(sse) || storageClass != null || !kmsKey.startsWith("arn:")) {
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
  public RolePermissions rolePermissions(boolean versioned) {
    // rows never name versions (acceptsVersionId is false), so no ...Version... action
    RolePermissions copy = RolePermissions.copyInPlace(false, "re-encrypted as it is written");
    if (!KMS.equals(sse)) {
      return copy;
    }
    // GenerateDataKey encrypts the copy; Decrypt is needed to read it back (and for multipart
    // copies); objects under another KMS key also need kms:Decrypt on that key
    return copy.withKmsKey(
        new RolePermissions.KeyUse(
            kmsKey, java.util.List.of("kms:Decrypt", "kms:GenerateDataKey")));
  }

  @Override
  public LocalTask localTask(S3Client s3) {
    requireNonNull(s3, "s3 is null");
    String done =
        KMS.equals(sse)
            ? "re-encrypted with aws:kms key " + kmsKey + (bucketKey ? ", bucket key on" : "")
            : "re-encrypted with AES256 (SSE-S3)";
    return row ->
        S3Errors.guard(
            () -> {
              HeadObjectResponse head = s3.headObject(b -> b.bucket(row.bucket()).key(row.key()));
              CopyObjectRequest.Builder copy =
                  CopyObjectRequest.builder()
                      .sourceBucket(row.bucket())
                      .sourceKey(row.key())
                      .destinationBucket(row.bucket())
                      .destinationKey(row.key())
                      .copySourceIfMatch(head.eTag())
                      .metadataDirective(MetadataDirective.COPY)
                      .taggingDirective(TaggingDirective.COPY)
                      .storageClass(
                          storageClass != null ? storageClass : head.storageClassAsString());
              if (KMS.equals(sse)) {
                copy.serverSideEncryption(ServerSideEncryption.AWS_KMS)
                    .ssekmsKeyId(kmsKey)
                    .bucketKeyEnabled(bucketKey);
              } else {
                copy.serverSideEncryption(ServerSideEncryption.AES256);
              }
              try {
                s3.copyObject(copy.build());
              } catch (S3Exception e) {
                if (e.statusCode() == 412) {
                  throw new TransientTaskException(
                      "PreconditionFailed",
                      412,
                      "the object changed while it was being re-encrypted; try again",
                      e);
                }
                throw e;
              }
              return TaskOutcome.succeeded(done);
            });
  }
}
