package dev.quarry.report;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What changed between two reviews of one playbook's runs: counts, errors by code and status, and
 * duration. Deltas are {@code b - a}.
 */
public record ReportComparison(
    ReportAnalysis a,
    ReportAnalysis b,
    long tasksDelta,
    long succeededDelta,
    long failedDelta,
    Optional<Duration> durationDelta,
    List<ErrorChange> errors) {
  public ReportComparison {
    requireNonNull(a, "a is null");
    requireNonNull(b, "b is null");
    requireNonNull(durationDelta, "durationDelta is null");
    errors = List.copyOf(errors);
  }

  /** One error code and status, its count in each run (0 when absent there). */
  public record ErrorChange(String errorCode, int httpStatus, long inA, long inB) {
    public long delta() {
      return inB - inA;
    }
  }

  public static ReportComparison of(ReportAnalysis a, ReportAnalysis b) {
    Map<List<Object>, long[]> errors = new LinkedHashMap<>();
    for (ReportAnalysis.FailureGroup g : a.failures()) {
      errors.computeIfAbsent(List.of(g.errorCode(), g.httpStatus()), k -> new long[2])[0] =
          g.count();
    }
    for (ReportAnalysis.FailureGroup g : b.failures()) {
      errors.computeIfAbsent(List.of(g.errorCode(), g.httpStatus()), k -> new long[2])[1] =
          g.count();
    }
    List<ErrorChange> changes = new ArrayList<>();
    errors.forEach(
        (k, v) -> changes.add(new ErrorChange((String) k.get(0), (Integer) k.get(1), v[0], v[1])));
    Optional<Duration> duration =
        a.duration().isPresent() && b.duration().isPresent()
            ? Optional.of(b.duration().get().minus(a.duration().get()))
            : Optional.empty();
    return new ReportComparison(
        a,
        b,
        b.tasks() - a.tasks(),
        b.succeeded() - a.succeeded(),
        b.failed() - a.failed(),
        duration,
        changes);
  }
}
