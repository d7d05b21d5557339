package dev.quarry.app;

import static java.util.Objects.requireNonNull;

import dev.quarry.error.ErrorKind;
import dev.quarry.error.QuarryException;
import dev.quarry.job.JobRecord;
import dev.quarry.job.JobRequest;
import dev.quarry.job.JobStatus;
import dev.quarry.playbook.ActionSpec;
import dev.quarry.playbook.Playbook;
import dev.quarry.query.EnginePool;
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
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Runs a playbook: plan → limits → approval → submit → track → review. The run's record is saved
 * before and after every remote side effect (the submission, the confirmation, the job's end), so a
 * run that dies is found in the phase it last reached and {@code quarry runs} tells its story.
 */
public final class ExecuteRun {
  private final Supplier<EnginePool> engines;
  private final RunExecutor executor;
  private final RunStore store;
  private final ReportReviews reviews;
  private final Path manifestsRoot;
  private final Clock clock;

  /**
   * @param engines opens the query engines; closed once the plan is written, before the job runs
   */
  public ExecuteRun(
      Supplier<EnginePool> engines,
      RunExecutor executor,
      RunStore store,
      ReportReviews reviews,
      Path manifestsRoot,
      Clock clock) {
    this.engines = requireNonNull(engines, "engines is null");
    this.executor = requireNonNull(executor, "executor is null");
    this.store = requireNonNull(store, "store is null");
    this.reviews = requireNonNull(reviews, "reviews is null");
    this.manifestsRoot = requireNonNull(manifestsRoot, "manifestsRoot is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  /**
   * How a run ended here: with its job (absent when nothing was submitted: the query selected no
   * objects and the executor accepts no empty manifest) and the review of its report.
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
   * @param wait whether to take the job to its end; otherwise return once it is submitted (and
   *     confirmed, if approved)
   * @throws QuarryException (user) when the playbook has no action or a limit refuses the run
   */
  public Outcome execute(
      Playbook playbook,
      Map<String, String> given,
      boolean wait,
      Approval approval,
      RunListener listener) {
    ActionSpec action =
        playbook
            .action()
            .orElseThrow(
                () ->
                    QuarryException.user(
                        playbook.name()
                            + " is a report (no action): nothing to run; use quarry plan"));
    executor.checkRunnable(action);
    PlanResult plan;
    try (EnginePool pool = engines.get()) {
      plan =
          new PlanRun(pool.engineFor(playbook.target()), manifestsRoot, clock)
              .plan(playbook, given);
    }
    RunRecord run =
        RunRecord.planned(
            plan.runId(),
            playbook.name(),
            hash(playbook.source()),
            given,
            plan.engine(),
            new RunRecord.Manifest(plan.manifest().file(), plan.manifest().etag(), plan.objects()),
            clock.instant());
    store.save(run);
    if (!plan.limitViolations().isEmpty()) {
      String reason =
          "refusing to run " + playbook.name() + ": " + String.join("; ", plan.limitViolations());
      store.save(
          run.withOutcome(run.counts(), Optional.empty(), Optional.of(reason))
              .enter(RunPhase.REFUSED, clock.instant()));
      throw QuarryException.user(reason);
    }
    if (plan.objects() == 0 && !executor.acceptsEmptyManifest()) {
      RunRecord ended = run.enter(RunPhase.COMPLETED, clock.instant());
      store.save(ended);
      return new Outcome(plan, ended, Optional.empty(), Optional.empty());
    }
    Tracked tracked = new Tracked(run);
    try {
      return submitAndTrack(playbook, plan, action, wait, approval, listener, tracked);
    } catch (RuntimeException e) {
      tracked.failed(e);
      throw e;
    }
  }

  private Outcome submitAndTrack(
      Playbook playbook,
      PlanResult plan,
      ActionSpec action,
      boolean wait,
      Approval approval,
      RunListener listener,
      Tracked tracked) {
    Path manifest = Path.of(plan.manifest().file());
    JobRequest request =
        new JobRequest(
            JobRequest.tokenFor(plan.runId()),
            playbook.name(),
            plan.runId(),
            playbook.description(),
            10,
            action,
            new JobRequest.ManifestRef(
                manifest, ManifestInfo.FORMAT, plan.manifest().etag(), plan.manifest().fields()),
            new JobRequest.Report(
                true, executor.reportLocation(manifest.getParent()), playbook.report().scope()),
            plan.confirmationRequired() || plan.destructive());
    // asked before anything is submitted; declined, the job waits (Suspended) for quarry confirm
    Optional<String> approver =
        request.confirmationRequired() ? approval.approve(plan) : Optional.empty();
    JobRecord job = executor.jobs().submit(request);
    tracked.submitted(job);
    listener.submitted(plan, job);
    if (approver.isPresent()) {
      job = executor.prepared(job);
      if (job.status() == JobStatus.SUSPENDED) {
        tracked.approved(approver.get());
        job = executor.jobs().confirm(job.jobId());
        tracked.seen(job);
      }
    }
    if (wait) {
      job =
          executor.follow(
              job.jobId(),
              j -> {
                tracked.seen(j);
                listener.onProgress(j);
              });
    }
    Optional<ReportReview> review =
        job.status().terminal() ? reviews.review(job) : Optional.empty();
    RunRecord ended = tracked.ended(job);
    return new Outcome(plan, ended, Optional.of(job), review);
  }

  /** The run's record as its job moves, saved at each phase change. */
  private final class Tracked {
    private RunRecord run;
    private boolean submitted;

    Tracked(RunRecord run) {
      this.run = run;
    }

    synchronized void submitted(JobRecord job) {
      submitted = true;
      run = run.withJob(job.jobId()).enter(RunPhase.SUBMITTED, clock.instant());
      seen(job);
      store.save(run);
    }

    synchronized void approved(String who) {
      run = run.approvedBy(who);
      store.save(run);
    }

    /** Saves the run when the job's status moves it to another phase (not its end: see ended). */
    synchronized void seen(JobRecord job) {
      RunPhase phase = RunPhase.of(job.status());
      if (phase != run.phase() && !phase.ended()) {
        run = run.enter(phase, clock.instant());
        store.save(run);
      }
    }

    synchronized RunRecord ended(JobRecord job) {
      JobRecord.Progress p = job.progress();
      run =
          run.withOutcome(
                  new RunRecord.Counts(
                      p.totalNumberOfTasks(), p.numberOfTasksSucceeded(), p.numberOfTasksFailed()),
                  job.report().map(r -> reportManifest(r, job.jobId())),
                  job.failureReasons().isEmpty()
                      ? Optional.empty()
                      : Optional.of(String.join("; ", job.failureReasons())))
              .enter(RunPhase.of(job.status()), clock.instant());
      store.save(run);
      return run;
    }

    /**
     * A user error before the submission (the manifest changed, a setting is wrong) means nothing
     * was submitted: the run failed. Otherwise the job may exist or still run (resume finds it), so
     * only the reason is kept beside the phase reached.
     */
    synchronized void failed(RuntimeException e) {
      String reason = Optional.ofNullable(e.getMessage()).orElse(e.getClass().getSimpleName());
      boolean nothingSubmitted =
          !submitted && e instanceof QuarryException q && q.kind() == ErrorKind.USER;
      RunRecord next = run.withOutcome(run.counts(), run.report(), Optional.of(reason));
      run = nothingSubmitted ? next.enter(RunPhase.FAILED, clock.instant()) : next;
      try {
        store.save(run);
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
    }
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
