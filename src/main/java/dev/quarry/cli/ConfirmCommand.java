package dev.quarry.cli;

import dev.quarry.app.RecordJob;
import dev.quarry.config.QuarryConfig;
import dev.quarry.job.JobRecord;
import dev.quarry.job.JobStatus;
import dev.quarry.run.RunStore;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code quarry confirm <id>}: approves a Suspended job, then runs or follows it. */
@Command(
    name = "confirm",
    mixinStandardHelpOptions = true,
    description = {
      "Confirms a job waiting for confirmation (Suspended to Ready, UpdateJobStatus(Ready)), then"
          + " takes it to its end: with the local executor it runs in this process; with S3 Batch"
          + " Operations (executor: s3control) it runs on AWS and Quarry follows it with"
          + " DescribeJob. Prints the summary and the completion report's failures.",
      "Exit status 1 when it ends Failed or Cancelled.",
      "",
      "Examples:",
      "  quarry confirm 0b6f3c9e-6a55-4f7e-9a43-3f1a3c1f2b7d",
      "  quarry confirm 0b6f3c9e-6a55-4f7e-9a43-3f1a3c1f2b7d --concurrency 16",
      "  quarry confirm 0b6f3c9e-6a55-4f7e-9a43-3f1a3c1f2b7d --profile prod --no-wait",
      ""
    })
public final class ConfirmCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;

  @Parameters(paramLabel = "JOB-ID", description = "The job's id.")
  String jobId;

  @Mixin ExecutorOptions executor;

  @Option(
      names = "--no-wait",
      description = "Confirm only: print the job and return (S3 Batch Operations runs it anyway).")
  boolean noWait;

  private final CliContext context;

  public ConfirmCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    QuarryConfig config = context.config(global);
    JobRecord job;
    try (JobBackend backend = JobBackend.open(config, executor.concurrency);
        RunStore store = Composition.runStore(config)) {
      RecordJob runs = new RecordJob(store, Clock.systemUTC());
      // a job AWS is still preparing cannot be confirmed yet: wait until it waits for us
      Optional<JobRecord> before =
          backend
              .jobs()
              .describe(jobId)
              .map(
                  j ->
                      j.status() == JobStatus.NEW || j.status() == JobStatus.PREPARING
                          ? backend.prepared(j)
                          : j);
      // the approval is on record before the job moves
      before.ifPresent(
          j ->
              runs.record(
                  j,
                  Optional.of(
                      "quarry confirm (" + System.getProperty("user.name", "unknown") + ")")));
      job = backend.jobs().confirm(jobId);
      runs.record(job, Optional.empty());
      if (!noWait) {
        job = backend.follow(context, jobId);
        runs.record(job, Optional.empty());
      }
    }
    LocalJobs.finish(context, global, config, job);
    return LocalJobs.exitCode(job);
  }
}
