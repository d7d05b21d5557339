package dev.quarry.query;

import static java.util.Objects.requireNonNull;

import java.util.List;

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
 */
public record SelectionSummary(
    Selection selection,
    long bytes,
    long unknownSizes,
    List<Group> storageClasses,
    List<Group> buckets,
    List<Group> prefixes,
    List<ObjectRow> sample) {
  public SelectionSummary {
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
