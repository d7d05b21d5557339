package dev.quarry.job.local;

import static java.util.Objects.requireNonNull;

import dev.quarry.action.LocalTask;
import dev.quarry.action.TaskOutcome;
import dev.quarry.action.TransientTaskException;
import java.time.Clock;
import java.util.Optional;
import org.springframework.batch.infrastructure.item.ItemProcessor;
import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;

/**
 * Runs one row's task and gives it exactly one outcome. Transient failures are retried with
 * exponential backoff and become the outcome when the retries run out; any other exception is a
 * failed outcome too, so one bad row never stops the job.
 *
 * <p>For an action that is not idempotent, an intent is committed before the call and its outcome
 * right after. A row whose intent an earlier attempt left behind is not run again: it gets the
 * outcome recorded then, or, if none was, a failure saying it was interrupted while running.
 */
final class TaskProcessor implements ItemProcessor<TaskRecord, TaskRecord> {
  static final String IN_DOUBT_CODE = "InterruptedInDoubt";
  static final String IN_DOUBT_MESSAGE =
      "interrupted while running; not retried because the action is not idempotent";
  static final String TASK_ERROR_CODE = "LocalTaskError";

  private final LocalTask task;
  private final boolean idempotent;
  private final OutcomeStore outcomes;
  private final RetryTemplate retry;
  private final Clock clock;

  TaskProcessor(
      LocalTask task,
      boolean idempotent,
      OutcomeStore outcomes,
      LocalBatchJobs.Settings settings,
      Clock clock) {
    this.task = requireNonNull(task, "task is null");
    this.idempotent = idempotent;
    this.outcomes = requireNonNull(outcomes, "outcomes is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.retry =
        new RetryTemplate(
            RetryPolicy.builder()
                .includes(TransientTaskException.class)
                .maxRetries(settings.maxRetries())
                .delay(settings.initialBackoff())
                .multiplier(2)
                .maxDelay(settings.maxBackoff())
                .build());
  }

  @Override
  public TaskRecord process(TaskRecord item) {
    if (idempotent) {
      return item.with(run(item));
    }
    if (!outcomes.recordIntent(item.index(), clock.instant())) {
      Optional<TaskOutcome> recorded = outcomes.intent(item.index()).flatMap(o -> o);
      return item.with(
          recorded.orElseGet(() -> TaskOutcome.failed(IN_DOUBT_CODE, 0, IN_DOUBT_MESSAGE)));
    }
    TaskOutcome outcome = run(item);
    outcomes.recordIntentOutcome(item.index(), outcome);
    return item.with(outcome);
  }

  private TaskOutcome run(TaskRecord item) {
    try {
      TaskOutcome outcome = retry.execute(() -> task.run(item.row()));
      return outcome != null
          ? outcome
          : TaskOutcome.failed(TASK_ERROR_CODE, 0, "the task returned no outcome");
    } catch (RetryException e) {
      Throwable last = e.getLastException();
      if (last instanceof TransientTaskException t) {
        return t.asOutcome();
      }
      return TaskOutcome.failed(TASK_ERROR_CODE, 0, String.valueOf(last));
    }
  }
}
