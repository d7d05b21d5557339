package dev.quarry.report;

import static java.util.Objects.requireNonNull;

import dev.quarry.action.TaskOutcome;

/**
 * One task of a job and its outcome: a row of a completion report.
 *
 * @param versionId the manifest row's version id; null when the manifest has none
 */
public record TaskResult(String bucket, String key, String versionId, TaskOutcome outcome) {
  public TaskResult {
    requireNonNull(bucket, "bucket is null");
    requireNonNull(key, "key is null");
    requireNonNull(outcome, "outcome is null");
  }
}
