package dev.quarry.cli;

import dev.quarry.app.ExecuteRun;
import dev.quarry.app.RetryRun;
import dev.quarry.app.ReviewReport;
import dev.quarry.config.QuarryConfig;
import dev.quarry.config.S3Clients;
import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.job.JobRecord;
import dev.quarry.report.CompletionReportReader;
import dev.quarry.report.ReportLocation;
import dev.quarry.run.RunStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import software.amazon.awssdk.services.s3.S3Client;

/** {@code quarry retry}: a run's failed tasks, submitted again as a new run linked to it. */
@Command(
    name = "retry",
    mixinStandardHelpOptions = true,
    description = {
      "Retries the failed tasks of a run's last job as a new run of the same playbook, linked to"
          + " it (quarry runs and runs show show the link both ways). The failures come from the"
          + " job's completion report; the playbook is read again from the path the run recorded"
          + " and must not have changed since (SHA-256).",
      "By default only transient failures are retried (throttling, 5xx, no answer): a permanent"
          + " one (NoSuchKey, InvalidObjectState, AccessDenied...) fails again unless something"
          + " changed. --include-permanent retries every failure; --error-code retries only the"
          + " codes it names, permanent or not.",
      "The retry goes through the same limits (limits.max-objects) and approval as quarry run: a"
          + " destructive action needs --yes or an answer at the terminal.",
      "A failed run of several steps (a split copy, a revert) never submits the steps after the"
          + " one that failed: the retry submits them after the retried tasks, each on the"
          + " manifest it was planned with. When no failure is selected and no step is queued,"
          + " nothing is submitted.",
      "",
      "Examples:",
      "  quarry retry 20261201T100000Z-1a2b3c",
      "  quarry retry 20261201T100000Z-1a2b3c --error-code NoSuchKey --yes",
      "  quarry retry 20261201T100000Z-1a2b3c --include-permanent --output json",
      ""
    })
public final class RetryCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;

  @Parameters(paramLabel = "RUN", description = "The run whose failed tasks to retry.")
  String runId;

  @Option(
      names = "--error-code",
      paramLabel = "CODE",
      description = "Retry only failures with this error code, permanent or not; repeatable.")
  List<String> errorCodes = new ArrayList<>();

  @Option(
      names = "--include-permanent",
      description = "Retry permanent failures too (by default only transient ones).")
  boolean includePermanent;

  @Option(
      names = {"-y", "--yes"},
      description = "Confirm the job without asking (destructive actions, confirm: required).")
  boolean yes;

  @Option(
      names = "--no-wait",
      description = "Submit (and confirm, if confirmed) the job and return without waiting for it.")
  boolean noWait;

  @Mixin ExecutorOptions executor;

  private final CliContext context;

  public RetryCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    if (global.output() == OutputFormat.csv) {
      throw QuarryException.user(ErrorCode.OPTION_INVALID, "retry prints text or json, not csv");
    }
    if (includePermanent && !errorCodes.isEmpty()) {
      throw QuarryException.user(
          ErrorCode.OPTION_INVALID,
          "--error-code already names what to retry, permanent or not: drop --include-permanent");
    }
    QuarryConfig config = context.config(global);
    RetryRun.Result result;
    try (JobBackend backend = JobBackend.open(config, executor.concurrency);
        RunStore store = Composition.runStore(config)) {
      ExecuteRun execute = Composition.executeRun(context, config, backend, store);
      try {
        result =
            new RetryRun(store, reader(config), execute, config.manifestsDir())
                .retry(
                    runId,
                    new RetryRun.Selection(Set.copyOf(errorCodes), includePermanent),
                    !noWait,
                    RunListeners.approval(context, yes, "Retry: run"),
                    RunListeners.of(context, global));
      } finally {
        if (!noWait && context.interactive()) {
          context.err().println();
        }
      }
    }
    if (result.run().isEmpty()) {
      String why =
          result.failed() == 0
              ? "run " + runId + " has no failed tasks"
              : "none of run "
                  + runId
                  + "'s "
                  + result.failed()
                  + " failed tasks is selected ("
                  + (errorCodes.isEmpty()
                      ? "all permanent: add --include-permanent or --error-code"
                      : "no failure with error code " + String.join(", ", errorCodes))
                  + ")";
      if (global.output() == OutputFormat.json) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("retryOf", runId);
        out.put("failed", result.failed());
        out.put("selected", 0);
        out.put("run", null);
        context.out().println(Json.write(out));
      }
      context.err().println("quarry: " + why + "; nothing submitted");
      return 0;
    }
    ExecuteRun.Outcome outcome = result.run().get();
    context
        .err()
        .printf(
            "quarry: retrying %d of run %s's %d failed tasks%s as run %s%n",
            result.selected(),
            runId,
            result.failed(),
            result.continued() == 0
                ? ""
                : ", then submitting the "
                    + result.continued()
                    + " steps it had queued and never submitted",
            outcome.run().id());
    JobRecord job = outcome.job().orElseThrow();
    LocalJobs.finish(context, global, Optional.of(outcome.run()), job, outcome.review());
    return LocalJobs.exitCode(job);
  }

  /** Reads completion reports from S3 or the local disk (also for quarry undo). */
  static ReviewReport.Reader reader(QuarryConfig config) {
    return (ReportLocation where,
        String job,
        java.util.function.Consumer<dev.quarry.report.TaskResult> rows) -> {
      if (where instanceof ReportLocation.S3) {
        try (S3Client s3 = S3Clients.create(config, 4)) {
          return CompletionReportReader.read(where, job, s3, rows);
        }
      }
      return CompletionReportReader.read(where, job, null, rows);
    };
  }
}
