package dev.quarry.query;

import static java.util.Objects.requireNonNull;

import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;

/**
 * One object a playbook's query selected.
 *
 * @param versionId null where the query returns no version, or the object has the null version
 * @param size bytes, or null when unknown
 * @param storageClass or null when unknown
 * @param encryption the inventory's {@code encryption_status} (SSE-S3, SSE-KMS, DSSE-KMS, SSE-C),
 *     or null when unencrypted or unknown
 * @param kmsKeyArn the inventory's {@code kms_key_arn}, or null
 * @param objectLocked whether the object is under Object Lock retention or legal hold, null when
 *     unknown: the metadata tables do not record it, only a query that selects {@code
 *     object_lock_mode} or {@code object_lock_legal_hold_status} (S3 Inventory's names) says
 */
public record ObjectRow(
    String bucket,
    String key,
    String versionId,
    Long size,
    String storageClass,
    String encryption,
    String kmsKeyArn,
    Boolean objectLocked) {
  public ObjectRow {
    requireNonNull(bucket, "bucket is null");
    requireNonNull(key, "key is null");
  }

  /** A row whose encryption and Object Lock state are unknown. */
  public ObjectRow(String bucket, String key, String versionId, Long size, String storageClass) {
    this(bucket, key, versionId, size, storageClass, null, null, null);
  }

  /** The same row with its encryption and Object Lock state. */
  public ObjectRow withEncryption(String encryption, String kmsKeyArn, Boolean objectLocked) {
    return new ObjectRow(
        bucket, key, versionId, size, storageClass, encryption, kmsKeyArn, objectLocked);
  }

  /**
   * Whether S3 Inventory's Object Lock fields say the object is locked: a retention mode, or a
   * legal hold that is ON (for a query that selects at least one of them; NULL is neither).
   */
  public static boolean locked(String objectLockMode, String legalHoldStatus) {
    return (objectLockMode != null && !objectLockMode.isBlank())
        || "ON".equalsIgnoreCase(legalHoldStatus);
  }

  /**
   * Row {@code number} (1-based) of a playbook query's result.
   *
   * @throws QuarryException (user) when the query gave it no bucket or no key
   */
  public static ObjectRow selected(
      long number, String bucket, String key, String versionId, Long size, String storageClass) {
    if (bucket == null || key == null) {
      throw QuarryException.user(
          ErrorCode.QUERY_RESULT_INVALID,
          "row "
              + number
              + " of the query has a NULL "
              + (bucket == null ? "bucket" : "key")
              + " (key "
              + key
              + "); every selected object needs a bucket and a key: filter the others out"
              + " with WHERE bucket IS NOT NULL AND key IS NOT NULL");
    }
    return new ObjectRow(bucket, key, versionId, size, storageClass);
  }
}
