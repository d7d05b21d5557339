package dev.quarry.cli;

import static java.util.Objects.requireNonNull;

import dev.quarry.app.RunExecutor;
import dev.quarry.config.QuarryConfig;
import dev.quarry.config.S3Clients;
import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.job.JobRecord;
import dev.quarry.job.JobStatus;
import dev.quarry.job.JobTracker;
import dev.quarry.job.ProgressListener;
import dev.quarry.job.local.LocalBatchJobs;
import dev.quarry.job.s3control.S3ControlBatchJobs;
import dev.quarry.playbook.ActionSpec;
import dev.quarry.report.ReportLocation;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The executor a profile names ({@code executor:}), for the job commands: the local one runs a job
 * in this process; S3 Batch Operations runs it on AWS while Quarry follows it with DescribeJob.
 */
sealed interface JobBackend extends RunExecutor, AutoCloseable {
  List<String> NAMES = List.of("local", "s3control");

  /** Polls of DescribeJob while a job runs on AWS. */
  JobTracker.Backoff POLLING = JobTracker.Backoff.DEFAULT;

  /** {@link #follow(String, dev.quarry.job.ProgressListener)} with the job's progress on stderr. */
  default JobRecord follow(CliContext context, String jobId) {
    try (ProgressBars.JobProgress progress = LocalJobs.progressLine(context)) {
      return follow(jobId, progress);
    }
  }

  /**
   * Takes up a job again after an interruption, named by its id or its run's id: runs it here from
   * where it stopped, or finds it on AWS (submitting again with the same token if the interrupted
   * run never learned its id) and follows it.
   */
  JobRecord resume(CliContext context, String jobOrRunId);

  /** The S3 client of the executor's endpoint: where its objects are. */
  S3Client s3();

  /** Closes the executor's SDK clients. */
  @Override
  void close();

  /** What {@code use} makes of the executor of {@code config}'s profile, which is closed after. */
  static <T> T with(QuarryConfig config, int concurrency, Function<JobBackend, T> use) {
    try (JobBackend backend = open(config, concurrency)) {
      return use.apply(backend);
    }
  }

  /** The executor of {@code config}'s profile, its settings checked before any remote call. */
  static JobBackend open(QuarryConfig config, int concurrency) {
    return switch (config.executor()) {
      case "local" -> {
        S3Client s3 = S3Clients.create(config, concurrency + 2);
        yield new Local(
            LocalBatchJobs.create(
                config.stateDir(),
                s3,
                LocalBatchJobs.Settings.defaults().withConcurrency(concurrency)),
            s3);
      }
      case "s3control" -> new Aws(S3ControlBatchJobs.create(config));
      default ->
          throw QuarryException.user(
              ErrorCode.CONFIG_INVALID,
              "profile '"
                  + config.profile()
                  + "' uses executor '"
                  + config.executor()
                  + "'; valid: "
                  + String.join(", ", NAMES));
    };
  }

  /** The local executor (Spring Batch) against the configured S3 endpoint. */
  record Local(LocalBatchJobs jobs, S3Client s3) implements JobBackend {
    public Local {
      requireNonNull(jobs, "jobs is null");
      requireNonNull(s3, "s3 is null");
    }

    @Override
    public void close() {
      s3.close();
    }

    @Override
    public ReportLocation reportLocation(Path runDir) {
      return new ReportLocation.Local(runDir.resolve("report"));
    }

    @Override
    public JobRecord prepared(JobRecord submitted) {
      // prepared as it was submitted, unless the process that submitted it died meanwhile
      return submitted.status() == JobStatus.NEW || submitted.status() == JobStatus.PREPARING
          ? jobs.prepareAgain(submitted.jobId())
          : submitted;
    }

    @Override
    public void checkRunnable(ActionSpec action) {
      // every action has its local task
    }

    @Override
    public boolean acceptsEmptyManifest() {
      return true;
    }

    @Override
    public JobRecord follow(String jobId, ProgressListener progress) {
      JobRecord job =
          jobs.describe(jobId)
              .orElseThrow(
                  () -> QuarryException.user(ErrorCode.JOB_NOT_FOUND, "no local job " + jobId));
      if (job.status() == JobStatus.SUSPENDED || job.status().terminal()) {
        return job;
      }
      return jobs.execute(jobId, progress);
    }

    @Override
    public JobRecord resume(String jobId, ProgressListener progress) {
      return jobs.execute(jobId, progress);
    }

    @Override
    public JobRecord resume(CliContext context, String jobOrRunId) {
      String jobId =
          jobs.list().stream()
              .filter(j -> j.runId().equals(jobOrRunId))
              .map(JobRecord::jobId)
              .findFirst()
              .orElse(jobOrRunId);
      return LocalJobs.execute(context, jobs, jobId);
    }
  }

  /** S3 Batch Operations through S3 Control. */
  record Aws(S3ControlBatchJobs jobs) implements JobBackend {
    public Aws {
      requireNonNull(jobs, "jobs is null");
    }

    @Override
    public void close() {
      jobs.close();
    }

    @Override
    public ReportLocation reportLocation(Path runDir) {
      return jobs.settings().report();
    }

    @Override
    public JobRecord prepared(JobRecord submitted) {
      return new JobTracker(jobs, POLLING, d -> Thread.sleep(d.toMillis()))
          .awaitPrepared(submitted.jobId(), ProgressListener.NONE);
    }

    @Override
    public void checkRunnable(ActionSpec action) {
      jobs.actionOnAws(action);
    }

    @Override
    public boolean acceptsEmptyManifest() {
      // Batch Operations fails a job whose manifest is empty, and bills it
      return false;
    }

    @Override
    public JobRecord follow(String jobId, ProgressListener progress) {
      return new JobTracker(jobs, POLLING, d -> Thread.sleep(d.toMillis())).track(jobId, progress);
    }

    @Override
    public S3Client s3() {
      return jobs.s3();
    }

    @Override
    public JobRecord resume(String jobId, ProgressListener progress) {
      return follow(jobId, progress);
    }

    @Override
    public JobRecord resume(CliContext context, String jobOrRunId) {
      String jobId = jobs.resubmit(jobOrRunId).map(JobRecord::jobId).orElse(jobOrRunId);
      return follow(context, jobId);
    }
  }

  /** A client for reading {@code job}'s report, when it is in S3. */
  static Optional<S3Client> reportClient(QuarryConfig config, JobRecord job) {
    return job.report()
        .filter(ReportLocation.S3.class::isInstance)
        .map(r -> S3Clients.create(config, 4));
  }
}
