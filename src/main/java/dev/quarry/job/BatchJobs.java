package dev.quarry.job;

import java.util.List;
import java.util.Optional;

/**
 * Submits and tracks S3 Batch Operations jobs: S3 Control on AWS, the local executor on this
 * machine. Both keep AWS's contracts: the job status lifecycle, idempotent submission on the client
 * request token, {@code UpdateJobStatus} only to Ready (from Suspended) or Cancelled.
 *
 * <p>Example:
 *
 * <pre>{@code
 * JobRecord job = jobs.submit(request);          // Suspended when confirmation is required
 * job = jobs.confirm(job.jobId());               // Ready
 * job = jobs.describe(job.jobId()).orElseThrow(); // Active, Complete, ...
 * }</pre>
 */
public interface BatchJobs {
  /**
   * Creates a job, or returns the one created earlier with the same client request token: a retried
   * submission never makes a second job.
   */
  JobRecord submit(JobRequest request);

  Optional<JobRecord> describe(String jobId);

  /** Every job, newest first. */
  List<JobRecord> list();

  /**
   * Approves a job waiting for confirmation: Suspended to Ready, like {@code
   * UpdateJobStatus(Ready)}.
   *
   * @throws dev.quarry.error.QuarryException (user) when the job is not Suspended
   */
  JobRecord confirm(String jobId);

  /**
   * Cancels a job that has not ended, like {@code UpdateJobStatus(Cancelled)}: a running job goes
   * through Cancelling and stops between chunks of tasks.
   *
   * @throws dev.quarry.error.QuarryException (user) when the job has already ended
   */
  JobRecord cancel(String jobId);
}
