package dev.quarry.app;

import static java.util.Objects.requireNonNull;

import dev.quarry.job.JobRecord;
import dev.quarry.run.RunPhase;
import dev.quarry.run.RunRecord;
import dev.quarry.run.RunStore;
import java.time.Clock;
import java.util.Optional;

/**
 * Brings a run's record up to date with its job when a command other than {@link ExecuteRun} moved
 * the job ({@code quarry confirm}, {@code quarry resume}), so that {@code quarry runs} does not
 * show a confirmed or resumed run as still waiting.
 */
public final class RecordJob {
  private final RunStore store;
  private final Clock clock;

  public RecordJob(RunStore store, Clock clock) {
    this.store = requireNonNull(store, "store is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  /**
   * Saves {@code job}'s phase (and, once it has ended, its counts, report and failure) in its run's
   * record; empty when the job has no run in the store (a job from before the store, or another
   * tool's job on AWS).
   *
   * @param approvedBy who approved the job, when this is its approval
   */
  public Optional<RunRecord> record(JobRecord job, Optional<String> approvedBy) {
    Optional<RunRecord> found = store.find(job.runId());
    if (found.isEmpty()) {
      return Optional.empty();
    }
    RunRecord stored = found.get();
    boolean current = stored.current().jobId().map(job.jobId()::equals).orElse(false);
    if (!current && stored.jobIds().contains(job.jobId())) {
      // an earlier step's job: the run's phase follows its current step
      return Optional.of(stored);
    }
    if (!current && stored.current().jobId().isPresent()) {
      return Optional.of(stored);
    }
    RunRecord run = stored.withJob(job.jobId());
    if (approvedBy.isPresent()) {
      run = run.approvedBy(approvedBy.get());
    }
    RunPhase phase = RunPhase.of(job.status());
    if (phase.ended()) {
      JobRecord.Progress p = job.progress();
      run =
          run.withOutcome(
              new RunRecord.Counts(
                  p.totalNumberOfTasks(), p.numberOfTasksSucceeded(), p.numberOfTasksFailed()),
              job.report().map(r -> ExecuteRun.reportManifest(r, job.jobId())),
              job.failureReasons().isEmpty()
                  ? Optional.empty()
                  : Optional.of(String.join("; ", job.failureReasons())));
    }
    if (phase == RunPhase.COMPLETED && run.currentNumber() < RunSteps.plannedSteps(run)) {
      // a step follows: the run waits for it (quarry resume <run> takes it on), it has not ended
      phase = RunPhase.WAITING;
    }
    run = run.enter(phase, clock.instant());
    store.save(run);
    return Optional.of(run);
  }
}
