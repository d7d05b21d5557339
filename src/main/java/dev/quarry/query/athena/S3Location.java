package dev.quarry.query.athena;

import static java.util.Objects.requireNonNull;

/** An {@code s3://bucket/key} URI, as Athena gives result locations. */
record S3Location(String bucket, String key) {
  private static final String SCHEME = "s3://";

  S3Location {
    requireNonNull(bucket, "bucket is null");
    requireNonNull(key, "key is null");
  }

  /**
   * @throws IllegalArgumentException if the text is not {@code s3://bucket[/key]}
   */
  static S3Location parse(String uri) {
    if (!uri.startsWith(SCHEME)) {
      throw new IllegalArgumentException("not an s3:// location: " + uri);
    }
    String rest = uri.substring(SCHEME.length());
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    if (bucket.isEmpty()) {
      throw new IllegalArgumentException("no bucket in " + uri);
    }
    return new S3Location(bucket, slash < 0 ? "" : rest.substring(slash + 1));
  }

  @Override
  public String toString() {
    return SCHEME + bucket + "/" + key;
  }
}
