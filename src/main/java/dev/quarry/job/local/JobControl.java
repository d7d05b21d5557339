package dev.quarry.job.local;

import dev.quarry.action.TaskOutcome;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the workers of one running job share: the counts of outcomes written and whether to stop (a
 * cancel, the failure threshold, or Quarry's early stop). Workers see a stop between chunks.
 *
 * <p>The early stop is Quarry's, not AWS's: AWS's threshold needs 1,000 tasks, so a local job
 * against an endpoint that is down would try every task, each through all its retries. Quarry stops
 * the job when the tasks that ended last all failed the same way: at least {@value
 * #TRANSIENT_STREAK}, and twice as many as there are workers, in a row whose retries ran out (no
 * answer, throttling, 5xx: the endpoint is unreachable or failing, not one worker's bad moment), or
 * {@value #SAME_FAILURE_STREAK} in a row with the same error code that says every task will fail
 * ({@link #JOB_WIDE_CODES}: credentials, permissions, the bucket, KMS). A per-object failure (an
 * archived object, a missing version) never stops a job however many come in a row: a manifest is
 * in key order, so one prefix of archived objects gives a long streak in a healthy job. A success
 * resets both. Tasks that failed transiently are retried by a resume.
 */
final class JobControl {
  /** Why a running job stops before its last task. */
  enum Stop {
    CANCELLED,
    TOO_MANY_FAILURES,
    ENDPOINT_FAILING,
    SAME_FAILURE
  }

  /** AWS: once at least this many tasks have run, more than half failing fails the job. */
  static final long THRESHOLD_MIN_TASKS = 1_000;

  /** Quarry: this many tasks in a row ran out of retries on a transient failure. */
  static final int TRANSIENT_STREAK = 5;

  /** Quarry: this many tasks in a row failed with the same job-wide error code. */
  static final int SAME_FAILURE_STREAK = 100;

  /**
   * Error codes that say the job, not the object, is wrong: every other task would fail the same
   * way. S3's codes, and any KMS code ({@code KMS.*}).
   */
  static final Set<String> JOB_WIDE_CODES =
      Set.of(
          "AccessDenied",
          "AllAccessDisabled",
          "AccountProblem",
          "ExpiredToken",
          "InvalidAccessKeyId",
          "InvalidToken",
          "NoSuchBucket",
          "PermanentRedirect",
          "SignatureDoesNotMatch");

  private final int transientStreakLimit;

  private final AtomicLong succeeded;
  private final AtomicLong failed;
  private final AtomicReference<Stop> stop = new AtomicReference<>();

  // the streak of the tasks that ended last, in the order they ended, across all workers
  private final Object streakLock = new Object();
  private long transientStreak;
  private long sameStreak;
  private TaskOutcome lastFailure;
  private volatile TaskOutcome stopFailure;

  /**
   * @param succeeded the tasks that had succeeded before this run of the job
   * @param failed the tasks that had failed before it
   * @param workers how many tasks run at once
   */
  JobControl(long succeeded, long failed, int workers) {
    this.succeeded = new AtomicLong(succeeded);
    this.failed = new AtomicLong(failed);
    this.transientStreakLimit = Math.max(TRANSIENT_STREAK, 2 * workers);
  }

  static boolean jobWide(String errorCode) {
    return errorCode != null
        && (JOB_WIDE_CODES.contains(errorCode) || errorCode.startsWith("KMS."));
  }

  /** Counts a chunk's outcomes and stops the job when the failure threshold is crossed. */
  void counted(long newlySucceeded, long newlyFailed) {
    long s = succeeded.addAndGet(newlySucceeded);
    long f = failed.addAndGet(newlyFailed);
    if (tooManyFailures(s, f)) {
      requestStop(Stop.TOO_MANY_FAILURES);
    }
  }

  /**
   * Hears one task's outcome as soon as it is known (before its chunk commits), so that a job whose
   * tasks each take seconds of retries stops after a few of them, not after a chunk each.
   *
   * @param retriesRanOut the task failed transiently until its retries ran out
   */
  void ended(TaskOutcome outcome, boolean retriesRanOut) {
    Stop reason = null;
    synchronized (streakLock) {
      if (outcome.succeeded()) {
        transientStreak = 0;
        sameStreak = 0;
        lastFailure = null;
        return;
      }
      transientStreak = retriesRanOut ? transientStreak + 1 : 0;
      boolean same =
          lastFailure != null && Objects.equals(lastFailure.errorCode(), outcome.errorCode());
      sameStreak = !jobWide(outcome.errorCode()) ? 0 : same ? sameStreak + 1 : 1;
      lastFailure = outcome;
      if (transientStreak >= transientStreakLimit) {
        reason = Stop.ENDPOINT_FAILING;
      } else if (sameStreak >= SAME_FAILURE_STREAK) {
        reason = Stop.SAME_FAILURE;
      }
    }
    if (reason != null && stop.compareAndSet(null, reason)) {
      stopFailure = outcome;
    }
  }

  static boolean tooManyFailures(long succeeded, long failed) {
    long done = succeeded + failed;
    return done >= THRESHOLD_MIN_TASKS && failed * 2 > done;
  }

  /** The first reason given wins. */
  void requestStop(Stop reason) {
    stop.compareAndSet(null, reason);
  }

  Stop stop() {
    return stop.get();
  }

  boolean stopRequested() {
    return stop.get() != null;
  }

  /** Why Quarry stopped the job early, for its failure reason; empty for other stops. */
  String earlyStopReason(String jobId) {
    Stop reason = stop.get();
    TaskOutcome failure = stopFailure;
    if (reason == null || failure == null) {
      return "";
    }
    String what =
        failure.errorCode()
            + (failure.httpStatus() > 0 ? " (HTTP " + failure.httpStatus() + ")" : "")
            + ": "
            + failure.message();
    return switch (reason) {
      case ENDPOINT_FAILING ->
          "stopped early (Quarry's rule, not AWS's): the last "
              + transientStreakLimit
              + " tasks each failed until their retries ran out, "
              + (failure.httpStatus() == 0
                  ? "the S3 endpoint did not answer"
                  : "the S3 endpoint kept failing")
              + "; last error "
              + what
              + "; 'quarry resume "
              + jobId
              + "' retries the tasks that failed transiently and runs the rest";
      case SAME_FAILURE ->
          "stopped early (Quarry's rule, not AWS's): the last "
              + SAME_FAILURE_STREAK
              + " tasks all failed the same way, "
              + what
              + "; 'quarry resume "
              + jobId
              + "' runs the tasks not run yet";
      case CANCELLED, TOO_MANY_FAILURES -> "";
    };
  }

  long succeeded() {
    return succeeded.get();
  }

  long failed() {
    return failed.get();
  }
}
