package dev.quarry.app;

import dev.quarry.job.BatchJobs;
import dev.quarry.job.JobRecord;
import dev.quarry.job.ProgressListener;
import dev.quarry.playbook.ActionSpec;
import dev.quarry.report.ReportLocation;
import java.nio.file.Path;

/**
 * The executor a run submits its job to, with what differs between executors stated as
 * capabilities, so that {@link ExecuteRun} never asks which one it has: S3 Batch Operations on AWS,
 * or the local executor in this process.
 */
public interface RunExecutor {
  BatchJobs jobs();

  /**
   * Fails (user error) when this executor cannot run {@code action} as the playbook states it,
   * before anything is planned or submitted.
   */
  void checkRunnable(ActionSpec action);

  /**
   * Whether a job with an empty manifest may be submitted: AWS fails such a job, and bills it, so a
   * run that selected nothing submits nothing there.
   */
  boolean acceptsEmptyManifest();

  /** Where a run's completion report goes; {@code runDir} is its manifest's folder. */
  ReportLocation reportLocation(Path runDir);

  /**
   * The job once it is past New and Preparing, where a confirmation can be given: the local
   * executor prepares a job as it submits it; AWS answers CreateJob before.
   */
  JobRecord prepared(JobRecord submitted);

  /**
   * Takes a job that is ready (or running) to its end: runs it here, or follows it on AWS. Stops
   * early at Suspended: only a confirmation moves the job on.
   */
  JobRecord follow(String jobId, ProgressListener progress);

  /**
   * Takes up a job again after an interruption, or after it ended: the local executor runs it from
   * where it stopped (an ended job: its transient failures and the tasks it never ran); on AWS,
   * follows it to its end.
   */
  JobRecord resume(String jobId, ProgressListener progress);
}
