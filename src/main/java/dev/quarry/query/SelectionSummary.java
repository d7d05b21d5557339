package dev.quarry.query;

import static java.util.Objects.requireNonNull;

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
    Optional<ObjectRow> overCopyLimitSample) {
  /**
   * The largest object one CopyObject request copies, so the largest an S3PutObjectCopy task can: 5
   * GB, which S3 counts as 5 GiB. Larger objects need a multipart copy.
   */
  public static final long COPY_LIMIT_BYTES = 5L * 1024 * 1024 * 1024;

  public SelectionSummary {
    requireNonNull(overCopyLimitSample, "overCopyLimitSample is null");
    requireNonNull(selection, "selection is null");
    storageClasses = List.copyOf(storageClasses);
    buckets = List.copyOf(buckets);
    prefixes = List.copyOf(prefixes);
    sample = List.copyOf(sample);
  }

  /** Rows and bytes of one storage class, bucket or prefix; unordered. */
  public record Group(String name, long objects, long bytes) {
    public Group {
      requireNonNull(name, "name is null");
    }
  }
}
