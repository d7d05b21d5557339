package dev.quarry.job.local;

import static java.util.Objects.requireNonNull;

import dev.quarry.action.TaskOutcome;
import dev.quarry.query.ObjectRow;

/**
 * One manifest row and, once its task ran, its outcome.
 *
 * @param index the row's 0-based position in the manifest: the task's identity
 * @param retryable the task failed transiently (throttling, 5xx, no answer) until its retries ran
 *     out: a resume may run it again
 */
record TaskRecord(long index, ObjectRow row, TaskOutcome outcome, boolean retryable) {
  TaskRecord {
    requireNonNull(row, "row is null");
  }

  static TaskRecord pending(long index, ObjectRow row) {
    return new TaskRecord(index, row, null, false);
  }

  TaskRecord with(TaskOutcome result) {
    return new TaskRecord(index, row, requireNonNull(result, "result is null"), false);
  }

  TaskRecord withRetryable(TaskOutcome result) {
    return new TaskRecord(index, row, requireNonNull(result, "result is null"), true);
  }
}
