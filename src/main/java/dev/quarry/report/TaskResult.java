package dev.quarry.report;

import static java.util.Objects.requireNonNull;

import dev.quarry.action.TaskOutcome;

/**
 * One task of a job and its outcome: a row of a completion report.
 *
 * @param versionId the manifest row's version id; null when the manifest has none
 */
public record TaskResult(String bucket, String key, String versionId, TaskOutcome outcome) {
  /**
   * The result message AWS writes in every succeeded row (its published reports: {@code
   * bucket,key,,succeeded,200,,Successful}); a report reader or a script that matches it must see
   * the same word locally.
   */
  public static final String SUCCESSFUL = "Successful";

  public TaskResult {
    requireNonNull(bucket, "bucket is null");
    requireNonNull(key, "key is null");
    requireNonNull(outcome, "outcome is null");
  }

  /**
   * This row as a completion report carries it: a succeeded task's message is {@link #SUCCESSFUL},
   * whatever the task said (AWS writes nothing else there); a failed row is unchanged.
   */
  public TaskResult asReported() {
    return outcome.succeeded() && !outcome.message().equals(SUCCESSFUL)
        ? new TaskResult(bucket, key, versionId, TaskOutcome.succeeded(SUCCESSFUL))
        : this;
  }
}
