package dev.quarry.app;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quarry.action.Action;
import dev.quarry.action.ActionRegistry;
import dev.quarry.error.ErrorCode;
import dev.quarry.error.ErrorKind;
import dev.quarry.error.QuarryException;
import dev.quarry.io.AtomicFiles;
import dev.quarry.job.JobRecord;
import dev.quarry.job.JobRequest;
import dev.quarry.job.JobStatus;
import dev.quarry.job.JobTracker;
import dev.quarry.manifest.Manifest;
import dev.quarry.manifest.ManifestReader;
import dev.quarry.manifest.ManifestWriter;
import dev.quarry.playbook.ActionSpec;
import dev.quarry.playbook.Limits;
import dev.quarry.playbook.Playbook;
import dev.quarry.query.ObjectRow;
import dev.quarry.report.ReportReview;
import dev.quarry.run.RunPhase;
import dev.quarry.run.RunRecord;
import dev.quarry.run.RunStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * Takes a planned (or interrupted) run through its steps: submit the step's job (its token is the
 * run id plus the step, so a second submission finds the first job), confirm it if the run was
 * approved, follow it to its end, review its report; then, when another step follows, wait until
 * the results of this one can be used and plan the next step's manifest. The run's record is saved
 * before and after every remote side effect, so {@link ResumeRun} continues from the phase the run
 * last reached, and never submits a second job for a step.
 */
final class RunSteps {
  /** How the wait between a restore and its follow-up polls. */
  record Wait(Duration poll, Duration atMost, JobTracker.Sleeper sleeper) {
    Wait {
      requireNonNull(poll, "poll is null");
      requireNonNull(atMost, "atMost is null");
      requireNonNull(sleeper, "sleeper is null");
    }

    /**
     * Every {@code poll} for up to 48 hours: Glacier Flexible Retrieval's bulk restores take 5–12
     * hours, Deep Archive's up to 48.
     */
    static Wait every(Duration poll) {
      return new Wait(poll, Duration.ofHours(48), d -> Thread.sleep(d.toMillis()));
    }
  }

  /** Where a run got to here. */
  record Driven(RunRecord run, Optional<JobRecord> job, Optional<ReportReview> review) {
    Driven {
      requireNonNull(run, "run is null");
      requireNonNull(job, "job is null");
      requireNonNull(review, "review is null");
    }
  }

  private final RunExecutor executor;
  private final RunStore store;
  private final ReportReviews reviews;
  private final RestoredCopies restores;
  private final Wait wait;
  private final Clock clock;

