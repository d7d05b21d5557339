package dev.quarry.cli;

import dev.quarry.job.JobRecord;
import dev.quarry.job.local.LocalBatchJobs;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code quarry resume <id>}: runs an interrupted job again from where it stopped. */
@Command(
    name = "resume",
    mixinStandardHelpOptions = true,
    description = {
      "Runs an interrupted local job (its process died or was killed) from where it stopped:"
          + " tasks whose outcome was committed are not run again; tasks that may have been"
          + " running run again if the action is idempotent, and are reported failed"
          + " (InterruptedInDoubt) if it is not. Also runs a Ready job.",
      "Exit status 1 when the job ends Failed or Cancelled.",
      "",
      "Examples:",
      "  quarry resume 0b6f3c9e-6a55-4f7e-9a43-3f1a3c1f2b7d",
      "  quarry resume 0b6f3c9e-6a55-4f7e-9a43-3f1a3c1f2b7d --concurrency 4",
      ""
    })
public final class ResumeCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;

  @Parameters(paramLabel = "JOB-ID", description = "The job's id.")
  String jobId;

  @Mixin ExecutorOptions executor;

  private final CliContext context;

  public ResumeCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    LocalBatchJobs jobs = LocalJobs.open(context.config(global), executor.concurrency);
    JobRecord job = LocalJobs.execute(context, jobs, jobId);
    LocalJobs.print(context, global, job);
    return LocalJobs.exitCode(job);
  }
}
