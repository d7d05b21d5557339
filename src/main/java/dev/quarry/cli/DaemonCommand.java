package dev.quarry.cli;

import dev.quarry.app.Approval;
import dev.quarry.app.ExecuteRun;
import dev.quarry.app.ResumeRun;
import dev.quarry.app.RunListener;
import dev.quarry.config.QuarryConfig;
import dev.quarry.config.Redact;
import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.job.JobRecord;
import dev.quarry.monitor.RunMetrics;
import dev.quarry.monitor.RunMonitor;
import dev.quarry.monitor.StatusServer;
import dev.quarry.monitor.Webhooks;
import dev.quarry.playbook.Playbook;
import dev.quarry.run.RunRecord;
import dev.quarry.run.RunStore;
import dev.quarry.schedule.Misfire;
import dev.quarry.schedule.PlaybookFolder;
import dev.quarry.schedule.PlaybookScheduler;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code quarry daemon}: runs the playbooks of a folder on their schedules until stopped. */
@Command(
    name = "daemon",
    mixinStandardHelpOptions = true,
    description = {
      "Runs every playbook of a folder that has a schedule: (a Quartz cron expression, in UTC"
          + " unless written schedule: { cron: ..., timezone: ZONE }), each firing exactly as"
          + " 'quarry run PLAYBOOK' would, until stopped with SIGTERM or Ctrl-C.",
      "It reads the folder again every --poll seconds: a new playbook is scheduled, a changed"
          + " one rescheduled, a removed one unscheduled, and a broken one reported (file:line:"
          + " problem) and left unscheduled while the others keep firing.",
      "One run of a playbook at a time, also across restarts and other quarry processes: a firing"
          + " while the playbook's previous run has not ended is logged and skipped.",
      "Approval never comes from a terminal: a destructive playbook, or one with limits.confirm:"
          + " required, leaves its run awaiting approval until 'quarry confirm <job-id>' (or"
          + " 'quarry resume <run-id> --yes'); until then its later firings are skipped.",
      "At start it resumes the unfinished runs of the folder's playbooks. On SIGTERM it stops"
          + " firing, lets the running jobs end, and exits 0.",
      "Schedules are kept in Quartz's JDBC job store, in QRTZ_* tables of the run store's"
          + " database (the H2 file by default): a slot missed while the daemon was down follows"
          + " --misfire at its restart. On a PostgreSQL run store (run-store: jdbc:postgresql://...)"
          + " the daemons that share it form a Quartz cluster: each slot fires on exactly one of"
          + " them, and one that dies is taken over within --cluster-checkin. Every daemon of a"
          + " cluster must read the same playbooks.",
      "",
      "Examples:",
      "  quarry daemon --playbooks playbooks/",
      "  quarry daemon --playbooks /etc/quarry/playbooks --misfire skip --profile prod",
      "  quarry daemon --playbooks docs/examples --concurrency 4 > daemon.log 2>&1 &",
      "  quarry daemon --playbooks playbooks/ --http-port 9464 --webhook https://hooks.slack.com/services/...",
      "",
      "A scheduled playbook (every 15 minutes, Paris time):",
      "  name: tag-new-uploads",
      "  schedule: { cron: \"0 0/15 * * * ?\", timezone: Europe/Paris }",
      "  query: SELECT bucket, key FROM \"b_uploads\".\"inventory\"",
      "  action: { type: put-tags, tags: { seen: \"yes\" } }",
      ""
    })
