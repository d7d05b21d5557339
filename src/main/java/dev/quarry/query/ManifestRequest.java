package dev.quarry.query;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

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
 * @param parts the parts of a split plan to write from the same rows, if wanted: an engine that
 *     cannot leaves {@link SelectionSummary#parts()} empty and the caller reads the query again
 */
public record ManifestRequest(
    Path file,
    TaskIdentity identity,
    int maxPrefixes,
    String otherPrefixes,
    String unknownStorageClass,
    int sampleSize,
    Optional<Path> storageClassFile,
    Optional<Parts> parts) {
  public ManifestRequest {
    requireNonNull(parts, "parts is null");
    requireNonNull(storageClassFile, "storageClassFile is null");
    requireNonNull(file, "file is null");
    requireNonNull(identity, "identity is null");
    requireNonNull(otherPrefixes, "otherPrefixes is null");
    requireNonNull(unknownStorageClass, "unknownStorageClass is null");
    if (maxPrefixes < 0 || sampleSize < 0) {
      throw new IllegalArgumentException("negative bounds: " + maxPrefixes + ", " + sampleSize);
    }
  }

  /** A request that wants no parts. */
  public ManifestRequest(
      Path file,
      TaskIdentity identity,
      int maxPrefixes,
      String otherPrefixes,
      String unknownStorageClass,
      int sampleSize,
      Optional<Path> storageClassFile) {
    this(
        file,
        identity,
        maxPrefixes,
        otherPrefixes,
        unknownStorageClass,
        sampleSize,
        storageClassFile,
        Optional.empty());
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

  /**
   * The parts of a plan split by bucket and/or storage class with every row admitted (no per-row
   * routing): one manifest and one storage class file per part, and one manifest of the rows in the
   * classes left out, each in the rows' manifest order, written as {@link
   * dev.quarry.manifest.ManifestWriter} and {@link dev.quarry.manifest.StorageClassFile} would.
   * None is written when one part would take every row, or when a split by class meets rows without
   * a class (the plan refuses those).
   *
   * @param dir where the files go, a folder of the run's own (created)
   * @param leftOut the classes whose rows go to the left-out manifest instead of a part
   */
  public record Parts(Path dir, boolean byBucket, boolean byClass, Set<String> leftOut) {
    public Parts {
      requireNonNull(dir, "dir is null");
      leftOut = Set.copyOf(leftOut);
    }
  }

  public boolean withVersionIds() {
    return identity == TaskIdentity.BUCKET_KEY_VERSION;
  }
}
