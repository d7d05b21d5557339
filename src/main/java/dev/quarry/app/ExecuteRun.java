package dev.quarry.app;

import static java.util.Objects.requireNonNull;

import dev.quarry.action.ActionRegistry;
import dev.quarry.error.QuarryException;
import dev.quarry.job.JobRecord;
import dev.quarry.playbook.ActionSpec;
import dev.quarry.playbook.Playbook;
import dev.quarry.query.EnginePool;
import dev.quarry.query.QueryStatistics;
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
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

  /**
   * @param engines opens the query engines; closed once the plan is written, before the job runs
   * @param restores tells when a restore's copies are readable, for a restore with a {@code then:}
   */
  public ExecuteRun(
      Supplier<EnginePool> engines,
      RunExecutor executor,
      RunStore store,
      ReportReviews reviews,
      RestoredCopies restores,
      Duration restorePoll,
      Path manifestsRoot,
      Clock clock) {
    this.engines = requireNonNull(engines, "engines is null");
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
      PlanResult plan, RunRecord run, Optional<JobRecord> job, Optional<ReportReview> review) {
    public Outcome {
      requireNonNull(plan, "plan is null");
      requireNonNull(run, "run is null");
      requireNonNull(job, "job is null");
      requireNonNull(review, "review is null");
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
   * @param followUp the step planned over the restored copies of the last step, a restore
   * @param given the origin run's parameters, recorded again with the retry
   * @param engine the origin run's engine, recorded with the retry
   */
  public Outcome executeOn(
      Playbook playbook,
      List<PlanRun.GivenStep> steps,
      Optional<ActionSpec> followUp,
      Map<String, String> given,
      String engine,
      String origin,
      boolean wait,
      Approval approval,
      RunListener listener) {
    List<PlanRun.GivenStep> copy = List.copyOf(steps);
    return execute(
        playbook,
        () -> PlanRun.given(playbook, given, copy, followUp, engine, manifestsRoot, clock),
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
      throw QuarryException.user(reason);
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