  RunSteps(
      RunExecutor executor,
      RunStore store,
      ReportReviews reviews,
      RestoredCopies restores,
      Wait wait,
      Clock clock) {
    this.executor = requireNonNull(executor, "executor is null");
    this.store = requireNonNull(store, "store is null");
    this.reviews = requireNonNull(reviews, "reviews is null");
    this.restores = requireNonNull(restores, "restores is null");
    this.wait = requireNonNull(wait, "wait is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The action of each step of {@code playbook}, in order. */
  static List<ActionSpec> steps(Playbook playbook) {
    List<ActionSpec> steps = new ArrayList<>();
    playbook.action().ifPresent(steps::add);
    playbook.then().ifPresent(steps::add);
    return steps;
  }

  /**
   * The action of each step of {@code run}, reached or queued, in order: as the run recorded them;
   * for a run recorded before steps kept their action block, its playbook's.
   */
  static List<ActionSpec> steps(Playbook playbook, RunRecord run) {
    RunRecord full = withLegacyQueue(playbook, run);
    List<ActionSpec> fromPlaybook = steps(playbook);
    List<ActionSpec> all = new ArrayList<>();
    for (RunRecord.Step step : full.steps()) {
      all.add(
          step.options()
              .map(o -> spec(step.action(), o))
              .orElseGet(() -> fromPlaybook.get(all.size())));
    }
    full.queued().forEach(q -> all.add(spec(q.action(), q.options())));
    return all;
  }

  /**
   * {@code run}, with the steps its playbook has beyond those it reached queued when it was
   * recorded before steps were queued (its first step has no action block).
   */
  static RunRecord withLegacyQueue(Playbook playbook, RunRecord run) {
    if (run.steps().get(0).options().isPresent() || !run.queued().isEmpty()) {
      return run;
    }
    List<ActionSpec> all = steps(playbook);
    List<RunRecord.Queued> queued = new ArrayList<>();
    for (int i = run.steps().size(); i < all.size(); i++) {
      queued.add(new RunRecord.Queued(all.get(i).type(), json(all.get(i)), Optional.empty()));
    }
    return run.withQueued(queued);
  }

  /**
   * How many steps {@code run} has: reached and queued; for a run recorded before steps were
   * queued, its playbook's, read again from the file it was planned from when that file is
   * unchanged, else the steps the run has planned so far.
   */
  static int plannedSteps(RunRecord run) {
    if (run.steps().get(0).options().isPresent() || !run.queued().isEmpty()) {
      return run.stepCount();
    }
    try {
      return Math.max(steps(RunPlaybooks.of(run, "", "")).size(), run.steps().size());
    } catch (RuntimeException e) {
      return run.steps().size();
    }
  }

  /** A step's action block, as the run record keeps it. */
  static String json(ActionSpec spec) {
    try {
      return JSON.writeValueAsString(spec.options());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("an action block is plain JSON", e);
    }
  }

  /** The action block a run recorded for a step. */
  static ActionSpec spec(String type, String json) {
    try {
      return new ActionSpec(type, (ObjectNode) JSON.readTree(json));
    } catch (JsonProcessingException | ClassCastException e) {
      throw new QuarryException(
          ErrorCode.INTERNAL_ERROR, "a run's step has an unreadable action block: " + json, e);
    }
  }

  /** Whether a step's job waits for a confirmation: a destructive action, or confirm: required. */
  static boolean needsConfirmation(Playbook playbook, ActionSpec step) {
    return playbook.limits().confirm() == Limits.Confirm.REQUIRED
        || ActionRegistry.create(step).destructive();
  }

  /**
   * Takes {@code run} on from where it stands.
   *
   * @param follow whether to take the jobs to their end (and through the steps); otherwise return
   *     once the current step's job is submitted (and confirmed, if the run was approved)
   */
  Driven drive(Playbook playbook, RunRecord run, boolean follow, RunListener listener) {
    Tracked tracked = new Tracked(withLegacyQueue(playbook, run));
    try {
      while (true) {
        int number = tracked.run.currentNumber();
        List<ActionSpec> steps = steps(playbook, tracked.run);
        ActionSpec spec = steps.get(number - 1);
        RunRecord.Step step = tracked.run.current();
        JobRecord job;
        if (step.jobId().isEmpty()) {
          if (step.manifest().rows() == 0 && number > 1) {
            // not one object of the step before is ready: the run did not do what it is for
            String why =
                "no object is ready for step "
                    + number
                    + " ("
                    + spec.type()
                    + ")"
                    + step.note().map(n -> ": " + n).orElse("");
            return new Driven(tracked.fail(why), Optional.empty(), Optional.empty());
          }
          if (step.manifest().rows() == 0 && !executor.acceptsEmptyManifest()) {
            // nothing for this step: AWS fails (and bills) a job with an empty manifest
            return new Driven(tracked.end(RunPhase.COMPLETED), Optional.empty(), Optional.empty());
          }
          job = executor.jobs().submit(request(playbook, tracked.run, number, spec));
          tracked.submitted(job);
          listener.submitted(tracked.run, job);
        } else {
          String jobId = step.jobId().get();
          job =
              executor
                  .jobs()
                  .describe(jobId)
                  .orElseThrow(
                      () ->
                          QuarryException.external(
                              ErrorCode.JOB_FAILED,
                              "job "
                                  + jobId
                                  + " of run "
                                  + run.id()
                                  + " is not known to the executor (another state directory or"
                                  + " account?)",
                              null));
          tracked.seen(job);
        }
        if (tracked.run.approvedBy().isPresent() && !job.status().terminal()) {
          job = executor.prepared(job);
          if (job.status() == JobStatus.SUSPENDED) {
            job = executor.jobs().confirm(job.jobId());
            tracked.seen(job);
          }
        }
        if (!follow) {
          return new Driven(tracked.run, Optional.of(job), Optional.empty());
        }
        if (!job.status().terminal()) {
          job =
              executor.follow(
                  job.jobId(),
                  j -> {
                    tracked.seen(j);
                    listener.onProgress(j);
                  });
        }
        if (!job.status().terminal()) {
          // Suspended: only a confirmation moves it on
          tracked.seen(job);
          return new Driven(tracked.run, Optional.of(job), Optional.empty());
        }
        Optional<ReportReview> review = reviews.review(job);
        boolean more = !tracked.run.queued().isEmpty() && job.status() == JobStatus.COMPLETE;
        tracked.stepEnded(job, more);
        if (!more) {
          return new Driven(tracked.run, Optional.of(job), review);
        }
        RunRecord.Queued queued = tracked.run.queued().get(0);
        tracked.next(
            queued.manifest().isPresent()
                ? RunRecord.Step.planned(
                    queued.action(), Optional.of(queued.options()), queued.manifest().get())
                : nextStep(tracked.run, queued, listener));
      }
    } catch (RuntimeException e) {
      tracked.failed(e);
      throw e;
    }
  }

  private JobRequest request(Playbook playbook, RunRecord run, int number, ActionSpec spec) {
    RunRecord.Manifest manifest = run.current().manifest();
    Path file = Path.of(manifest.location());
    boolean versions = ManifestReader.hasVersionIds(file);
    return new JobRequest(
        JobRequest.tokenFor(run.id(), number),
        playbook.name(),
        run.id(),
        number == 1
            ? playbook.description()
            : playbook.description() + " (step " + number + ": " + spec.type() + ")",
        10,
        spec,
        new JobRequest.ManifestRef(
            file,
            ManifestInfo.FORMAT,
            manifest.etag(),
            versions ? List.of("Bucket", "Key", "VersionId") : List.of("Bucket", "Key")),
        new JobRequest.Report(
            true, executor.reportLocation(file.getParent()), playbook.report().scope()),
        needsConfirmation(playbook, spec));
  }

  /**
   * Waits until each object of the step that ended can be read (its restore completed), or the
   * wait's limit is reached, then writes the next step's manifest: the objects that are ready. The
   * others are listed beside it ({@code not-ready.csv}) and counted in the step's note. The wait is
   * measured from when the run entered it, so a restart does not start it over.
   */
  private RunRecord.Step nextStep(RunRecord run, RunRecord.Queued next, RunListener listener) {
    Path ended = Path.of(run.current().manifest().location());
    Action action = ActionRegistry.create(spec(next.action(), next.options()));
    List<ObjectRow> pending = new ArrayList<>();
    long total = ManifestReader.read(ended, pending::add);
    List<ObjectRow> ready = new ArrayList<>();
    Map<RestoredCopies.State, List<ObjectRow>> left = new EnumMap<>(RestoredCopies.State.class);
    Instant deadline = run.entered(RunPhase.WAITING).orElse(clock.instant()).plus(wait.atMost());
    while (true) {
      List<ObjectRow> still = new ArrayList<>();
      for (ObjectRow row : pending) {
        RestoredCopies.State state = restores.check(row);
        switch (state) {
          case READABLE -> ready.add(row);
          case IN_PROGRESS, UNKNOWN -> still.add(row);
          case NOT_RESTORED, MISSING ->
              left.computeIfAbsent(state, s -> new ArrayList<>()).add(row);
        }
      }
      pending = still;
      listener.waiting(run, ready.size(), pending.size(), total);
      if (pending.isEmpty() || !clock.instant().isBefore(deadline)) {
        break;
      }
      try {
        wait.sleeper().sleep(wait.poll());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw QuarryException.user(
            ErrorCode.INTERRUPTED,
            "interrupted while run "
                + run.id()
                + " waited for restores; quarry resume "
                + run.id());
      }
    }
    if (!pending.isEmpty()) {
      left.put(RestoredCopies.State.IN_PROGRESS, pending);
    }
    // beside the run's other steps: step-<n>/ folders in the run's folder
    Path folder =
        ended.getParent().getFileName().toString().startsWith("step-")
            ? ended.getParent().getParent()
            : ended.getParent();
    Path dir = folder.resolve("step-" + (run.currentNumber() + 1));
    boolean versions =
        action.needsVersionId()
            || (action.acceptsVersionId() && ManifestReader.hasVersionIds(ended));
    Manifest manifest;
    try (ManifestWriter writer = ManifestWriter.open(dir.resolve("manifest.csv"), versions)) {
      ready.forEach(writer::write);
      manifest = writer.finish();
    }
    writeNotReady(dir.resolve("not-ready.csv"), left);
    RunRecord.Step step =
        RunRecord.Step.planned(
            next.action(),
            Optional.of(next.options()),
            new RunRecord.Manifest(manifest.file().toString(), manifest.etag(), manifest.rows()));
    return left.isEmpty() ? step : step.withNote(note(left, dir.resolve("not-ready.csv")));
  }

  private static String note(Map<RestoredCopies.State, List<ObjectRow>> left, Path file) {
    List<String> parts = new ArrayList<>();
    left.forEach((state, rows) -> parts.add(rows.size() + " " + describe(state)));
    return "left out: " + String.join(", ", parts) + " (listed in " + file + ")";
  }

  private static String describe(RestoredCopies.State state) {
    return switch (state) {
      case IN_PROGRESS -> "still being restored (or unanswered) when the wait ended";
      case UNKNOWN -> "unanswered";
      case NOT_RESTORED -> "not restored (the restore failed or the object is not archived)";
      case MISSING -> "no longer exist";
      case READABLE -> "readable";
    };
  }

  private static void writeNotReady(Path file, Map<RestoredCopies.State, List<ObjectRow>> left) {
    StringBuilder out = new StringBuilder();
    try (CSVPrinter csv = new CSVPrinter(out, CSVFormat.RFC4180)) {
      csv.printRecord("bucket", "key", "version_id", "state");
      for (Map.Entry<RestoredCopies.State, List<ObjectRow>> e : left.entrySet()) {
        for (ObjectRow row : e.getValue()) {
          csv.printRecord(row.bucket(), row.key(), row.versionId(), e.getKey().name());
        }
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    AtomicFiles.write(file, out.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** The run's record as its jobs move, saved at each phase change. */
  private final class Tracked {
    private RunRecord run;

    Tracked(RunRecord run) {
      this.run = run;
    }

    synchronized void submitted(JobRecord job) {
      run = run.withJob(job.jobId()).enter(RunPhase.SUBMITTED, clock.instant());
      store.save(run);
      seen(job);
    }

    /** Saves the run when the job's status moves it to another phase (not its end). */
    synchronized void seen(JobRecord job) {
      RunPhase phase = RunPhase.of(job.status());
      if (phase != run.phase() && !phase.ended()) {
        run = run.enter(phase, clock.instant());
        store.save(run);
      }
    }

    /** The step's job ended: its counts and report; the run ends with it unless a step follows. */
    synchronized void stepEnded(JobRecord job, boolean more) {
      JobRecord.Progress p = job.progress();
      run =
          run.withOutcome(
              new RunRecord.Counts(
                  p.totalNumberOfTasks(), p.numberOfTasksSucceeded(), p.numberOfTasksFailed()),
              job.report().map(r -> ExecuteRun.reportManifest(r, job.jobId())),
              job.failureReasons().isEmpty()
                  ? Optional.empty()
                  : Optional.of(String.join("; ", job.failureReasons())));
      run = run.enter(more ? RunPhase.WAITING : RunPhase.of(job.status()), clock.instant());
      store.save(run);
    }

    synchronized void next(RunRecord.Step step) {
      run = run.withStep(step);
      store.save(run);
    }

    synchronized RunRecord fail(String reason) {
      run = run.withFailure(Optional.of(reason)).enter(RunPhase.FAILED, clock.instant());
      store.save(run);
      return run;
    }

    synchronized RunRecord end(RunPhase phase) {
      run = run.enter(phase, clock.instant());
      store.save(run);
      return run;
    }

    /**
     * A user error before the step's job was submitted (the manifest changed, a setting is wrong)
     * ends the run: nothing runs. Otherwise the job may exist or still run (resume finds it), so
     * only the reason is kept beside the phase reached.
     */
    synchronized void failed(RuntimeException e) {
      String reason = Optional.ofNullable(e.getMessage()).orElse(e.getClass().getSimpleName());
      boolean nothingRuns =
          run.current().jobId().isEmpty()
              && run.phase() == RunPhase.PLANNED
              && e instanceof QuarryException q
              && q.kind() == ErrorKind.USER;
      RunRecord next = run.withFailure(Optional.of(reason));
      run = nothingRuns ? next.enter(RunPhase.FAILED, clock.instant()) : next;
      try {
        store.save(run);
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
    }
  }
}
