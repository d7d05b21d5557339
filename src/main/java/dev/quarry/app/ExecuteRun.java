package dev.quarry.app;

import static java.util.Objects.requireNonNull;

import dev.quarry.action.ActionRegistry;
import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.job.JobRecord;
import dev.quarry.manifest.ManifestReader;
import dev.quarry.playbook.ActionSpec;
import dev.quarry.playbook.Incremental;
import dev.quarry.playbook.Playbook;
import dev.quarry.query.BoundQuery;
import dev.quarry.query.EnginePool;
import dev.quarry.query.ObjectRow;
import dev.quarry.query.QueryEngine;
import dev.quarry.query.QueryStatistics;
import dev.quarry.query.TaskIdentity;
import dev.quarry.report.ReportLocation;
import dev.quarry.report.ReportReview;
import dev.quarry.run.RunPhase;
import dev.quarry.run.RunRecord;
import dev.quarry.run.RunStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Runs a playbook: plan → limits → one run at a time → approval → submit → track → review, for each
 * of its steps ({@link RunSteps}). The run's record is saved before and after every remote side
 * effect (the submission, the confirmation, the job's end), so a run that dies is found in the
 * phase it last reached, {@link ResumeRun} continues it, and {@code quarry runs} tells its story.
 */
public final class ExecuteRun {
  private final Supplier<EnginePool> engines;
  private final RunExecutor executor;
  private final RunStore store;
  private final RunSteps steps;
  private final Path manifestsRoot;
  private final Clock clock;
  private final IncrementalLedger ledger;

  /** A run use case for playbooks that are not incremental: one that is fails before its plan. */
  public ExecuteRun(
      Supplier<EnginePool> engines,
      RunExecutor executor,
      RunStore store,
      ReportReviews reviews,
      RestoredCopies restores,
      Duration restorePoll,
      Path manifestsRoot,
      Clock clock) {
    this(engines, executor, store, reviews, restores, restorePoll, manifestsRoot, clock, NO_LEDGER);
  }

  /**
   * @param engines opens the query engines; closed once the plan is written, before the job runs
   * @param restores tells when a restore's copies are readable, for a restore with a {@code then:}
   * @param ledger what the runs of incremental playbooks handled, in the run store's database
   */
  public ExecuteRun(
      Supplier<EnginePool> engines,
      RunExecutor executor,
      RunStore store,
      ReportReviews reviews,
      RestoredCopies restores,
      Duration restorePoll,
      Path manifestsRoot,
      Clock clock,
      IncrementalLedger ledger) {
    this.engines = requireNonNull(engines, "engines is null");
    this.ledger = requireNonNull(ledger, "ledger is null");
    this.executor = requireNonNull(executor, "executor is null");
    this.store = requireNonNull(store, "store is null");
    this.manifestsRoot = requireNonNull(manifestsRoot, "manifestsRoot is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.steps =
        new RunSteps(executor, store, reviews, restores, RunSteps.Wait.every(restorePoll), clock);
  }

  /**
   * How a run ended here: with its last job (absent when nothing was submitted: the query selected
   * no objects and the executor accepts no empty manifest) and the review of its report.
   */
  public record Outcome(
      PlanResult plan,
      RunRecord run,
      Optional<JobRecord> job,
      Optional<ReportReview> review,
      Optional<IncrementalLedger.Window> window) {
    public Outcome {
      requireNonNull(plan, "plan is null");
      requireNonNull(run, "run is null");
      requireNonNull(job, "job is null");
      requireNonNull(review, "review is null");
      requireNonNull(window, "window is null");
    }

    /** The outcome of a run that is not incremental. */
    public Outcome(
        PlanResult plan, RunRecord run, Optional<JobRecord> job, Optional<ReportReview> review) {
      this(plan, run, job, review, Optional.empty());
    }
  }

  /**
   * @param given parameter values from the command line, as text
   * @param wait whether to take the run's jobs to their end; otherwise return once the first is
   *     submitted (and confirmed, if approved)
   * @throws QuarryException (user) when the playbook has no action, a limit refuses the run, or
   *     another run of the playbook has not ended
   */
  public Outcome execute(
      Playbook playbook,
      Map<String, String> given,
      boolean wait,
      Approval approval,
      RunListener listener) {
    if (playbook.incremental().isPresent()) {
      return incremental(playbook, playbook.incremental().get(), given, wait, approval, listener);
    }
    return execute(
        playbook,
        () -> {
          try (EnginePool pool = engines.get()) {
            return new PlanRun(pool.engineFor(playbook.target()), manifestsRoot, clock)
                .plan(playbook, given);
          }
        },
        given,
        Optional.empty(),
        wait,
        approval,
        listener);
  }

  /**
   * Runs {@code steps}, each an action on a manifest given whole, instead of the playbook's action
   * on what its query selects: the retry of run {@code origin}'s failed tasks. The same flow as
   * {@link #execute}: one run of the playbook at a time, its limits, its approval, its steps.
   *
   * @param given the origin run's parameters, recorded again with the retry
   * @param engine the origin run's engine, recorded with the retry
   */
  public Outcome executeOn(
      Playbook playbook,
      List<PlanRun.GivenStep> steps,
      Map<String, String> given,
      String engine,
      String origin,
      boolean wait,
      Approval approval,
      RunListener listener) {
    List<PlanRun.GivenStep> copy = List.copyOf(steps);
    return execute(
        playbook,
        () -> PlanRun.given(playbook, given, copy, engine, manifestsRoot, clock),
        given,
        Optional.of(requireNonNull(origin, "origin is null")),
        wait,
        approval,
        listener);
  }

  private Outcome execute(
      Playbook playbook,
      Supplier<PlanResult> planner,
      Map<String, String> given,
      Optional<String> retryOf,
      boolean wait,
      Approval approval,
      RunListener listener) {
    if (playbook.action().isEmpty() && playbook.revert().isEmpty()) {
      throw QuarryException.user(
          ErrorCode.ACTION_UNSUPPORTED,
          playbook.name() + " is a report (no action): nothing to run; use quarry plan");
    }
    List<ActionSpec> all = RunSteps.steps(playbook);
    all.forEach(executor::checkRunnable);
    refuseIfActive(playbook.name(), stillActive(store.active(playbook.name())));
    PlanResult plan = planner.get();
    List<String> queryIds = plan.queryStatistics().map(QueryStatistics::queryIds).orElse(List.of());
    RunRecord.Step first;
    List<RunRecord.Queued> queued = new ArrayList<>();
    if (plan.parts().isEmpty() && playbook.action().isEmpty()) {
      // a revert with nothing to change: the bucket is at its state of T already
      RunRecord done =
          RunRecord.planned(
                  plan.runId(),
                  playbook.name(),
                  Optional.of(playbook.source().toAbsolutePath().toString()),
                  hash(playbook.source()),
                  given,
                  plan.engine(),
                  RunRecord.Step.planned(
                      "revert",
                      Optional.empty(),
                      new RunRecord.Manifest(
                          plan.manifest().file(), plan.manifest().etag(), 0, queryIds)),
                  List.of(),
                  clock.instant())
              .enter(RunPhase.COMPLETED, clock.instant());
      store.save(done);
      return new Outcome(plan, done, Optional.empty(), Optional.empty());
    }
    if (plan.parts().isEmpty()) {
      ActionSpec action = playbook.action().orElseThrow();
      first =
          RunRecord.Step.planned(
              action.type(),
              Optional.of(RunSteps.json(action)),
              new RunRecord.Manifest(
                  plan.manifest().file(), plan.manifest().etag(), plan.objects(), queryIds));
    } else {
      // one step per part: the first one now, the others queued in order
      PlanResult.Part head = plan.parts().get(0);
      first =
          RunRecord.Step.planned(
              head.action().type(),
              Optional.of(RunSteps.json(head.action())),
              new RunRecord.Manifest(head.manifest(), head.etag(), head.objects(), queryIds));
      followUp(head, queued);
      for (PlanResult.Part part : plan.parts().subList(1, plan.parts().size())) {
        queued.add(
            new RunRecord.Queued(
                part.action().type(),
                RunSteps.json(part.action()),
                Optional.of(new RunRecord.Manifest(part.manifest(), part.etag(), part.objects()))));
        followUp(part, queued);
      }
    }
    plan.then()
        .map(PlanResult.FollowUp::spec)
        .ifPresent(
            then ->
                queued.add(
                    new RunRecord.Queued(then.type(), RunSteps.json(then), Optional.empty())));
    RunRecord planned =
        RunRecord.planned(
            plan.runId(),
            playbook.name(),
            Optional.of(playbook.source().toAbsolutePath().toString()),
            hash(playbook.source()),
            given,
            plan.engine(),
            first,
            queued,
            clock.instant());
    RunRecord run = retryOf.map(planned::retrying).orElse(planned);
    // the run's own steps: a split plan's parts, a retry's steps, a revert's
    all = RunSteps.steps(playbook, run);
    all.forEach(executor::checkRunnable);
    if (!plan.limitViolations().isEmpty()) {
      String reason =
          "refusing to run " + playbook.name() + ": " + String.join("; ", plan.limitViolations());
      store.save(run.withFailure(Optional.of(reason)).enter(RunPhase.REFUSED, clock.instant()));
      throw QuarryException.user(ErrorCode.LIMIT_EXCEEDED, reason);
    }
    // the one atomic check: two runs started at the same moment both pass refuseIfActive
    Optional<RunRecord> other = store.start(run);
    if (other.isPresent() && stillActive(other).isEmpty()) {
      other = store.start(run);
    }
    refuseIfActive(playbook.name(), other);
    boolean asks = all.stream().anyMatch(s -> RunSteps.needsConfirmation(playbook, s));
    if (asks && !(plan.objects() == 0 && !executor.acceptsEmptyManifest())) {
      // asked before anything is submitted, and saved before: who approved it is on record
      Optional<String> approver =
          approval.approve(
              new Approval.Request(
                  playbook.name(),
                  run.id(),
                  all.stream().map(ActionSpec::type).toList(),
                  plan.objects(),
                  plan.destructive()
                      || all.stream().anyMatch(s -> ActionRegistry.create(s).destructive())));
      if (approver.isPresent()) {
        run = run.approvedBy(approver.get());
        store.save(run);
      }
    }
    RunSteps.Driven driven = steps.drive(playbook, run, wait, listener);
    return new Outcome(plan, driven.run(), driven.job(), driven.review());
  }

  /** A part's step over its restored copies, queued right after it. */
  private static void followUp(PlanResult.Part part, List<RunRecord.Queued> queued) {
    part.followUp()
        .ifPresent(
            f -> queued.add(new RunRecord.Queued(f.type(), RunSteps.json(f), Optional.empty())));
  }

  /**
   * An incremental run: its window starts at the last counted run's time minus the look-back, and
   * it reads back further, over the reconciliation horizon, for rows no run handled (late rows,
   * which it processes and counts); the objects earlier runs handled are left out of its manifest.
   * Its window and objects are recorded before its job is submitted and count once it was, so a run
   * that fails before leaves the watermark where it was.
   */
  private Outcome incremental(
      Playbook playbook,
      Incremental incremental,
      Map<String, String> given,
      boolean wait,
      Approval approval,
      RunListener listener) {
    for (String name : List.of(Incremental.SINCE, Incremental.UNTIL)) {
      if (given.containsKey(name)) {
        throw QuarryException.user(
            ErrorCode.PARAMETER_INVALID,
            playbook.source()
                + ": parameter '"
                + name
                + "' is bound by each incremental run; do not give it");
      }
    }
    String name = playbook.name();
    LocalDateTime until = LocalDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    Optional<IncrementalLedger.Window> last = ledger.lastCounted(name);
    LocalDateTime since =
        last.map(w -> latest(w.until().minus(incremental.lookback()), incremental.start()))
            .orElse(incremental.start());
    LocalDateTime scanFrom =
        last.map(w -> latest(w.until().minus(incremental.reconcile()), incremental.start()))
            .orElse(incremental.start());
    Map<String, String> bound = new LinkedHashMap<>(given);
    bound.put(Incremental.SINCE, scanFrom.toString());
    bound.put(Incremental.UNTIL, until.toString());
    IncrementalLedger.Window[] window = new IncrementalLedger.Window[1];
    Outcome outcome =
        execute(
            playbook,
            () -> {
              // no later run reads before scanFrom: what ended before it cannot be selected again
              ledger.prune(name, scanFrom);
              Set<IncrementalLedger.Handled> handled = ledger.handled(name, scanFrom);
              PlanResult plan;
              long late;
              try (EnginePool pool = engines.get()) {
                QueryEngine engine = pool.engineFor(playbook.target());
                late =
                    scanFrom.isBefore(since)
                        ? unhandled(engine, playbook, given, scanFrom, since, handled)
                        : 0;
                plan =
                    new PlanRun(engine, manifestsRoot, clock)
                        .plan(playbook, bound, row -> !isHandled(handled, row));
              }
              window[0] =
                  new IncrementalLedger.Window(plan.runId(), name, since, scanFrom, until, late);
              ledger.record(window[0], manifestObjects(plan));
              listener.window(window[0]);
              if (late > 0) {
                listener.lateRows(window[0]);
              }
              return plan;
            },
            bound,
            Optional.empty(),
            wait,
            approval,
            listener);
    return new Outcome(
        outcome.plan(),
        outcome.run(),
        outcome.job(),
        outcome.review(),
        Optional.ofNullable(window[0]));
  }

  private static LocalDateTime latest(LocalDateTime a, LocalDateTime b) {
    return a.isAfter(b) ? a : b;
  }

  /** How many objects the query selects between {@code from} and {@code to} that no run handled. */
  private static long unhandled(
      QueryEngine engine,
      Playbook playbook,
      Map<String, String> given,
      LocalDateTime from,
      LocalDateTime to,
      Set<IncrementalLedger.Handled> handled) {
    Map<String, String> window = new LinkedHashMap<>(given);
    window.put(Incremental.SINCE, from.toString());
    window.put(Incremental.UNTIL, to.toString());
    BoundQuery query = new BoundQuery(playbook.query(), ParameterBinder.bind(playbook, window));
    boolean versions =
        engine.columns(query).stream().anyMatch(c -> c.equalsIgnoreCase("version_id"));
    long[] count = new long[1];
    engine.objects(
        query,
        TaskIdentity.of(versions),
        row -> {
          if (!isHandled(handled, row)) {
            count[0]++;
          }
        });
    return count[0];
  }

  /**
   * Whether a run handled {@code row}: its exact version, or its key in a manifest without versions
   * (an action that takes no version writes none, whatever the query returns).
   */
  private static boolean isHandled(Set<IncrementalLedger.Handled> handled, ObjectRow row) {
    return handled.contains(new IncrementalLedger.Handled(row.bucket(), row.key(), ""))
        || (row.versionId() != null
            && handled.contains(
                new IncrementalLedger.Handled(row.bucket(), row.key(), row.versionId())));
  }

  /** The objects the plan's jobs will act on: its manifest's, or its parts' when it was split. */
  private static List<IncrementalLedger.Handled> manifestObjects(PlanResult plan) {
    List<String> files =
        plan.parts().isEmpty()
            ? List.of(plan.manifest().file())
            : plan.parts().stream().map(PlanResult.Part::manifest).toList();
    List<IncrementalLedger.Handled> objects = new ArrayList<>();
    for (String file : files) {
      ManifestReader.read(
          Path.of(file),
          row ->
              objects.add(
                  new IncrementalLedger.Handled(
                      row.bucket(), row.key(), row.versionId() == null ? "" : row.versionId())));
    }
    return objects;
  }

  /** Refuses incremental playbooks: for the use cases built without the run store's ledger. */
  private static final IncrementalLedger NO_LEDGER =
      new IncrementalLedger() {
        private IllegalStateException refused() {
          return new IllegalStateException(
              "this run use case was built without an incremental ledger");
        }

        @Override
        public Optional<Window> lastCounted(String playbook) {
          throw refused();
        }

        @Override
        public Set<Handled> handled(String playbook, LocalDateTime after) {
          throw refused();
        }

        @Override
        public void record(Window window, java.util.Collection<Handled> objects) {
          throw refused();
        }

        @Override
        public Optional<Window> window(String runId) {
          throw refused();
        }

        @Override
        public void prune(String playbook, LocalDateTime before) {
          throw refused();
        }
      };

  /**
   * {@code active} unless its last step's job has ended while nobody followed it (a {@code
   * --no-wait} run, a job confirmed elsewhere): then its end is recorded, which lets the playbook
   * run again.
   */
  private Optional<RunRecord> stillActive(Optional<RunRecord> active) {
    if (active.isEmpty()
        || active.get().phase() == RunPhase.WAITING
        || active.get().current().jobId().isEmpty()) {
      return active;
    }
    Optional<JobRecord> job = executor.jobs().describe(active.get().current().jobId().get());
    if (job.isEmpty() || !job.get().status().terminal()) {
      return active;
    }
    // recorded as the end, or as waiting when a step follows (RecordJob)
    return new RecordJob(store, clock)
        .record(job.get(), Optional.empty())
        .filter(r -> !r.phase().ended());
  }

  /** Refuses a run while {@code active}, another run of the playbook, has not ended. */
  static void refuseIfActive(String playbook, Optional<RunRecord> active) {
    if (active.isEmpty()) {
      return;
    }
    RunRecord other = active.get();
    throw QuarryException.user(
        ErrorCode.BUSY,
        "playbook "
            + playbook
            + " already has a run that has not ended: "
            + other.id()
            + " ("
            + other.phase().label()
            + ", since "
            + other.transitions().get(other.transitions().size() - 1).at()
            + "); follow it with 'quarry runs show "
            + other.id()
            + "', continue it with 'quarry resume "
            + other.id()
            + "', or stop it with 'quarry cancel "
            + other.id()
            + "'");
  }

  /** Where a job's report is: its manifest.json, under {@code <prefix>/job-<jobId>/}. */
  public static String reportManifest(ReportLocation location, String jobId) {
    if (location instanceof ReportLocation.Local local) {
      return local.prefix().resolve("job-" + jobId).resolve("manifest.json").toString();
    }
    ReportLocation.S3 s3 = (ReportLocation.S3) location;
    String prefix = s3.prefix().isEmpty() ? "" : s3.prefix() + "/";
    return "s3://" + s3.bucket() + "/" + prefix + "job-" + jobId + "/manifest.json";
  }

  /** SHA-256 of the playbook file, hex: which version of it ran; "-" when it cannot be read. */
  static String hash(Path source) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(source)));
    } catch (IOException e) {
      return "-";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
