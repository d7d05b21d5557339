package dev.quarry.query;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What an engine that wrote a manifest itself tells about it: the totals a row-by-row count would
 * have given, computed by the engine.
 *
 * @param bytes the sum of the known sizes
 * @param unknownSizes rows without a size
 * @param storageClasses every storage class (rows without one under the request's name for them)
 * @param buckets every bucket
 * @param prefixes every prefix group, the ones beyond the request's bound folded into one
 * @param sample the first rows, in manifest order
 * @param overCopyLimit rows whose size is over {@link #COPY_LIMIT_BYTES}
 * @param overCopyLimitSample the first of them, in manifest order
 * @param parts the parts written as the request's {@link ManifestRequest.Parts} asked, if any
 */
public record SelectionSummary(
    Selection selection,
    long bytes,
    long unknownSizes,
    List<Group> storageClasses,
    List<Group> buckets,
    List<Group> prefixes,
    List<ObjectRow> sample,
    long overCopyLimit,
    Optional<ObjectRow> overCopyLimitSample,
    Optional<WrittenParts> parts) {
  /**
   * The largest object one CopyObject request copies, so the largest an S3PutObjectCopy task can: 5
   * GB, which S3 counts as 5 GiB. Larger objects need a multipart copy.
   */
  public static final long COPY_LIMIT_BYTES = 5L * 1024 * 1024 * 1024;

  public SelectionSummary {
    requireNonNull(parts, "parts is null");
    requireNonNull(overCopyLimitSample, "overCopyLimitSample is null");
    requireNonNull(selection, "selection is null");
    storageClasses = List.copyOf(storageClasses);
    buckets = List.copyOf(buckets);
    prefixes = List.copyOf(prefixes);
    sample = List.copyOf(sample);
  }

  /** A summary without parts. */
  public SelectionSummary(
      Selection selection,
      long bytes,
      long unknownSizes,
      List<Group> storageClasses,
      List<Group> buckets,
      List<Group> prefixes,
      List<ObjectRow> sample,
      long overCopyLimit,
      Optional<ObjectRow> overCopyLimitSample) {
    this(
        selection,
        bytes,
        unknownSizes,
        storageClasses,
        buckets,
        prefixes,
        sample,
        overCopyLimit,
        overCopyLimitSample,
        Optional.empty());
  }

  /**
   * The files of a split, in {@link ManifestRequest.Parts#dir()}, unordered.
   *
   * @param leftOut the manifest of the rows in classes left out, if there are any
   * @param leftOutClasses rows and bytes of each class left out
   */
  public record WrittenParts(List<Part> parts, Optional<Path> leftOut, List<Group> leftOutClasses) {
    public WrittenParts {
      requireNonNull(leftOut, "leftOut is null");
      parts = List.copyOf(parts);
      leftOutClasses = List.copyOf(leftOutClasses);
    }
  }

  /**
   * One part's manifest and storage class file, with its rows and the sum of its known sizes.
   *
   * @param bucket its bucket, empty when the split is not by bucket
   * @param storageClass its class, empty when the split is not by class
   */
  public record Part(
      String bucket,
      String storageClass,
      Path manifest,
      Path storageClassFile,
      long objects,
      long bytes) {
    public Part {
      requireNonNull(bucket, "bucket is null");
      requireNonNull(storageClass, "storageClass is null");
      requireNonNull(manifest, "manifest is null");
      requireNonNull(storageClassFile, "storageClassFile is null");
    }
  }

  /** Rows and bytes of one storage class, bucket or prefix; unordered. */
  public record Group(String name, long objects, long bytes) {
    public Group {
      requireNonNull(name, "name is null");
    }
  }
}
