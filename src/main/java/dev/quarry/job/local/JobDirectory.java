package dev.quarry.job.local;

import dev.quarry.job.JobRecord;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Read-only view of the local jobs, for commands that only look (no S3 client, no database): e.g.
 * {@code quarry report} finds a job's report location here.
 */
public final class JobDirectory {
  private final JobStore store;

  public JobDirectory(Path root) {
    this.store = new JobStore(root);
  }

  public List<JobRecord> list() {
    return store.list();
  }

  public Optional<JobRecord> find(String jobId) {
    return store.find(jobId);
  }

  /** See {@link LocalBatchJobs#interrupted(Path, JobRecord)}. */
  public boolean interrupted(JobRecord job) {
    return LocalBatchJobs.interrupted(store.root(), job);
  }
}
