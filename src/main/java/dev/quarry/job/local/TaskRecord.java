package dev.quarry.job.local;

import static java.util.Objects.requireNonNull;

import dev.quarry.action.TaskOutcome;
import dev.quarry.query.ObjectRow;

/**
 * One manifest row and, once its task ran, its outcome.
 *
 * @param index the row's 0-based position in the manifest: the task's identity
 */
record TaskRecord(long index, ObjectRow row, TaskOutcome outcome) {
  TaskRecord {
    requireNonNull(row, "row is null");
  }

  static TaskRecord pending(long index, ObjectRow row) {
    return new TaskRecord(index, row, null);
  }

  TaskRecord with(TaskOutcome result) {
    return new TaskRecord(index, row, requireNonNull(result, "result is null"));
  }
}