public final class DaemonCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;

  @Option(
      names = "--playbooks",
      paramLabel = "DIR",
      required = true,
      description = "The folder of playbooks (its *.yaml and *.yml files; not its subfolders).")
  Path dir;

  @Option(
      names = "--misfire",
      paramLabel = "POLICY",
      defaultValue = "run-once",
      description =
          "What to do with a slot missed (by more than a second) because the playbook's previous"
              + " run was still going or every worker was busy: run-once fires once as soon as it"
              + " can however many slots were missed (Quartz's FIRE_ONCE_NOW); skip waits for the"
              + " next slot (DO_NOTHING). Default: ${DEFAULT-VALUE}.")
  String misfire;

  @Option(
      names = "--poll",
      paramLabel = "SECONDS",
      defaultValue = "3",
      description = "How often the folder is read again (default: ${DEFAULT-VALUE}).")
  int poll;

  @Option(
      names = "--workers",
      paramLabel = "N",
      defaultValue = "4",
      description = "Playbooks that may run at once (default: ${DEFAULT-VALUE}).")
  int workers;

  @Option(
      names = "--cluster-checkin",
      paramLabel = "SECONDS",
      defaultValue = "5",
      description =
          "With PostgreSQL, how often a daemon tells the cluster it is alive; a daemon silent for"
              + " longer is taken for dead (default: ${DEFAULT-VALUE}).")
  int checkin;

  @Option(
      names = "--webhook",
      paramLabel = "URL",
      description =
          "POST a JSON message to URL when a run completes, fails, awaits approval, or finds"
              + " journal rows later than its look-back: Slack's incoming-webhook shape ({\"text\":"
              + " ...}) plus event, playbook, run, jobIds, status, objects, succeeded, failed,"
              + " detail and at for scripts. Repeatable. 5 s per attempt, 3 attempts; a delivery"
              + " that fails is logged and never fails the run.")
  List<String> webhooks = new ArrayList<>();

  @Option(
      names = "--http-port",
      paramLabel = "N",
      description =
          "Serve /health (JSON), /metrics (Prometheus) and / (the recent runs, linking"
              + " /runs/<id>/report) on 127.0.0.1:N; 0 picks a free port and logs it. Off unless"
              + " given.")
  Integer httpPort;

  @Mixin ExecutorOptions executor;

  private RunMonitor monitor;

  private final CliContext context;

  public DaemonCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() throws InterruptedException {
    Misfire policy;
    try {
      policy = Misfire.of(misfire);
    } catch (IllegalArgumentException e) {
      throw QuarryException.user(ErrorCode.OPTION_INVALID, e.getMessage());
    }
    if (poll < 1 || workers < 1 || checkin < 1) {
      throw QuarryException.user(
          ErrorCode.OPTION_INVALID, "--poll, --workers and --cluster-checkin must be at least 1");
    }
    if (!Files.isDirectory(dir)) {
      throw QuarryException.user(ErrorCode.OPTION_INVALID, dir + " is not a folder");
    }
    if (httpPort != null && (httpPort < 0 || httpPort > 65_535)) {
      throw QuarryException.user(
          ErrorCode.OPTION_INVALID, "--http-port must be 0 to 65535, not " + httpPort);
    }
    List<URI> hooks = new ArrayList<>();
    try {
      webhooks.forEach(w -> hooks.add(Webhooks.url(w)));
    } catch (IllegalArgumentException e) {
      throw QuarryException.user(ErrorCode.OPTION_INVALID, e.getMessage());
    }
    Webhooks delivery = new Webhooks(hooks, this::log);
    monitor = new RunMonitor(new RunMetrics(), delivery::publish, this::log, Clock.systemUTC());
    QuarryConfig config = context.config(global);
    // the profile's executor and run store are checked once before anything is scheduled
    JobBackend.with(config, executor.concurrency, b -> b);
    try (RunStore store = Composition.runStore(config)) {
      store.list(RunStore.Query.ALL);
    }
    CountDownLatch stop = Signals.onStop();
    try (PlaybookScheduler scheduler =
        PlaybookScheduler.onDatabase(
            workers, policy, config.runStoreUrl(), java.time.Duration.ofSeconds(checkin))) {
      PlaybookFolder folder =
          new PlaybookFolder(
              dir, scheduler, (playbook, slot) -> fire(config, playbook, slot), this::log);
      StatusServer http = httpPort == null ? null : status(config, scheduler, folder);
      log(
          "watching "
              + dir.toAbsolutePath()
              + " (misfire: "
              + policy.label()
              + ", workers: "
              + workers
              + ")");
      for (RunRecord run : unfinished(config)) {
        log(
            "resuming run "
                + run.id()
                + " of "
                + run.playbook()
                + " ("
                + run.phase().label()
                + ")");
        scheduler.once(() -> resume(config, run));
      }
      folder.scan();
      scheduler.start();
      try {
        while (!stop.await(poll, TimeUnit.SECONDS)) {
          folder.scan();
        }
        log("stopping: no more firings; waiting for the running jobs to end");
      } finally {
        if (http != null) {
          http.close();
        }
      }
    }
    log("stopped");
    return 0;
  }

  /** The loopback port: its figures are read at each request. */
  private StatusServer status(
      QuarryConfig config, PlaybookScheduler scheduler, PlaybookFolder folder) {
    StatusServer server;
    try {
      server =
          new StatusServer(
              httpPort,
              new StatusServer.Sources(
                  () -> {
                    PlaybookFolder.State state = folder.state();
                    return new StatusServer.Health(
                        scheduler.state(), reachable(config), state.scheduled(), state.broken());
                  },
                  monitor.metrics()::scrape,
                  () -> recent(config),
                  id -> report(id)));
    } catch (java.io.UncheckedIOException e) {
      // the machine's doing, not the flag's: PORT_IN_USE when another process holds the port
      throw QuarryException.external(ErrorCode.SERVER_FAILED, e.getMessage(), e);
    }
    log("status page on http://127.0.0.1:" + server.port() + "/ (/health, /metrics)");
    return server;
  }

  private static boolean reachable(QuarryConfig config) {
    try (RunStore store = Composition.runStore(config)) {
      store.list(
          new RunStore.Query(Optional.empty(), Optional.empty(), Optional.of(Instant.now())));
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static List<RunRecord> recent(QuarryConfig config) {
    try (RunStore store = Composition.runStore(config)) {
      return store.list(RunStore.Query.ALL).stream()
          .sorted(Comparator.comparing(RunRecord::started).reversed())
          .limit(StatusServer.RECENT)
          .toList();
    }
  }

  private Optional<String> report(String id) {
    QuarryConfig config = context.config(global);
    try (RunStore store = Composition.runStore(config)) {
      if (store.find(id).isEmpty()) {
        return Optional.empty();
      }
    }
    return Optional.of(ReportCommand.page(context, global, id));
  }

  /** The unfinished runs of the folder's playbooks, as the run store has them. */
  private List<RunRecord> unfinished(QuarryConfig config) {
    Path root = dir.toAbsolutePath().normalize();
    try (RunStore store = Composition.runStore(config)) {
      return store.list(RunStore.Query.ALL).stream()
          .filter(r -> !r.phase().ended())
          .filter(
              r ->
                  r.playbookPath()
                      .map(p -> Path.of(p).toAbsolutePath().normalize().startsWith(root))
                      .orElse(false))
          .toList();
    }
  }

  /** One firing: the same use case as {@code quarry run}, its approval left to quarry confirm. */
  private void fire(QuarryConfig config, Playbook playbook, Instant slot) {
    // the slot, not the time it fired: what tells apart two firings of one slot across a cluster
    log("firing " + playbook.name() + " (slot " + slot + ")");
    RunMonitor.Listener heard = monitor.listen(playbook.name(), listener());
    try (JobBackend backend = JobBackend.open(config, executor.concurrency);
        RunStore store = Composition.runStore(config)) {
      ExecuteRun.Outcome outcome =
          Composition.executeRun(context, config, backend, store)
              .execute(playbook, Map.of(), true, Approval.NONE, heard);
      heard.ended(outcome.run());
      log(
          playbook.name()
              + ": run "
              + outcome.run().id()
              + " "
              + outcome.run().phase().label()
              + outcome
                  .job()
                  .map(j -> " (job " + j.jobId() + ")")
                  .orElse(" (no objects selected)"));
    } catch (RuntimeException e) {
      failed(playbook.name(), e, heard);
    }
  }

  private void resume(QuarryConfig config, RunRecord run) {
    RunMonitor.Listener heard = monitor.listen(run.playbook(), listener());
    try (JobBackend backend = JobBackend.open(config, executor.concurrency);
        RunStore store = Composition.runStore(config)) {
      ResumeRun.Outcome outcome =
          Composition.resumeRun(context, config, backend, store)
              .resume(run.id(), true, Approval.NONE, heard);
      heard.ended(outcome.run());
      log(run.playbook() + ": resumed run " + run.id() + " " + outcome.run().phase().label());
    } catch (RuntimeException e) {
      failed(run.playbook(), e, heard);
    }
  }

  /**
   * A refused or failed firing is logged (a ProblemsException's message lists its problems with
   * file:line); the daemon and the other playbooks go on.
   */
  private void failed(String playbook, RuntimeException e, RunMonitor.Listener heard) {
    String kind =
        e instanceof QuarryException q ? q.kind().name().toLowerCase(java.util.Locale.ROOT) : "bug";
    String message = Redact.text(String.valueOf(e.getMessage()));
    log(playbook + ": skipped (" + kind + "): " + message);
    heard.failed(kind, message);
  }

  private RunListener listener() {
    return new RunListener() {
      @Override
      public void submitted(RunRecord run, JobRecord job) {
        log(run.playbook() + ": run " + run.id() + " submitted job " + job.jobId());
      }
    };
  }

  private synchronized void log(String line) {
    context
        .err()
        .println(
            Instant.now().truncatedTo(ChronoUnit.SECONDS)
                + " quarry daemon: "
                + RowOutput.visible(line));
    context.err().flush();
  }
}
