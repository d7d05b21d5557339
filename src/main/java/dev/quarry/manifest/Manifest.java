package dev.quarry.manifest;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * A written manifest in S3BatchOperations_CSV_20180820 format.
 *
 * @param etag the MD5 of the file in hex: the ETag S3 gives it on a single-part upload, which
 *     CreateJob requires
 * @param withVersionIds whether every row has a third field (a version id or {@code null})
 */
public record Manifest(Path file, String etag, long rows, long bytes, boolean withVersionIds) {
  public Manifest {
    requireNonNull(file, "file is null");
    requireNonNull(etag, "etag is null");
  }

  /** The CreateJob manifest spec's fields. */
  public java.util.List<String> fields() {
    return withVersionIds
        ? java.util.List.of("Bucket", "Key", "VersionId")
        : java.util.List.of("Bucket", "Key");
  }
}
