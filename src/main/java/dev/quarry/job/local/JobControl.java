package dev.quarry.job.local;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the workers of one running job share: the counts of outcomes written and whether to stop (a
 * cancel, or the failure threshold). Workers see a stop between chunks.
 */
final class JobControl {
  /** Why a running job stops before its last task. */
  enum Stop {
    CANCELLED,
    TOO_MANY_FAILURES
  }

  /** AWS: once at least this many tasks have run, more than half failing fails the job. */
  static final long THRESHOLD_MIN_TASKS = 1_000;

  private final AtomicLong succeeded;
  private final AtomicLong failed;
  private final AtomicReference<Stop> stop = new AtomicReference<>();

  JobControl(long succeeded, long failed) {
    this.succeeded = new AtomicLong(succeeded);
    this.failed = new AtomicLong(failed);
  }

  /** Counts a chunk's outcomes and stops the job when the failure threshold is crossed. */
  void counted(long newlySucceeded, long newlyFailed) {
    long s = succeeded.addAndGet(newlySucceeded);
    long f = failed.addAndGet(newlyFailed);
    if (tooManyFailures(s, f)) {
      requestStop(Stop.TOO_MANY_FAILURES);
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

  long succeeded() {
    return succeeded.get();
  }

  long failed() {
    return failed.get();
  }
}
