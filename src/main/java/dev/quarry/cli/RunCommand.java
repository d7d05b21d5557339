package dev.quarry.cli;

import dev.quarry.app.ExecuteRun;
import dev.quarry.config.QuarryConfig;
import dev.quarry.error.ErrorCode;
import dev.quarry.error.ProblemsException;
import dev.quarry.error.QuarryException;
import dev.quarry.job.JobRecord;
import dev.quarry.playbook.LoadResult;
import dev.quarry.playbook.Playbook;
import dev.quarry.playbook.PlaybookLoader;
import dev.quarry.run.RunPhase;
import dev.quarry.run.RunStore;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code quarry run}: plan, submit and run (or follow) a playbook's job. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Runs a playbook: plans it with the profile's engine (query, manifest under"
          + " manifests/<playbook>/<run-id>/), refuses if a limit is exceeded, submits a job"
          + " (idempotent: its token is the run id), then takes it to its end and prints the"
          + " summary and the completion report's failures.",
      "With the local executor (executor: local, the default) the job runs in this process"
          + " against the configured S3 endpoint; its report goes to"
          + " manifests/<playbook>/<run-id>/report/.",
      "With S3 Batch Operations (executor: s3control) the manifest is uploaded to the profile's"
          + " manifest-location as <prefix><playbook>/<run-id>/manifest.csv, CreateJob submits the"
          + " job, and Quarry follows it with DescribeJob (less often the longer its status stays)"
          + " until it ends; the report goes to report-location and is read back from S3."
          + " Interrupted? 'quarry resume <run-id>' finds the same job again.",
      "A destructive action, or a playbook with limits.confirm: required, needs a confirmation:"
          + " answer the prompt at a terminal, or pass --yes. Without either, the job waits"
          + " (Suspended) for 'quarry confirm <job-id>'.",
      "Exit status 1 when the job ended Failed or Cancelled; 3 when tasks ran and none succeeded."
          + " Progress goes to stderr.",
      "",
      "Examples:",
      "  quarry run playbooks/restore-rainy-training.yaml",
      "  quarry run playbooks/restore-rainy-training.yaml --param weather=snow --yes",
      "  quarry run playbooks/rollback-deletes.yaml --concurrency 16 --output json",
      "  quarry run playbooks/reencrypt-to-kms.yaml --profile prod --yes --no-wait",
      ""
    })
public final class RunCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;

  @Parameters(paramLabel = "PLAYBOOK", description = "The playbook file.")
  Path playbookFile;

  @Option(
      names = {"-p", "--param"},
      paramLabel = "NAME=VALUE",
      description = "A value for a parameter the playbook declares, repeatable.")
  Map<String, String> params = new LinkedHashMap<>();

  @Option(
      names = {"-y", "--yes"},
      description = "Confirm the job without asking (destructive actions, confirm: required).")
  boolean yes;

  @Option(
      names = "--no-wait",
      description =
          "Submit (and confirm, if confirmed) the job, print it and return without waiting for"
              + " it: follow it later with quarry job, resume or confirm.")
  boolean noWait;

  @Mixin ExecutorOptions executor;

  private final CliContext context;

  public RunCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    if (global.output() == OutputFormat.csv) {
      throw QuarryException.user(ErrorCode.OPTION_INVALID, "run prints text or json, not csv");
    }
    LoadResult loaded = new PlaybookLoader().load(playbookFile);
    if (!loaded.problems().isEmpty()) {
      throw new ProblemsException(loaded.problems());
    }
    return run(context, global, executor, loaded.playbook().orElseThrow(), params, yes, noWait);
  }

  /**
   * Runs {@code playbook} as {@code quarry run} does, and prints its end; the exit status. {@code
   * quarry revert} runs the revert playbook it writes through here.
   */
  static int run(
      CliContext context,
      GlobalOptions global,
      ExecutorOptions executor,
      Playbook playbook,
      Map<String, String> params,
      boolean yes,
      boolean noWait) {
    QuarryConfig config = context.config(global);
    // the executor's settings are checked before the query runs
    try (JobBackend backend = JobBackend.open(config, executor.concurrency);
        RunStore store = Composition.runStore(config)) {
      ExecuteRun.Outcome outcome;
      try {
        outcome =
            Composition.executeRun(context, config, backend, store)
                .execute(
                    playbook,
                    params,
                    !noWait,
                    RunListeners.approval(context, yes, "Run"),
                    RunListeners.of(context, global));
      } finally {
        if (!noWait && context.interactive()) {
          context.err().println();
        }
      }
      if (outcome.job().isEmpty()) {
        if (outcome.run().phase() == RunPhase.FAILED) {
          context
              .err()
              .println(
                  "quarry: run "
                      + outcome.run().id()
                      + " failed: "
                      + outcome.run().failureReason().orElse("(no reason recorded)"));
          return 1;
        }
        context
            .err()
            .println(
                playbook.revert().isPresent()
                    ? "quarry: nothing to revert: the bucket is at its state of "
                        + playbook.revert().get().to()
                        + " already (quarry revert --verify lists it against the server)"
                    : "quarry: the query selected no objects; nothing submitted");
        return 0;
      }
      JobRecord job = outcome.job().get();
      LocalJobs.finish(context, global, Optional.of(outcome.run()), job, outcome.review());
      return LocalJobs.exitCode(job);
    }
  }
}
