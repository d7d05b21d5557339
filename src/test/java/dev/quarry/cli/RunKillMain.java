package dev.quarry.cli;

import dev.quarry.action.RestoreStatus;
import dev.quarry.app.Approval;
import dev.quarry.app.ExecuteRun;
import dev.quarry.app.ReportReviews;
import dev.quarry.app.RestoredCopies;
import dev.quarry.app.RunListener;
import dev.quarry.config.ConfigLoader;
import dev.quarry.config.QuarryConfig;
import dev.quarry.job.JobRecord;
import dev.quarry.playbook.Playbook;
import dev.quarry.playbook.PlaybookLoader;
import dev.quarry.query.QueryEngines;
import dev.quarry.run.RunPhase;
import dev.quarry.run.RunRecord;
import dev.quarry.run.RunStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code quarry run --yes} put together as the CLI puts it together (real engine, local executor,
 * H2 run store), except that it stops dead at one phase boundary and prints {@code REACHED
 * <point>}: {@link RunKillIT} then kills it with SIGKILL. Points: {@code after-plan} (the planned
 * run saved), {@code after-submit} (the job submitted and saved), {@code mid-job} (a few tasks
 * done; the job runs on until the kill), {@code review} (the job ended, its report being read),
 * {@code wait} (between a restore and its follow-up).
 *
 * <p>Arguments: point, playbook, S3 endpoint, state dir; {@code QUARRY_MANIFESTS_DIR} in the
 * environment.
 */
public final class RunKillMain {
  private RunKillMain() {}

  public static void main(String[] args) {
    String point = args[0];
    Playbook playbook = new PlaybookLoader().load(Path.of(args[1])).playbook().orElseThrow();
    Map<String, String> env = System.getenv();
    QuarryConfig config =
        new ConfigLoader(env).load(new ConfigLoader.Flags(null, null, args[2], Path.of(args[3])));
    CliContext context =
        new CliContext(
            env, new PrintWriter(System.out, true), new PrintWriter(System.err, true), false);
    try (JobBackend backend = JobBackend.open(config, 1);
        RunStore store = Composition.runStore(config)) {
      RunStore halting = new Halting(store, point);
      ReportReviews reviews =
          job -> {
            if (point.equals("review")) {
              halt(point);
            }
            return LocalJobs.review(context, config, job);
          };
      RestoredCopies restores = new RestoreStatus(backend.s3());
      RestoredCopies halted =
          row -> {
            if (point.equals("wait")) {
              halt(point);
            }
            return restores.check(row);
          };
      RunListener listener =
          new RunListener() {
            @Override
            public void onProgress(JobRecord job) {
              if (point.equals("mid-job") && job.progress().tasksDone() >= 3) {
                reached(point);
              }
            }
          };
      new ExecuteRun(
              () -> QueryEngines.pool(config),
              backend,
              halting,
              reviews,
              halted,
              Duration.ofSeconds(1),
              config.manifestsDir(),
              Clock.systemUTC())
          .execute(playbook, Map.of(), true, Approval.YES, listener);
    }
    System.out.println("ENDED without reaching " + point);
  }

  private static void reached(String point) {
    System.out.println("REACHED " + point);
    System.out.flush();
  }

  /** Prints that it got here, then waits for the kill. */
  private static void halt(String point) {
    reached(point);
    try {
      Thread.sleep(Duration.ofMinutes(5).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Runtime.getRuntime().halt(99);
  }

  /** The run store, halting right after the save that ends a phase boundary. */
  private record Halting(RunStore store, String point) implements RunStore {
    @Override
    public void save(RunRecord run) {
      store.save(run);
      check(run);
    }

    @Override
    public Optional<RunRecord> start(RunRecord run) {
      Optional<RunRecord> other = store.start(run);
      check(run);
      return other;
    }

    private void check(RunRecord run) {
      boolean afterPlan = point.equals("after-plan") && run.phase() == RunPhase.PLANNED;
      boolean afterSubmit =
          point.equals("after-submit")
              && run.phase() == RunPhase.SUBMITTED
              && !run.jobIds().isEmpty();
      if (afterPlan || afterSubmit) {
        halt(point);
      }
    }

    @Override
    public Optional<RunRecord> find(String runId) {
      return store.find(runId);
    }

    @Override
    public Optional<RunRecord> active(String playbook) {
      return store.active(playbook);
    }

    @Override
    public List<RunRecord> list(Query query) {
      return store.list(query);
    }

    @Override
    public void close() {
      store.close();
    }
  }
}
