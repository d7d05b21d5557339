package dev.quarry.query;

/**
 * Which fields make two selected rows the same manifest task. A manifest never holds one task
 * twice: S3 Batch Operations would run it twice (a journal query that names a key once per event
 * copied each key several times).
 */
public enum TaskIdentity {
  /** {@code bucket,key} manifests: a key is one task whatever versions the query named. */
  BUCKET_KEY,
  /** {@code bucket,key,versionId} manifests: one task per version; NULL versions are equal. */
  BUCKET_KEY_VERSION;

  /** The identity of a manifest with or without its version field. */
  public static TaskIdentity of(boolean withVersionIds) {
    return withVersionIds ? BUCKET_KEY_VERSION : BUCKET_KEY;
  }
}
