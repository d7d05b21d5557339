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
 *
 * <p>Each outcome is told to the job's {@link JobControl} as soon as it is known, for Quarry's
 * early stop; once the job is stopping, transient failures are no longer retried (the task is
 * recorded as retryable, for a resume), so that a job against an endpoint that is down ends in
 * seconds.
 */
final class TaskProcessor implements ItemProcessor<TaskRecord, TaskRecord> {
  static final String IN_DOUBT_CODE = "InterruptedInDoubt";
  static final String IN_DOUBT_MESSAGE =
      "interrupted while running; not retried because the action is not idempotent";
  static final String TASK_ERROR_CODE = "LocalTaskError";

  private final LocalTask task;
  private final boolean idempotent;
  private final OutcomeStore outcomes;
  private final JobControl control;
  private final RetryTemplate retry;
  private final Clock clock;

  TaskProcessor(
      LocalTask task,
      boolean idempotent,
      OutcomeStore outcomes,
      JobControl control,
      LocalBatchJobs.Settings settings,
      Clock clock) {
    this.task = requireNonNull(task, "task is null");
    this.idempotent = idempotent;
    this.outcomes = requireNonNull(outcomes, "outcomes is null");
    this.control = requireNonNull(control, "control is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.retry =
        new RetryTemplate(
            RetryPolicy.builder()
                .includes(TransientTaskException.class)
                .predicate(e -> !control.stopRequested())
                .maxRetries(settings.maxRetries())
                .delay(settings.initialBackoff())
                .multiplier(2)
                .maxDelay(settings.maxBackoff())
                .build());
  }

  @Override
  public TaskRecord process(TaskRecord item) {
    if (idempotent) {
      return ended(run(item));
    }
    if (!outcomes.recordIntent(item.index(), clock.instant())) {
      Optional<TaskOutcome> recorded = outcomes.intent(item.index()).flatMap(o -> o);
      // not evidence about the endpoint: not told to the early stop
      return item.with(
          recorded.orElseGet(() -> TaskOutcome.failed(IN_DOUBT_CODE, 0, IN_DOUBT_MESSAGE)));
    }
    TaskRecord done = run(item);
    outcomes.recordIntentOutcome(item.index(), done.outcome());
    return ended(done);
  }

  private TaskRecord ended(TaskRecord done) {
    control.ended(done.outcome(), done.retryable());
    return done;
  }

  private TaskRecord run(TaskRecord item) {
    try {
      TaskOutcome outcome = retry.execute(() -> task.run(item.row()));
      return item.with(
          outcome != null
              ? outcome
              : TaskOutcome.failed(TASK_ERROR_CODE, 0, "the task returned no outcome"));
    } catch (RetryException e) {
      Throwable last = e.getLastException();
      if (last instanceof TransientTaskException t) {
        return item.withRetryable(t.asOutcome());
      }
      return item.with(TaskOutcome.failed(TASK_ERROR_CODE, 0, String.valueOf(last)));
    }
  }
}
