package dev.quarry.cli;

import dev.quarry.app.RecordJob;
import dev.quarry.config.QuarryConfig;
import dev.quarry.job.JobRecord;
import dev.quarry.run.RunStore;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code quarry resume <id>}: takes up an interrupted job again. */
@Command(
    name = "resume",
    mixinStandardHelpOptions = true,
    description = {
      "Takes up a job whose quarry process died or was killed, named by its job id or its run"
          + " id.",
      "Local executor: runs the job from where it stopped: tasks whose outcome was committed are"
          + " not run again; tasks that may have been running run again if the action is"
          + " idempotent, and are reported failed (InterruptedInDoubt) if it is not. A job killed"
          + " while it was submitted (New or Preparing) is prepared again from its manifest, then"
          + " runs, or waits for 'quarry confirm' if it needs a confirmation. Also runs a Ready"
          + " job. 'quarry jobs' shows such jobs as Interrupted.",
      "S3 Batch Operations (executor: s3control): re-attaches to the job on AWS and follows it"
          + " to its end. Given a run id whose submission was interrupted before CreateJob"
          + " answered, submits it again with the same token: AWS returns the job it made, never"
          + " a second one.",
      "A local job that ended Failed or Complete is taken up again when tasks failed transiently"
          + " (throttling, 5xx, no answer) or never ran (a job stopped early): those run again,"
          + " permanent failures do not. A missing completion report is written again.",
      "Exit status 1 when the job ends Failed or Cancelled; 3 when tasks ran and none succeeded.",
      "",
      "Examples:",
      "  quarry resume 0b6f3c9e-6a55-4f7e-9a43-3f1a3c1f2b7d",
      "  quarry resume 0b6f3c9e-6a55-4f7e-9a43-3f1a3c1f2b7d --concurrency 4",
      "  quarry resume 20261121T201500Z-3f9a1c --profile prod",
      ""
    })
public final class ResumeCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;

  @Parameters(paramLabel = "JOB-ID|RUN-ID", description = "The job's id, or its run's id.")
  String jobId;

  @Mixin ExecutorOptions executor;

  private final CliContext context;

  public ResumeCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    QuarryConfig config = context.config(global);
    JobRecord job = JobBackend.with(config, executor.concurrency, b -> b.resume(context, jobId));
    try (RunStore store = Composition.runStore(config)) {
      new RecordJob(store, Clock.systemUTC()).record(job, Optional.empty());
    }
    LocalJobs.finish(context, global, config, job);
    return LocalJobs.exitCode(job);
  }
}
