package dev.quarry.query;

import static java.util.Objects.requireNonNull;

/**
 * One object a playbook's query selected.
 *
 * @param versionId null where the query returns no version, or the object has the null version
 * @param size bytes, or null when unknown
 * @param storageClass or null when unknown
 */
public record ObjectRow(
    String bucket, String key, String versionId, Long size, String storageClass) {
  public ObjectRow {
    requireNonNull(bucket, "bucket is null");
    requireNonNull(key, "key is null");
  }
}
