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
public record ReencryptAction(
    String sse, String kmsKey, boolean bucketKey, String storageClass, Method method)
    implements Action {
  public static final String KMS = "aws:kms";
  public static final String SSE_S3 = "AES256";

  /** Classes whose objects must be restored before a copy can read them. */
  static final java.util.Set<String> ARCHIVED = java.util.Set.of("GLACIER", "DEEP_ARCHIVE");

  /**
   * The only key UpdateObjectEncryption takes: a full KMS key ARN (botocore's s3 model, {@code
   * SSEKMSEncryption.KMSKeyArn}: "arn:aws[-a-z0-9]*:kms:[-a-z0-9]*:[0-9]{12}:key/.+"); an alias or
   * a bare key id is refused.
   */
  static final java.util.regex.Pattern KEY_ARN =
      java.util.regex.Pattern.compile("arn:aws[-a-z0-9]*:kms:[-a-z0-9]*:[0-9]{12}:key/.+");

  /**
   * The source encryptions UpdateObjectEncryption changes (inventory {@code encryption_status}).
   */
  static final java.util.Set<String> UPDATABLE = java.util.Set.of("SSE-S3", "SSE-KMS");

  /** How objects are re-encrypted: the playbook's {@code method}. */
  public enum Method {
    /** UpdateObjectEncryption where it applies to an object, a copy in place for the others. */
    AUTO("auto"),
    /** Always a copy in place (S3PutObjectCopy): a new version, data copied. */
    COPY("copy"),
    /** Only UpdateObjectEncryption; a plan leaves out the objects it cannot change. */
    UPDATE_ENCRYPTION("update-encryption");

    private final String name;

    Method(String name) {
      this.name = name;
    }

    /** As a playbook writes it. */
    public String text() {
      return name;
    }

    static Method of(String text) {
      for (Method m : values()) {
        if (m.name.equals(text)) {
          return m;
        }
      }
      throw new IllegalArgumentException(
          "method must be auto, copy or update-encryption, not " + text);
    }
  }

  @JsonCreator
  public ReencryptAction(
      @JsonProperty("sse") String sse,
      @JsonProperty("kms-key") String kmsKey,
      @JsonProperty("bucket-key") Boolean bucketKey,
      @JsonProperty("storage-class") String storageClass,
      @JsonProperty("method") String method) {
    // copy stays the default: it is what a playbook without method did before, and the sandbox's
    // servers cannot run UpdateObjectEncryption
    this(
        sse,
        kmsKey,
        bucketKey != null && bucketKey,
        storageClass,
        method == null ? Method.COPY : Method.of(method));
  }

  public ReencryptAction(String sse, String kmsKey, Boolean bucketKey, String storageClass) {
    this(sse, kmsKey, bucketKey != null && bucketKey, storageClass, Method.COPY);
  }

  public ReencryptAction(String sse, String kmsKey, boolean bucketKey, String storageClass) {
    this(sse, kmsKey, bucketKey, storageClass, Method.COPY);
  }

  public ReencryptAction {
    requireNonNull(method, "method is null");
    if (!KMS.equals(sse) && !SSE_S3.equals(sse)) {
      throw new IllegalArgumentException("sse must be aws:kms or AES256, not " + sse);
    }
    if (KMS.equals(sse) && kmsKey == null) {
      throw new IllegalArgumentException("sse aws:kms needs kms-key");
    }
    if (SSE_S3.equals(sse) && kmsKey != null) {
      throw new IllegalArgumentException("kms-key goes only with sse aws:kms");
    }
    if (method == Method.UPDATE_ENCRYPTION) {
      unusableUpdate(sse, kmsKey, storageClass)
          .ifPresent(
              why -> {
                throw new IllegalArgumentException("method update-encryption: " + why);
              });
    }
  }

  /**
   * Why these settings cannot use UpdateObjectEncryption at all, empty when they can: it only
   * changes objects to SSE-KMS under a full key ARN, and never their storage class.
   */
  static java.util.Optional<String> unusableUpdate(String sse, String kmsKey, String storageClass) {
    if (!KMS.equals(sse)) {
      return java.util.Optional.of(
          "UpdateObjectEncryption only changes objects to SSE-KMS (sse: aws:kms), not to " + sse);
    }
    if (storageClass != null) {
      return java.util.Optional.of(
          "UpdateObjectEncryption keeps each object's storage class; storage-class needs a copy");
    }
    if (!KEY_ARN.matcher(kmsKey).matches()) {
      return java.util.Optional.of(
          "UpdateObjectEncryption takes only a full KMS key ARN"
              + " (arn:aws:kms:<region>:<account>:key/<id>), not an alias or key id: "
              + kmsKey);
    }
    return java.util.Optional.empty();
  }

  /** Why this action's settings cannot use UpdateObjectEncryption, empty when they can. */
  public java.util.Optional<String> updateEncryptionUnusable() {
    return unusableUpdate(sse, kmsKey, storageClass);
  }

  /**
   * Why UpdateObjectEncryption cannot change this object, empty when it can: only SSE-S3 and
   * SSE-KMS objects (not unencrypted, DSSE-KMS or SSE-C ones), and not objects under Object Lock
   * retention or legal hold. An object whose encryption is unknown (the query neither selected
   * {@code encryption_status} nor found it in the inventory) is not changed either.
   */
  public static java.util.Optional<String> notUpdatable(dev.quarry.query.ObjectRow row) {
    requireNonNull(row, "row is null");
    if (Boolean.TRUE.equals(row.objectLocked())) {
      return java.util.Optional.of("Object Lock");
    }
    if (row.encryption() == null) {
      return java.util.Optional.of("unencrypted or encryption unknown");
    }
    if (!UPDATABLE.contains(row.encryption())) {
      return java.util.Optional.of(row.encryption());
    }
    return java.util.Optional.empty();
  }

  /** The same settings with another method, for one part of a split plan. */
  public ReencryptAction withMethod(Method other) {
    return new ReencryptAction(sse, kmsKey, bucketKey, storageClass, other);
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

  /**
   * S3PutObjectCopy, or S3UpdateObjectEncryption for method {@code update-encryption}. For method
   * {@code auto} a plan splits the objects into update-encryption and copy parts, each with its own
   * method; the playbook's whole action stands for its copies.
   */
  @Override
  public JobOperation jobOperation(String bucket) {
    if (method == Method.UPDATE_ENCRYPTION) {
      return updateEncryptionOperation().orElseThrow();
    }
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
    if (method == Method.UPDATE_ENCRYPTION) {
      // one job per bucket keeps the parts' names plain; the operation itself has no target
      return java.util.Set.of(Partition.BUCKET);
    }
    return storageClass == null
        ? java.util.Set.of(Partition.BUCKET, Partition.STORAGE_CLASS)
        : java.util.Set.of(Partition.BUCKET);
  }

  /** A copy cannot read an object in an archive tier: it fails with ObjectNotInActiveTierError. */
  @Override
  public java.util.Set<String> unreadableStorageClasses() {
    // UpdateObjectEncryption reads no data: archived objects are changed where they are
    return method == Method.UPDATE_ENCRYPTION ? java.util.Set.of() : ARCHIVED;
  }

  /**
   * The no-copy alternative, for SSE-S3 or SSE-KMS objects going to SSE-KMS; empty for a target of
   * SSE-S3 or a storage class change, which the operation does not offer, and for a kms-key given
   * as a bare key id, since the operation takes only a key ARN.
   */
  public java.util.Optional<JobOperation> updateEncryptionOperation() {
    if (updateEncryptionUnusable().isPresent()) {
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
    boolean updates = method != Method.COPY && updateEncryptionUnusable().isEmpty();
    if (!KMS.equals(sse)) {
      return copy;
    }
    // GenerateDataKey encrypts the copy; Decrypt is needed to read it back (and for multipart
    // copies); objects under another KMS key also need kms:Decrypt on that key
    RolePermissions.KeyUse copyKey =
        new RolePermissions.KeyUse(kmsKey, java.util.List.of("kms:Decrypt", "kms:GenerateDataKey"));
    if (!updates) {
      return copy.withKmsKey(copyKey);
    }
    // the UpdateObjectEncryption API reference lists s3:PutObject, s3:UpdateObjectEncryption and
    // kms:Encrypt, kms:Decrypt, kms:GenerateDataKey, kms:ReEncrypt* (envelope re-encryption)
    java.util.List<String> updateKms =
        java.util.List.of("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncrypt*");
    String updateWhy =
        "S3UpdateObjectEncryption re-encrypts each object's data key under the KMS key, no data"
            + " copied (PutObject, UpdateObjectEncryption)";
    if (method == Method.UPDATE_ENCRYPTION) {
      return RolePermissions.onObjects(updateWhy, "s3:PutObject", "s3:UpdateObjectEncryption")
          .withKmsKey(new RolePermissions.KeyUse(kmsKey, updateKms));
    }
    // auto: the run has update-encryption and copy jobs, and the role serves both
    java.util.List<String> objects = new java.util.ArrayList<>(copy.objectActions());
    objects.add("s3:UpdateObjectEncryption");
    java.util.List<String> keyActions = new java.util.ArrayList<>(copyKey.actions());
    keyActions.addAll(updateKms);
    return new RolePermissions(
            objects,
            copy.bucketActions(),
            java.util.Optional.empty(),
            java.util.Optional.empty(),
            updateWhy + "; for the other objects, " + copy.why())
        .withKmsKey(new RolePermissions.KeyUse(kmsKey, keyActions));
  }

  @Override
  public LocalTask localTask(S3Client s3) {
    requireNonNull(s3, "s3 is null");
    if (method == Method.UPDATE_ENCRYPTION) {
      return updateEncryptionTask(s3);
    }
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

  /**
   * UpdateObjectEncryption on each row's current object, as the AWS job's task does: no data
   * copied, no new version. A server that does not implement it fails the task with a clear
   * message, never a copy in its place (which would show a new version and a rewritten object that
   * AWS would not).
   *
   * <p>The request is {@code PUT /bucket/key?encryption}, and moto 5.2 takes it for a PutObject: it
   * answers 200 and replaces the object's data with the request's XML. So it goes with {@code
   * If-None-Match: *}, which a server that writes it as an object refuses for an existing key (412)
   * and that has no meaning for the real operation.
   */
  private LocalTask updateEncryptionTask(S3Client s3) {
    String done =
        "encryption updated to aws:kms key " + kmsKey + (bucketKey ? ", bucket key on" : "");
    return row ->
        S3Errors.guard(
            () -> {
              try {
                s3.updateObjectEncryption(
                    b ->
                        b.bucket(row.bucket())
                            .key(row.key())
                            .objectEncryption(
                                e -> e.ssekms(k -> k.kmsKeyArn(kmsKey).bucketKeyEnabled(bucketKey)))
                            .overrideConfiguration(o -> o.putHeader("If-None-Match", "*")));
              } catch (S3Exception e) {
                if (e.statusCode() == 412 || e.statusCode() == 501 || e.statusCode() == 405) {
                  return TaskOutcome.failed(
                      "NotImplemented",
                      e.statusCode(),
                      "this S3 server does not implement UpdateObjectEncryption (it answered "
                          + e.statusCode()
                          + " "
                          + S3Errors.code(e)
                          + (e.statusCode() == 412 ? ", as to a conditional PutObject" : "")
                          + "); nothing was changed. The sandbox cannot show this method: on AWS"
                          + " the job changes the encryption in place; locally, use method: copy");
                }
                throw e;
              }
              return TaskOutcome.succeeded(done);
            });
  }
}
