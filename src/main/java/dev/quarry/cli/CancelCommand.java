package dev.quarry.cli;

import dev.quarry.app.CancelRun;
import dev.quarry.app.RecordJob;
import dev.quarry.config.QuarryConfig;
import dev.quarry.job.JobRecord;
import dev.quarry.run.RunStore;
import java.time.Clock;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code quarry cancel <id>}: cancels a run, or a job, that has not ended. */
@Command(
    name = "cancel",
    mixinStandardHelpOptions = true,
    description = {
      "Cancels a run or a job that has not ended: UpdateJobStatus(Cancelled) on S3 Batch"
          + " Operations (executor: s3control), or its local equivalent. A running job goes to"
          + " Cancelling and stops (locally: between chunks of tasks); its report lists the tasks"
          + " that ran.",
      "Given a run id, cancels the job of the run's current step; a run with no job running"
          + " (planned, or waiting between steps) ends Cancelled at once. Once the run has ended,"
          + " its playbook may run again.",
      "",
      "Examples:",
      "  quarry cancel 0b6f3c9e-6a55-4f7e-9a43-3f1a3c1f2b7d",
      "  quarry cancel 20261121T201500Z-3f9a1c",
      ""
    })
public final class CancelCommand implements Runnable {
  @Mixin GlobalOptions global;

  @Parameters(paramLabel = "RUN-ID|JOB-ID", description = "The run's id, or a job's id.")
  String jobId;

  private final CliContext context;

  public CancelCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public void run() {
    QuarryConfig config = context.config(global);
    try (RunStore store = Composition.runStore(config)) {
      if (store.find(jobId).isPresent()) {
        CancelRun.Outcome outcome =
            JobBackend.with(
                config,
                1,
                b ->
                    new CancelRun(b, store, Clock.systemUTC())
                        .cancel(
                            jobId, "quarry cancel (" + System.getProperty("user.name", "?") + ")"));
        if (outcome.job().isPresent()) {
          LocalJobs.print(context, global, outcome.job().get());
        } else if (global.output() == OutputFormat.json) {
          context
              .out()
              .println(Json.write(java.util.Map.of("run", RunsCommand.summary(outcome.run()))));
        } else {
          context.out().printf("Run %s  %s%n", outcome.run().id(), outcome.run().phase().label());
        }
        return;
      }
      JobRecord job = JobBackend.with(config, 1, b -> b.jobs().cancel(jobId));
      new RecordJob(store, Clock.systemUTC()).record(job, Optional.empty());
      LocalJobs.print(context, global, job);
    }
  }
}
