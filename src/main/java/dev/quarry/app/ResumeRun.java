package dev.quarry.app;

import static java.util.Objects.requireNonNull;

import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.job.JobRecord;
import dev.quarry.job.ProgressListener;
import dev.quarry.playbook.Playbook;
import dev.quarry.report.ReportReview;
import dev.quarry.run.RunRecord;
import dev.quarry.run.RunStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Continues a run from the phase it last reached: a run planned but never submitted is submitted
 * (with its first step's token, so a submission that reached the executor before the process died
 * finds that job); a submitted or running job is followed (the local executor runs it from where it
 * stopped); a run waiting between steps waits on; a job that ended is reviewed and the next step
 * planned. A run that has ended is taken up through its last job: the local executor retries that
 * job's transient failures and the tasks it never ran.
 *
 * <p>The playbook is read again from the file the run was planned from, and must be the same bytes
 * (its SHA-256 is on the run's record): the next step of a changed playbook is not the run's.
 */
public final class ResumeRun {
  private final RunExecutor executor;
  private final RunStore store;
  private final ReportReviews reviews;
  private final RunSteps steps;
  private final Clock clock;

  public ResumeRun(
      RunExecutor executor,
      RunStore store,
      ReportReviews reviews,
      RestoredCopies restores,
      Duration restorePoll,
      Clock clock) {
    this.executor = requireNonNull(executor, "executor is null");
    this.store = requireNonNull(store, "store is null");
    this.reviews = requireNonNull(reviews, "reviews is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.steps =
        new RunSteps(executor, store, reviews, restores, RunSteps.Wait.every(restorePoll), clock);
  }

  /** Where the run got to, with its last job and that job's review. */
  public record Outcome(RunRecord run, Optional<JobRecord> job, Optional<ReportReview> review) {
    public Outcome {
      requireNonNull(run, "run is null");
      requireNonNull(job, "job is null");
      requireNonNull(review, "review is null");
    }
  }

  /** The run {@code runId} in the store, if there is one. */
  public Optional<RunRecord> find(String runId) {
    return store.find(runId);
  }

  /**
   * @param approval asked when the run needs an approval and has none yet (a run resumed with
   *     {@code --yes})
   * @throws QuarryException (user) when the run is not in the store, ended without a job, or its
   *     playbook changed
   */
  public Outcome resume(String runId, boolean follow, Approval approval, RunListener listener) {
    RunRecord run =
        store
            .find(runId)
            .orElseThrow(
                () ->
                    QuarryException.user(
                        ErrorCode.RUN_NOT_FOUND,
                        "no run " + runId + " in the run store; 'quarry runs' lists the runs"));
    if (run.phase().ended()) {
      Outcome again = again(run, listener);
      if (again.run().phase().ended()) {
        return again;
      }
      // the job it took up completed, and a step follows: the run needs its playbook back
      Optional<RunRecord> other = store.start(again.run());
      if (other.isPresent()) {
        ExecuteRun.refuseIfActive(again.run().playbook(), other);
      }
      run = again.run();
    }
    Playbook playbook =
        RunPlaybooks.of(
            run,
            "resume its job by id ('quarry runs show " + run.id() + "' names it)",
            "restore that version to resume the run, or cancel it ('quarry cancel "
                + run.id()
                + "') and run the playbook again");
    if (run.approvedBy().isEmpty()
        && RunSteps.steps(playbook, run).stream()
            .anyMatch(s -> RunSteps.needsConfirmation(playbook, s))) {
      Optional<String> who =
          approval.approve(
              new Approval.Request(
                  playbook.name(),
                  run.id(),
                  RunSteps.steps(playbook, run).stream().map(s -> s.type()).toList(),
                  run.manifest().map(RunRecord.Manifest::rows).orElse(0L),
                  true));
      if (who.isPresent()) {
        run = run.approvedBy(who.get());
        store.save(run);
      }
    }
    RunSteps.Driven driven = steps.drive(playbook, run, follow, listener);
    return new Outcome(driven.run(), driven.job(), driven.review());
  }

  /** An ended run's last job, taken up again; a run that ended without one has nothing to do. */
  private Outcome again(RunRecord run, ProgressListener listener) {
    Optional<String> last = run.current().jobId();
    if (last.isEmpty()) {
      throw QuarryException.user(
          ErrorCode.RUN_STATE_INVALID,
          "run "
              + run.id()
              + " ended "
              + run.phase().label()
              + " without a job"
              + run.failureReason().map(r -> " (" + r + ")").orElse("")
              + "; nothing to resume: plan a new run");
    }
    JobRecord job = executor.resume(last.get(), listener);
    Optional<ReportReview> review =
        job.status().terminal() ? reviews.review(job) : Optional.empty();
    RunRecord recorded = new RecordJob(store, clock).record(job, Optional.empty()).orElse(run);
    return new Outcome(recorded, Optional.of(job), review);
  }
}
