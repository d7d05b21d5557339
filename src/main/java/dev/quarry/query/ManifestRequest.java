package dev.quarry.query;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A manifest an engine is asked to write itself, with the totals a plan shows.
 *
 * @param file where the S3BatchOperations_CSV_20180820 file goes (replaced); it has a version field
 *     exactly when {@code identity} is {@link TaskIdentity#BUCKET_KEY_VERSION}
 * @param maxPrefixes how many distinct prefixes, in order of first appearance, keep their own
 *     group; later ones are counted under {@code otherPrefixes}
 * @param unknownStorageClass the group name of rows without a storage class
 * @param sampleSize how many of the first rows to return
 * @param storageClassFile where each task's storage class goes ({@link
 *     dev.quarry.manifest.StorageClassFile}), if wanted (replaced)
 */
public record ManifestRequest(
    Path file,
    TaskIdentity identity,
    int maxPrefixes,
    String otherPrefixes,
    String unknownStorageClass,
    int sampleSize,
    Optional<Path> storageClassFile) {
  public ManifestRequest {
    requireNonNull(storageClassFile, "storageClassFile is null");
    requireNonNull(file, "file is null");
    requireNonNull(identity, "identity is null");
    requireNonNull(otherPrefixes, "otherPrefixes is null");
    requireNonNull(unknownStorageClass, "unknownStorageClass is null");
    if (maxPrefixes < 0 || sampleSize < 0) {
      throw new IllegalArgumentException("negative bounds: " + maxPrefixes + ", " + sampleSize);
    }
  }

  /** A request that wants no storage class file. */
  public ManifestRequest(
      Path file,
      TaskIdentity identity,
      int maxPrefixes,
      String otherPrefixes,
      String unknownStorageClass,
      int sampleSize) {
    this(
        file,
        identity,
        maxPrefixes,
        otherPrefixes,
        unknownStorageClass,
        sampleSize,
        Optional.empty());
  }

  public boolean withVersionIds() {
    return identity == TaskIdentity.BUCKET_KEY_VERSION;
  }
}
