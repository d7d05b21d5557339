package dev.quarry.report;

import static java.util.Objects.requireNonNull;

import dev.quarry.action.TaskOutcome;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What a completion report says, in a few lines: how many tasks ran, succeeded and failed, and the
 * failures grouped by error code and HTTP status, each group with its count and a few of its keys.
 * Built by streaming the report's rows once; memory grows with the number of groups, not of tasks.
 *
 * @param failures the groups, largest first
 */
public record ReportReview(
    String jobId, long tasks, long succeeded, long failed, List<FailureGroup> failures) {
  public ReportReview {
    requireNonNull(jobId, "jobId is null");
    failures = List.copyOf(failures);
  }

  /**
   * The failed tasks that share an error code and an HTTP status.
   *
   * @param errorCode empty when the report gave none
   * @param httpStatus 0 when the report gave none
   * @param exampleKeys up to the review's limit, decoded, in report order
   */
  public record FailureGroup(
      String errorCode, int httpStatus, long count, List<String> exampleKeys) {
    public FailureGroup {
      requireNonNull(errorCode, "errorCode is null");
      exampleKeys = List.copyOf(exampleKeys);
    }
  }

  /** Collects rows; {@link #build()} gives the review. */
  public static Builder builder(String jobId, int maxExamples) {
    return new Builder(jobId, maxExamples);
  }

  /** A review collector for {@link CompletionReportReader#read}. */
  public static final class Builder implements Consumer<TaskResult> {
    private final String jobId;
    private final int maxExamples;
    private final Map<List<Object>, Group> groups = new LinkedHashMap<>();
    private long succeeded;
    private long failed;

    private Builder(String jobId, int maxExamples) {
      this.jobId = requireNonNull(jobId, "jobId is null");
      if (maxExamples < 0) {
        throw new IllegalArgumentException("maxExamples < 0: " + maxExamples);
      }
      this.maxExamples = maxExamples;
    }

    @Override
    public void accept(TaskResult result) {
      TaskOutcome outcome = result.outcome();
      if (outcome.succeeded()) {
        succeeded++;
        return;
      }
      failed++;
      String code = outcome.errorCode() == null ? "" : outcome.errorCode();
      Group group =
          groups.computeIfAbsent(
              List.of(code, outcome.httpStatus()), k -> new Group(code, outcome.httpStatus()));
      group.count++;
      if (group.examples.size() < maxExamples) {
        group.examples.add(result.key());
      }
    }

    public ReportReview build() {
      List<FailureGroup> failures =
          groups.values().stream()
              .sorted(
                  Comparator.comparingLong((Group g) -> g.count)
                      .reversed()
                      .thenComparing(g -> g.code)
                      .thenComparingInt(g -> g.status))
              .map(g -> new FailureGroup(g.code, g.status, g.count, g.examples))
              .toList();
      return new ReportReview(jobId, succeeded + failed, succeeded, failed, failures);
    }

    private static final class Group {
      final String code;
      final int status;
      final List<String> examples = new ArrayList<>();
      long count;

      Group(String code, int status) {
        this.code = code;
        this.status = status;
      }
    }
  }
}
