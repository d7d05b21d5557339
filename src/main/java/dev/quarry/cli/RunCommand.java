package dev.quarry.cli;

import dev.quarry.app.ManifestInfo;
import dev.quarry.app.PlanResult;
import dev.quarry.app.PlanRun;
import dev.quarry.config.QuarryConfig;
import dev.quarry.error.ProblemsException;
import dev.quarry.error.QuarryException;
import dev.quarry.job.JobRecord;
import dev.quarry.job.JobRequest;
import dev.quarry.job.JobStatus;
import dev.quarry.job.local.LocalBatchJobs;
import dev.quarry.playbook.LoadResult;
import dev.quarry.playbook.Playbook;
import dev.quarry.playbook.PlaybookLoader;
import dev.quarry.query.EnginePool;
import dev.quarry.query.QueryEngine;
import dev.quarry.query.QueryEngines;
import dev.quarry.report.ReportLocation;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code quarry run}: plan, submit and run a playbook's job on this machine. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Runs a playbook: plans it (query, manifest under manifests/<playbook>/<run-id>/), refuses"
          + " if a limit is exceeded, submits a job (idempotent: its token is the run id) and runs"
          + " it with the local executor against the configured S3 endpoint, then prints the"
          + " summary. The completion report goes to manifests/<playbook>/<run-id>/report/.",
      "A destructive action, or a playbook with limits.confirm: required, needs a confirmation:"
          + " answer the prompt at a terminal, or pass --yes. Without either, the job waits"
          + " (Suspended) for 'quarry confirm <job-id>'.",
      "Exit status 1 when the job ended Failed or Cancelled.",
      "",
      "Examples:",
      "  quarry run playbooks/restore-rainy-training.yaml",
      "  quarry run playbooks/restore-rainy-training.yaml --param weather=snow --yes",
      "  quarry run playbooks/rollback-deletes.yaml --concurrency 16 --output json",
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

  @Mixin ExecutorOptions executor;

  private final CliContext context;

  public RunCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    if (global.output() == OutputFormat.csv) {
      throw QuarryException.user("run prints text or json, not csv");
    }
    LoadResult loaded = new PlaybookLoader().load(playbookFile);
    if (!loaded.problems().isEmpty()) {
      throw new ProblemsException(loaded.problems());
    }
    Playbook playbook = loaded.playbook().orElseThrow();
    if (playbook.action().isEmpty()) {
      throw QuarryException.user(
          playbook.name() + " is a report (no action): nothing to run; use quarry plan");
    }
    QuarryConfig config = context.config(global);
    if (!config.engine().equals("embedded")) {
      throw QuarryException.user(
          "profile '" + config.profile() + "' uses engine '" + config.engine() + "'");
    }
    PlanResult plan;
    try (EnginePool engines = QueryEngines.pool(config)) {
      QueryEngine engine = engines.engineFor(playbook.target());
      plan = new PlanRun(engine, config.manifestsDir(), Clock.systemUTC()).plan(playbook, params);
    }
    if (!plan.limitViolations().isEmpty()) {
      throw QuarryException.user(
          "refusing to run " + playbook.name() + ": " + String.join("; ", plan.limitViolations()));
    }
    Path manifest = Path.of(plan.manifest().file());
    JobRequest request =
        new JobRequest(
            JobRequest.tokenFor(plan.runId()),
            playbook.name(),
            plan.runId(),
            playbook.description(),
            10,
            playbook.action().get(),
            new JobRequest.ManifestRef(
                manifest, ManifestInfo.FORMAT, plan.manifest().etag(), plan.manifest().fields()),
            new JobRequest.Report(
                true,
                new ReportLocation.Local(manifest.getParent().resolve("report")),
                playbook.report().scope()),
            plan.confirmationRequired() || plan.destructive());
    LocalBatchJobs jobs = LocalJobs.open(config, executor.concurrency);
    JobRecord job = jobs.submit(request);
    if (global.output() == OutputFormat.text) {
      context
          .out()
          .printf(
              "Submitted job %s for %s (run %s, %s tasks)%n",
              job.jobId(), playbook.name(), plan.runId(), job.progress().totalNumberOfTasks());
    }
    if (job.status() == JobStatus.SUSPENDED && confirmed(plan)) {
      job = jobs.confirm(job.jobId());
    }
    if (job.status() == JobStatus.READY) {
      job = LocalJobs.execute(context, jobs, job.jobId());
    }
    LocalJobs.print(context, global, job);
    return LocalJobs.exitCode(job);
  }

  private boolean confirmed(PlanResult plan) {
    if (yes) {
      return true;
    }
    if (!context.interactive() || System.console() == null) {
      return false;
    }
    String answer =
        System.console()
            .readLine(
                "Run %s on %d objects%s? [y/N] ",
                plan.action(), plan.objects(), plan.destructive() ? " (destructive)" : "");
    return answer != null && answer.trim().equalsIgnoreCase("y");
  }
}
