package dev.quarry.job;

import static java.util.Objects.requireNonNull;

import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * Follows a job that runs elsewhere (on AWS) by polling {@link BatchJobs#describe}: quickly after
 * its status changes, less and less often while it stays. Each describe is recorded by the
 * executor, so every status seen is kept.
 *
 * <p>Example:
 *
 * <pre>{@code
 * JobRecord job = new JobTracker(jobs, JobTracker.Backoff.DEFAULT, Thread::sleep)
 *     .track(jobId, j -> System.out.println(j.status()));
 * }</pre>
 */
public final class JobTracker {
  private final BatchJobs jobs;
  private final Backoff backoff;
  private final Sleeper sleeper;

  public JobTracker(BatchJobs jobs, Backoff backoff, Sleeper sleeper) {
    this.jobs = requireNonNull(jobs, "jobs is null");
    this.backoff = requireNonNull(backoff, "backoff is null");
    this.sleeper = requireNonNull(sleeper, "sleeper is null");
  }

  /**
   * How long to wait between polls: {@code initial} after a change, then {@code factor} times
   * longer each time nothing changed, up to {@code max}.
   */
  public record Backoff(Duration initial, Duration max, double factor) {
    /** DescribeJob is cheap, but jobs on AWS take minutes: 1 s growing to 30 s. */
    public static final Backoff DEFAULT =
        new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 1.5);

    public Backoff {
      requireNonNull(initial, "initial is null");
      requireNonNull(max, "max is null");
      if (initial.isNegative() || max.compareTo(initial) < 0 || factor < 1) {
        throw new IllegalArgumentException("need 0 <= initial <= max and factor >= 1");
      }
    }

    Duration next(Duration current) {
      long millis = (long) Math.ceil(current.toMillis() * factor);
      return Duration.ofMillis(Math.min(Math.max(millis, 1), max.toMillis()));
    }
  }

  /** Waits; {@link Thread#sleep(Duration)} in production. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  /**
   * Polls until the job has ended, or waits (Suspended) for a confirmation only a person can give.
   *
   * @return the job as last seen
   * @throws QuarryException (user) when the executor does not know the job
   */
  public JobRecord track(String jobId, ProgressListener listener) {
    return pollUntil(jobId, listener, status -> status.terminal() || status == JobStatus.SUSPENDED);
  }

  /**
   * Polls until the job is past New and Preparing: AWS answers CreateJob before it has read the
   * manifest, and a job that needs a confirmation can only be confirmed once it waits for one
   * (Suspended).
   *
   * @return the job as last seen: Suspended, Ready, or further
   * @throws QuarryException (user) when the executor does not know the job
   */
  public JobRecord awaitPrepared(String jobId, ProgressListener listener) {
    return pollUntil(
        jobId, listener, status -> status != JobStatus.NEW && status != JobStatus.PREPARING);
  }

  private JobRecord pollUntil(String jobId, ProgressListener listener, Predicate<JobStatus> done) {
    Duration wait = backoff.initial();
    JobRecord last = null;
    while (true) {
      JobRecord job =
          jobs.describe(jobId)
              .orElseThrow(() -> QuarryException.user(ErrorCode.JOB_NOT_FOUND, "no job " + jobId));
      listener.onProgress(job);
      if (done.test(job.status())) {
        return job;
      }
      // progress changes all the time on a big job: only a new status polls quickly again
      boolean changed = last == null || last.status() != job.status();
      wait = changed ? backoff.initial() : backoff.next(wait);
      last = job;
      try {
        sleeper.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return job;
      }
    }
  }
}
