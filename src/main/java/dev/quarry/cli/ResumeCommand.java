package dev.quarry.cli;

import dev.quarry.app.Approval;
import dev.quarry.app.RecordJob;
import dev.quarry.app.ResumeRun;
import dev.quarry.app.RunListener;
import dev.quarry.config.QuarryConfig;
import dev.quarry.job.JobRecord;
import dev.quarry.run.RunStore;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code quarry resume <id>}: takes up an interrupted run, or job, again. */
@Command(
    name = "resume",
    mixinStandardHelpOptions = true,
    description = {
      "Takes up a run or a job whose quarry process died or was killed, named by its run id or"
          + " its job id.",
      "A run in the run store ('quarry runs') continues from the phase it last reached: planned"
          + " but never submitted, it is submitted (the job's token is the run id plus the step,"
          + " so a submission that got through before the process died finds that job, never a"
          + " second one); submitted or running, its job is followed or run on; waiting between"
          + " steps (a restore with then:), it waits on and plans the next step. The playbook is"
          + " read again from its file and must be unchanged. A run that ended is taken up"
          + " through its last job, as below.",
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

  @Parameters(paramLabel = "RUN-ID|JOB-ID", description = "The run's id, or a job's id.")
  String jobId;

  @Option(
      names = {"-y", "--yes"},
      description =
          "Approve the run if it still needs an approval (destructive actions, confirm:"
              + " required); otherwise its job waits for quarry confirm.")
  boolean yes;

  @Mixin ExecutorOptions executor;

  private final CliContext context;

  public ResumeCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    QuarryConfig config = context.config(global);
    try (RunStore store = Composition.runStore(config)) {
      if (store.find(jobId).isPresent()) {
        return resumeRun(config, store);
      }
    }
    JobRecord job = JobBackend.with(config, executor.concurrency, b -> b.resume(context, jobId));
    try (RunStore store = Composition.runStore(config)) {
      new RecordJob(store, Clock.systemUTC()).record(job, Optional.empty());
    }
    LocalJobs.finish(context, global, config, job);
    return LocalJobs.exitCode(job);
  }

  private int resumeRun(QuarryConfig config, RunStore store) {
    ResumeRun.Outcome outcome;
    try (JobBackend backend = JobBackend.open(config, executor.concurrency)) {
      RunListener listener = RunListeners.of(context, global);
      try {
        outcome =
            Composition.resumeRun(context, config, backend, store)
                .resume(jobId, true, yes ? Approval.YES : Approval.NONE, listener);
      } finally {
        if (context.interactive()) {
          context.err().println();
        }
      }
    }
    if (outcome.job().isEmpty()) {
      context
          .err()
          .println(
              "quarry: run "
                  + outcome.run().id()
                  + " is "
                  + outcome.run().phase().label()
                  + outcome.run().failureReason().map(r -> ": " + r).orElse("; no job to follow"));
      return outcome.run().phase() == dev.quarry.run.RunPhase.FAILED ? 1 : 0;
    }
    LocalJobs.finish(
        context, global, Optional.of(outcome.run()), outcome.job().get(), outcome.review());
    return LocalJobs.exitCode(outcome.job().get());
  }
}
