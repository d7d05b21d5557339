package dev.quarry.report;

import static java.util.Objects.requireNonNull;

import dev.quarry.action.TaskOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The review a person reads after a run: totals and success rate, duration and throughput, the
 * failures grouped by error code and HTTP status with a hint, the top prefixes, the storage
 * classes, the failed tasks (decoded) and the run's timeline. Built by streaming report rows once;
 * memory grows with the groups and the failed tasks kept (at most {@code maxFailed}), not with the
 * tasks.
 *
 * <p>Storage classes: neither Report_CSV_20180820 rows nor the S3BatchOperations_CSV_20180820
 * manifest carry one, so every task counts as {@link #UNKNOWN_CLASS} unless the builder is given a
 * class per key (see {@link Builder#storageClassOf}).
 *
 * @param duration from the job's (or run's) start to its end; absent while unknown
 * @param failedTasks the first {@code maxFailed} failed tasks, in report order
 * @param timeline status changes with the tasks done known at each, oldest first
 */
public record ReportAnalysis(
    String subject,
    List<String> jobIds,
    long tasks,
    long succeeded,
    long failed,
    Optional<Duration> duration,
    List<FailureGroup> failures,
    List<Group> prefixes,
    List<Group> storageClasses,
    String storageClassSource,
    List<FailedTask> failedTasks,
    List<TimelinePoint> timeline) {
  public static final String UNKNOWN_CLASS = "(unknown)";
  public static final String OTHER = "(other prefixes)";
  public static final int TOP_PREFIXES = 10;
  private static final int MAX_PREFIXES = 10_000;

  public ReportAnalysis {
    requireNonNull(subject, "subject is null");
    jobIds = List.copyOf(jobIds);
    requireNonNull(duration, "duration is null");
    failures = List.copyOf(failures);
    prefixes = List.copyOf(prefixes);
    storageClasses = List.copyOf(storageClasses);
    requireNonNull(storageClassSource, "storageClassSource is null");
    failedTasks = List.copyOf(failedTasks);
    timeline = List.copyOf(timeline);
  }

  /** Succeeded tasks per task, 0 to 1; 0 when no task ran. */
  public double successRate() {
    return tasks == 0 ? 0 : (double) succeeded / tasks;
  }

  /** Tasks per second over the duration; absent without a (non-zero) duration. */
  public Optional<Double> tasksPerSecond() {
    return duration
        .filter(d -> !d.isZero() && !d.isNegative())
        .map(d -> tasks / (d.toMillis() / 1000.0));
  }

  /** Failed tasks that share an error code and HTTP status, with a hint when one is known. */
  public record FailureGroup(String errorCode, int httpStatus, long count, Optional<String> hint) {
    public FailureGroup {
      requireNonNull(errorCode, "errorCode is null");
      requireNonNull(hint, "hint is null");
    }
  }

  /** Tasks under one name (a prefix, a storage class). */
  public record Group(String name, long tasks, long succeeded, long failed) {
    public Group {
      requireNonNull(name, "name is null");
    }
  }

  /** One failed task, its key decoded. */
  public record FailedTask(
      String bucket,
      String key,
      String versionId,
      String errorCode,
      int httpStatus,
      String message) {
    public FailedTask {
      requireNonNull(bucket, "bucket is null");
      requireNonNull(key, "key is null");
      requireNonNull(errorCode, "errorCode is null");
      requireNonNull(message, "message is null");
    }
  }

  /** A status the job entered, when, and how many tasks were done then (as far as known). */
  public record TimelinePoint(Instant at, String status, long tasksDone) {
    public TimelinePoint {
      requireNonNull(at, "at is null");
      requireNonNull(status, "status is null");
    }
  }

  public static Builder builder(String subject, int maxFailed) {
    return new Builder(subject, maxFailed);
  }

  /** A collector of report rows; several jobs' reports may feed one builder. */
  public static final class Builder implements Consumer<TaskResult> {
    private final String subject;
    private final int maxFailed;
    private final List<String> jobIds = new ArrayList<>();
    private final Map<List<Object>, long[]> failures = new LinkedHashMap<>();
    private final Map<String, long[]> prefixes = new HashMap<>();
    private final Map<String, long[]> classes = new HashMap<>();
    private final List<FailedTask> failedTasks = new ArrayList<>();
    private final List<TimelinePoint> timeline = new ArrayList<>();
    private java.util.function.Function<TaskResult, Optional<String>> storageClassOf =
        r -> Optional.empty();
    private String storageClassSource =
        "none: neither the completion report nor the manifest records a storage class";
    private Duration duration;
    private long succeeded;
    private long failed;

    private Builder(String subject, int maxFailed) {
      this.subject = requireNonNull(subject, "subject is null");
      if (maxFailed < 0) {
        throw new IllegalArgumentException("maxFailed < 0: " + maxFailed);
      }
      this.maxFailed = maxFailed;
    }

    /** Where each task's storage class comes from, and how to say so. */
    public Builder storageClassOf(
        java.util.function.Function<TaskResult, Optional<String>> lookup, String source) {
      this.storageClassOf = requireNonNull(lookup, "lookup is null");
      this.storageClassSource = requireNonNull(source, "source is null");
      return this;
    }

    public Builder job(String jobId) {
      jobIds.add(requireNonNull(jobId, "jobId is null"));
      return this;
    }

    public Builder duration(Duration value) {
      this.duration = value;
      return this;
    }

    public Builder timeline(Instant at, String status, long tasksDone) {
      timeline.add(new TimelinePoint(at, status, tasksDone));
      return this;
    }

    @Override
    public void accept(TaskResult result) {
      TaskOutcome outcome = result.outcome();
      boolean ok = outcome.succeeded();
      String prefix = prefixOf(result.key());
      count(
          prefixes,
          prefixes.size() < MAX_PREFIXES || prefixes.containsKey(prefix) ? prefix : OTHER,
          ok);
      count(classes, storageClassOf.apply(result).orElse(UNKNOWN_CLASS), ok);
      if (ok) {
        succeeded++;
        return;
      }
      failed++;
      String code = outcome.errorCode() == null ? "" : outcome.errorCode();
      failures.computeIfAbsent(List.of(code, outcome.httpStatus()), k -> new long[1])[0]++;
      if (failedTasks.size() < maxFailed) {
        failedTasks.add(
            new FailedTask(
                result.bucket(),
                result.key(),
                result.versionId(),
                code,
                outcome.httpStatus(),
                outcome.message()));
      }
    }

    private static void count(Map<String, long[]> groups, String name, boolean ok) {
      long[] c = groups.computeIfAbsent(name, k -> new long[2]);
      c[ok ? 0 : 1]++;
    }

    /** The key's first path segment with its slash, or the key itself when it has none. */
    static String prefixOf(String key) {
      int slash = key.indexOf('/');
      return slash < 0 ? key : key.substring(0, slash + 1);
    }

    public ReportAnalysis build() {
      List<FailureGroup> groups =
          failures.entrySet().stream()
              .map(
                  e -> {
                    String code = (String) e.getKey().get(0);
                    int status = (Integer) e.getKey().get(1);
                    return new FailureGroup(
                        code, status, e.getValue()[0], ErrorHints.of(code, status));
                  })
              .sorted(
                  Comparator.comparingLong(FailureGroup::count)
                      .reversed()
                      .thenComparing(FailureGroup::errorCode)
                      .thenComparingInt(FailureGroup::httpStatus))
              .toList();
      return new ReportAnalysis(
          subject,
          jobIds,
          succeeded + failed,
          succeeded,
          failed,
          Optional.ofNullable(duration),
          groups,
          top(prefixes, TOP_PREFIXES),
          top(classes, Integer.MAX_VALUE),
          storageClassSource,
          failedTasks,
          timeline);
    }

    /** The largest groups; the rest summed into {@link #OTHER}. */
    private static List<Group> top(Map<String, long[]> groups, int limit) {
      List<Group> all =
          groups.entrySet().stream()
              .map(
                  e ->
                      new Group(
                          e.getKey(),
                          e.getValue()[0] + e.getValue()[1],
                          e.getValue()[0],
                          e.getValue()[1]))
              .sorted(Comparator.comparingLong(Group::tasks).reversed().thenComparing(Group::name))
              .toList();
      if (all.size() <= limit) {
        return all;
      }
      List<Group> out = new ArrayList<>(all.subList(0, limit));
      long s = 0;
      long f = 0;
      for (Group g : all.subList(limit, all.size())) {
        s += g.succeeded();
        f += g.failed();
      }
      out.add(new Group(OTHER, s + f, s, f));
      return out;
    }
  }
}
