package dev.quarry.cli;

import dev.quarry.job.JobRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code quarry cancel <id>}: cancels a job that has not ended. */
@Command(
    name = "cancel",
    mixinStandardHelpOptions = true,
    description = {
      "Cancels a job that has not ended: UpdateJobStatus(Cancelled) on S3 Batch Operations"
          + " (executor: s3control), or its local equivalent. A running job goes to Cancelling"
          + " and stops (locally: between chunks of tasks); its report lists the tasks that ran.",
      "",
      "Examples:",
      "  quarry cancel 0b6f3c9e-6a55-4f7e-9a43-3f1a3c1f2b7d",
      ""
    })
public final class CancelCommand implements Runnable {
  @Mixin GlobalOptions global;

  @Parameters(paramLabel = "JOB-ID", description = "The job's id.")
  String jobId;

  private final CliContext context;

  public CancelCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public void run() {
    JobRecord job = JobBackend.with(context.config(global), 1, b -> b.jobs().cancel(jobId));
    LocalJobs.print(context, global, job);
  }
}
