package dev.quarry.query;

import static java.util.Objects.requireNonNull;

import dev.quarry.error.QuarryException;

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

  /**
   * Row {@code number} (1-based) of a playbook query's result.
   *
   * @throws QuarryException (user) when the query gave it no bucket or no key
   */
  public static ObjectRow selected(
      long number, String bucket, String key, String versionId, Long size, String storageClass) {
    if (bucket == null || key == null) {
      throw QuarryException.user(
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
