package dev.quarry.cli;

import dev.quarry.job.JobRecord;
import dev.quarry.job.local.LocalBatchJobs;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code quarry confirm <id>}: approves a Suspended job and runs it here. */
@Command(
    name = "confirm",
    mixinStandardHelpOptions = true,
    description = {
      "Confirms a job waiting for confirmation (Suspended to Ready, like UpdateJobStatus(Ready))"
          + " and runs it in this process until it ends. Exit status 1 when it ends Failed or"
          + " Cancelled.",
      "",
      "Examples:",
      "  quarry confirm 0b6f3c9e-6a55-4f7e-9a43-3f1a3c1f2b7d",
      "  quarry confirm 0b6f3c9e-6a55-4f7e-9a43-3f1a3c1f2b7d --concurrency 16",
      ""
    })
public final class ConfirmCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;

  @Parameters(paramLabel = "JOB-ID", description = "The job's id.")
  String jobId;

  @Mixin ExecutorOptions executor;

  private final CliContext context;

  public ConfirmCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    LocalBatchJobs jobs = LocalJobs.open(context.config(global), executor.concurrency);
    jobs.confirm(jobId);
    JobRecord job = LocalJobs.execute(context, jobs, jobId);
    LocalJobs.print(context, global, job);
    return LocalJobs.exitCode(job);
  }
}
