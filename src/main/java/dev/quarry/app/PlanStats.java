package dev.quarry.app;

import dev.quarry.query.ObjectRow;
import dev.quarry.query.SelectionSummary;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Totals of a plan, accumulated row by row in bounded memory: a few counters per storage class and
 * bucket, at most {@link #MAX_PREFIXES} prefixes (the rest are counted as {@link #OTHER}), and the
 * first {@link #SAMPLE_SIZE} rows.
 */
final class PlanStats {
  static final int MAX_PREFIXES = 10_000;
  static final int SAMPLE_SIZE = 5;
  static final String OTHER = "(other prefixes)";
  static final String UNKNOWN = "(unknown)";

  private long objects;
  private long bytes;
  private long unknownSizes;
  private long overCopyLimit;
  private ObjectRow overCopyLimitSample;
  private final Map<String, long[]> storageClasses = new TreeMap<>();
  private final Map<String, long[]> prefixes = new HashMap<>();
  private final Map<String, long[]> buckets = new TreeMap<>();
  private final List<ObjectRow> sample = new ArrayList<>();

  /** The totals an engine computed itself, as if its rows had been added one by one. */
  static PlanStats of(SelectionSummary summary) {
    PlanStats stats = new PlanStats();
    stats.objects = summary.selection().objects();
    stats.bytes = summary.bytes();
    stats.unknownSizes = summary.unknownSizes();
    summary.storageClasses().forEach(g -> put(stats.storageClasses, g));
    summary.buckets().forEach(g -> put(stats.buckets, g));
    summary.prefixes().forEach(g -> put(stats.prefixes, g));
    stats.sample.addAll(summary.sample());
    stats.overCopyLimit = summary.overCopyLimit();
    stats.overCopyLimitSample = summary.overCopyLimitSample().orElse(null);
    return stats;
  }

  private static void put(Map<String, long[]> groups, SelectionSummary.Group group) {
    groups.put(group.name(), new long[] {group.objects(), group.bytes()});
  }

  void add(ObjectRow row) {
    objects++;
    long size = row.size() == null ? 0 : row.size();
    if (row.size() == null) {
      unknownSizes++;
    }
    bytes += size;
    if (size > SelectionSummary.COPY_LIMIT_BYTES) {
      overCopyLimit++;
      if (overCopyLimitSample == null) {
        overCopyLimitSample = row;
      }
    }
    add(storageClasses, row.storageClass() == null ? UNKNOWN : row.storageClass(), size);
    add(buckets, row.bucket(), size);
    String prefix = prefixOf(row.key());
    add(
        prefixes,
        prefixes.size() < MAX_PREFIXES || prefixes.containsKey(prefix) ? prefix : OTHER,
        size);
    if (sample.size() < SAMPLE_SIZE) {
      // what a plan shows of each object, as the engine's own sample has it
      sample.add(
          new ObjectRow(row.bucket(), row.key(), row.versionId(), row.size(), row.storageClass()));
    }
  }

  /** The key's first path segment with its slash, or the key itself when it has none. */
  static String prefixOf(String key) {
    int slash = key.indexOf('/');
    return slash < 0 ? key : key.substring(0, slash + 1);
  }

  long objects() {
    return objects;
  }

  long bytes() {
    return bytes;
  }

  long unknownSizes() {
    return unknownSizes;
  }

  /**
   * Objects over {@link SelectionSummary#COPY_LIMIT_BYTES}: no S3PutObjectCopy task copies them.
   */
  PlanResult.OverCopyLimit overCopyLimit() {
    return new PlanResult.OverCopyLimit(
        overCopyLimit,
        SelectionSummary.COPY_LIMIT_BYTES,
        Optional.ofNullable(overCopyLimitSample).map(ObjectRow::key));
  }

  List<ObjectRow> sample() {
    return List.copyOf(sample);
  }

  List<PlanResult.Group> storageClasses() {
    return groups(storageClasses, Integer.MAX_VALUE);
  }

  List<PlanResult.Group> buckets() {
    return groups(buckets, Integer.MAX_VALUE);
  }

  List<PlanResult.Group> topPrefixes(int limit) {
    return groups(prefixes, limit);
  }

  private static void add(Map<String, long[]> groups, String name, long size) {
    long[] counts = groups.computeIfAbsent(name, n -> new long[2]);
    counts[0]++;
    counts[1] += size;
  }

  private static List<PlanResult.Group> groups(Map<String, long[]> groups, int limit) {
    return groups.entrySet().stream()
        .map(e -> new PlanResult.Group(e.getKey(), e.getValue()[0], e.getValue()[1]))
        .sorted(
            Comparator.comparingLong(PlanResult.Group::objects)
                .reversed()
                .thenComparing(PlanResult.Group::name))
        .limit(limit)
        .toList();
  }
}
