package dev.quarry.playbook;

import static java.util.Objects.requireNonNull;

/** What the completion report lists. */
public record ReportSpec(Scope scope) {
  public ReportSpec {
    requireNonNull(scope, "scope is null");
  }

  /** S3 Batch Operations' ReportScope. */
  public enum Scope {
    /** AllTasks */
    ALL,
    /** FailedTasksOnly */
    FAILED
  }
}
