package dev.quarry.app;

import static java.util.Objects.requireNonNull;

import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.job.JobRecord;
import dev.quarry.run.RunPhase;
import dev.quarry.run.RunRecord;
import dev.quarry.run.RunStore;
import java.time.Clock;
import java.util.Optional;

/**
 * Stops a run that has not ended: its current step's job is cancelled if it still runs (the run
 * ends when the job does: Cancelled); a run with no job running (planned, or waiting between steps)
 * ends Cancelled at once. Either way its playbook may run again once the run has ended.
 */
public final class CancelRun {
  private final RunExecutor executor;
  private final RunStore store;
  private final Clock clock;

  public CancelRun(RunExecutor executor, RunStore store, Clock clock) {
    this.executor = requireNonNull(executor, "executor is null");
    this.store = requireNonNull(store, "store is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  /** The run after the cancellation, and the job it cancelled, if any. */
  public record Outcome(RunRecord run, Optional<JobRecord> job) {
    public Outcome {
      requireNonNull(run, "run is null");
      requireNonNull(job, "job is null");
    }
  }

  /**
   * @throws QuarryException (user) when the run is unknown or has ended
   */
  public Outcome cancel(String runId, String who) {
    RunRecord run =
        store
            .find(runId)
            .orElseThrow(
                () ->
                    QuarryException.user(
                        ErrorCode.RUN_NOT_FOUND,
                        "no run " + runId + "; 'quarry runs' lists the runs"));
    if (run.phase().ended()) {
      throw QuarryException.user(
          ErrorCode.RUN_STATE_INVALID,
          "run " + runId + " has ended (" + run.phase().label() + "); nothing to cancel");
    }
    Optional<JobRecord> job = run.current().jobId().flatMap(id -> executor.jobs().describe(id));
    if (job.isPresent() && !job.get().status().terminal()) {
      JobRecord cancelled = executor.jobs().cancel(job.get().jobId());
      RunRecord recorded =
          new RecordJob(store, clock)
              .record(cancelled, Optional.empty())
              .orElse(run)
              .withFailure(Optional.of("cancelled by " + who));
      store.save(recorded);
      return new Outcome(recorded, Optional.of(cancelled));
    }
    RunRecord ended =
        run.withFailure(Optional.of("cancelled by " + who))
            .enter(RunPhase.CANCELLED, clock.instant());
    store.save(ended);
    return new Outcome(ended, Optional.empty());
  }
}
