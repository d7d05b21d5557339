package dev.quarry.run;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A run as a whole, as its store keeps it: what was planned, the jobs of its steps, every phase it
 * went through and when, who approved it, and how it ended. Each change makes a new record.
 *
 * <p>A run has one step per job, in order: most runs have one. A plan that splits its objects into
 * several jobs (a copy in place keeps one storage class per job) queues the others; a restore with
 * a follow-up ({@code then:}) queues that follow-up, planned only once the restored copies are
 * readable. {@code steps} are the steps reached so far, {@code queued} those still to come.
 *
 * @param playbookPath the playbook file the run was planned from, absolute, so {@code quarry
 *     resume} can read it again (checked against {@code playbookHash}); absent for runs recorded
 *     without it
 * @param playbookHash SHA-256 of the playbook file's bytes, hex: which version of it ran
 * @param parameters the values given on the command line, as text
 * @param steps the run's steps, in order; never empty: the first one is planned with the run
 * @param transitions every phase the run entered, oldest first; never empty
 * @param approvedBy who or what approved the run ("--yes", "console"); absent when nobody did
 * @param failureReason why the run failed or stopped, when it did
 * @param retryOf the run whose failed tasks this run retries ({@code quarry retry}); absent for a
 *     run planned from its playbook's query
 * @param queued the steps still to come, in order; empty for a run whose last step is reached (and
 *     for runs recorded before steps were queued: their follow-up comes from the playbook)
 */
public record RunRecord(
    String id,
    String playbook,
    Optional<String> playbookPath,
    String playbookHash,
    Map<String, String> parameters,
    String engine,
    List<Step> steps,
    List<Transition> transitions,
    Optional<String> approvedBy,
    Optional<String> failureReason,
    Optional<String> retryOf,
    List<Queued> queued) {
  public RunRecord {
    requireNonNull(id, "id is null");
    requireNonNull(playbook, "playbook is null");
    requireNonNull(playbookPath, "playbookPath is null");
    requireNonNull(playbookHash, "playbookHash is null");
    parameters = Map.copyOf(parameters);
    requireNonNull(engine, "engine is null");
    steps = List.copyOf(steps);
    if (steps.isEmpty()) {
      throw new IllegalArgumentException("a run has at least one step");
    }
    transitions = List.copyOf(transitions);
    if (transitions.isEmpty()) {
      throw new IllegalArgumentException("a run has at least one transition");
    }
    requireNonNull(approvedBy, "approvedBy is null");
    requireNonNull(failureReason, "failureReason is null");
    requireNonNull(retryOf, "retryOf is null");
    queued = List.copyOf(queued);
  }

  /** A run with no step queued. */
  public RunRecord(
      String id,
      String playbook,
      Optional<String> playbookPath,
      String playbookHash,
      Map<String, String> parameters,
      String engine,
      List<Step> steps,
      List<Transition> transitions,
      Optional<String> approvedBy,
      Optional<String> failureReason,
      Optional<String> retryOf) {
    this(
        id,
        playbook,
        playbookPath,
        playbookHash,
        parameters,
        engine,
        steps,
        transitions,
        approvedBy,
        failureReason,
        retryOf,
        List.of());
  }

  /** A run that retries no other run. */
  public RunRecord(
      String id,
      String playbook,
      Optional<String> playbookPath,
      String playbookHash,
      Map<String, String> parameters,
      String engine,
      List<Step> steps,
      List<Transition> transitions,
      Optional<String> approvedBy,
      Optional<String> failureReason) {
    this(
        id,
        playbook,
        playbookPath,
        playbookHash,
        parameters,
        engine,
        steps,
        transitions,
        approvedBy,
        failureReason,
        Optional.empty());
  }

  /** This run as the retry of run {@code origin}. */
  public RunRecord retrying(String origin) {
    return new RunRecord(
        id,
        playbook,
        playbookPath,
        playbookHash,
        parameters,
        engine,
        steps,
        transitions,
        approvedBy,
        failureReason,
        Optional.of(requireNonNull(origin, "origin is null")),
        queued);
  }

  /** A run that has just been planned, its first step's manifest written. */
  public static RunRecord planned(
      String id,
      String playbook,
      String playbookHash,
      Map<String, String> parameters,
      String engine,
      Manifest manifest,
      Instant at) {
    return planned(
        id, playbook, Optional.empty(), playbookHash, parameters, engine, "", manifest, at);
  }

  /** A run that has just been planned from {@code playbookPath}, its first step {@code action}. */
  public static RunRecord planned(
      String id,
      String playbook,
      Optional<String> playbookPath,
      String playbookHash,
      Map<String, String> parameters,
      String engine,
      String action,
      Manifest manifest,
      Instant at) {
    return new RunRecord(
        id,
        playbook,
        playbookPath,
        playbookHash,
        parameters,
        engine,
        List.of(Step.planned(action, manifest)),
        List.of(new Transition(RunPhase.PLANNED, at)),
        Optional.empty(),
        Optional.empty());
  }

  /**
   * A run that has just been planned from {@code playbookPath}: its first step and those queued.
   */
  public static RunRecord planned(
      String id,
      String playbook,
      Optional<String> playbookPath,
      String playbookHash,
      Map<String, String> parameters,
      String engine,
      Step first,
      List<Queued> queued,
      Instant at) {
    return new RunRecord(
        id,
        playbook,
        playbookPath,
        playbookHash,
        parameters,
        engine,
        List.of(first),
        List.of(new Transition(RunPhase.PLANNED, at)),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        queued);
  }

  public RunPhase phase() {
    return transitions.get(transitions.size() - 1).phase();
  }

  public Instant started() {
    return transitions.get(0).at();
  }

  /** When the run ended; absent while it has not. */
  public Optional<Instant> ended() {
    return phase().ended()
        ? Optional.of(transitions.get(transitions.size() - 1).at())
        : Optional.empty();
  }

  /** When the run last entered {@code phase}; absent when it never did. */
  public Optional<Instant> entered(RunPhase phase) {
    for (int i = transitions.size() - 1; i >= 0; i--) {
      if (transitions.get(i).phase() == phase) {
        return Optional.of(transitions.get(i).at());
      }
    }
    return Optional.empty();
  }

  /** The step the run is at: the last one planned. */
  public Step current() {
    return steps.get(steps.size() - 1);
  }

  /** The current step's number, from 1. */
  public int currentNumber() {
    return steps.size();
  }

  /** The first step's manifest: what the playbook's query selected. */
  public Optional<Manifest> manifest() {
    return Optional.of(steps.get(0).manifest());
  }

  /** The jobs submitted so far, one per step, in order. */
  public List<String> jobIds() {
    return steps.stream().flatMap(s -> s.jobId().stream()).toList();
  }

  /** The current step's tasks, as last seen. */
  public Counts counts() {
    return current().counts();
  }

  /** The tasks of every step reached, added up: what the whole run did. */
  public Counts totalCounts() {
    long objects = 0;
    long succeeded = 0;
    long failed = 0;
    for (Step step : steps) {
      objects += step.counts().objects();
      succeeded += step.counts().succeeded();
      failed += step.counts().failed();
    }
    return new Counts(objects, succeeded, failed);
  }

  /** Where the current step's completion report is, once known. */
  public Optional<String> report() {
    return current().report();
  }

  /** This record in {@code phase} from {@code at}; the same record when it is there already. */
  public RunRecord enter(RunPhase phase, Instant at) {
    if (phase == phase()) {
      return this;
    }
    List<Transition> next = new ArrayList<>(transitions);
    next.add(new Transition(phase, at));
    return new RunRecord(
        id,
        playbook,
        playbookPath,
        playbookHash,
        parameters,
        engine,
        steps,
        next,
        approvedBy,
        failureReason,
        retryOf,
        queued);
  }

  /** The current step with its job; the same record when it has that job already. */
  public RunRecord withJob(String jobId) {
    Step step = current();
    if (step.jobId().isPresent()) {
      if (step.jobId().get().equals(jobId)) {
        return this;
      }
      throw new IllegalStateException(
          "step " + currentNumber() + " of run " + id + " has job " + step.jobId().get());
    }
    return withCurrent(step.withJob(jobId));
  }

  /**
   * The next step, planned: its manifest written, no job yet. It is the first queued step, which
   * leaves the queue.
   */
  public RunRecord withStep(Step next) {
    List<Step> more = new ArrayList<>(steps);
    more.add(requireNonNull(next, "next is null"));
    return new RunRecord(
        id,
        playbook,
        playbookPath,
        playbookHash,
        parameters,
        engine,
        more,
        transitions,
        approvedBy,
        failureReason,
        retryOf,
        queued.isEmpty() ? queued : queued.subList(1, queued.size()));
  }

  /** This run with {@code next} as the steps still to come. */
  public RunRecord withQueued(List<Queued> next) {
    return new RunRecord(
        id,
        playbook,
        playbookPath,
        playbookHash,
        parameters,
        engine,
        steps,
        transitions,
        approvedBy,
        failureReason,
        retryOf,
        next);
  }

  /** How many steps the run has: those reached and those queued. */
  public int stepCount() {
    return steps.size() + queued.size();
  }

  public RunRecord approvedBy(String who) {
    return new RunRecord(
        id,
        playbook,
        playbookPath,
        playbookHash,
        parameters,
        engine,
        steps,
        transitions,
        Optional.of(who),
        failureReason,
        retryOf,
        queued);
  }

  /** The current step's counts and report, and the run's failure reason. */
  public RunRecord withOutcome(Counts counts, Optional<String> report, Optional<String> reason) {
    Step step = current();
    return withCurrent(
            new Step(
                step.action(),
                step.options(),
                step.manifest(),
                step.jobId(),
                counts,
                report,
                step.note()))
        .withFailure(reason);
  }

  public RunRecord withFailure(Optional<String> reason) {
    return new RunRecord(
        id,
        playbook,
        playbookPath,
        playbookHash,
        parameters,
        engine,
        steps,
        transitions,
        approvedBy,
        reason,
        retryOf,
        queued);
  }

  private RunRecord withCurrent(Step step) {
    List<Step> next = new ArrayList<>(steps);
    next.set(next.size() - 1, step);
    return new RunRecord(
        id,
        playbook,
        playbookPath,
        playbookHash,
        parameters,
        engine,
        next,
        transitions,
        approvedBy,
        failureReason,
        retryOf,
        queued);
  }

  /**
   * One job of a run.
   *
   * @param action the action type the step's job runs
   * @param options the step's action block as JSON ({@code type} included), when the run recorded
   *     it; absent for runs recorded before, whose steps are their playbook's
   * @param manifest the manifest the step's job reads
   * @param jobId absent until the job is submitted
   * @param counts tasks of the job, as last seen
   * @param report where the job's completion report is, once known
   * @param note what the step left out and why (e.g. objects whose restore had not completed)
   */
  public record Step(
      String action,
      Optional<String> options,
      Manifest manifest,
      Optional<String> jobId,
      Counts counts,
      Optional<String> report,
      Optional<String> note) {
    public Step {
      requireNonNull(action, "action is null");
      requireNonNull(options, "options is null");
      requireNonNull(manifest, "manifest is null");
      requireNonNull(jobId, "jobId is null");
      requireNonNull(counts, "counts is null");
      requireNonNull(report, "report is null");
      requireNonNull(note, "note is null");
    }

    public static Step planned(String action, Manifest manifest) {
      return planned(action, Optional.empty(), manifest);
    }

    public static Step planned(String action, Optional<String> options, Manifest manifest) {
      return new Step(
          action,
          options,
          manifest,
          Optional.empty(),
          new Counts(manifest.rows(), 0, 0),
          Optional.empty(),
          Optional.empty());
    }

    public Step withJob(String id) {
      return new Step(action, options, manifest, Optional.of(id), counts, report, note);
    }

    public Step withNote(String text) {
      return new Step(action, options, manifest, jobId, counts, report, Optional.of(text));
    }
  }

  /**
   * A step still to come.
   *
   * @param action the action type its job will run
   * @param options its action block as JSON ({@code type} included)
   * @param manifest its manifest, when the plan wrote it; absent for a step planned once the step
   *     before it has ended: over the objects of that step whose restored copies are readable
   */
  public record Queued(String action, String options, Optional<Manifest> manifest) {
    public Queued {
      requireNonNull(action, "action is null");
      requireNonNull(options, "options is null");
      requireNonNull(manifest, "manifest is null");
    }

    /** Whether this step waits for the restored copies of the step before it. */
    public boolean afterRestore() {
      return manifest.isEmpty();
    }
  }

  /**
   * The manifest a run's job reads.
   *
   * @param queryIds the engine's ids of the queries it came from (Athena's query execution ids);
   *     empty for the embedded engine and for a manifest Quarry wrote itself (a later step)
   */
  public record Manifest(String location, String etag, long rows, List<String> queryIds) {
    public Manifest {
      requireNonNull(location, "location is null");
      requireNonNull(etag, "etag is null");
      queryIds = List.copyOf(queryIds);
    }

    public Manifest(String location, String etag, long rows) {
      this(location, etag, rows, List.of());
    }
  }

  /** A phase the run entered, and when. */
  public record Transition(RunPhase phase, Instant at) {
    public Transition {
      requireNonNull(phase, "phase is null");
      requireNonNull(at, "at is null");
    }
  }

  /** Tasks: in the manifest, succeeded, failed. */
  public record Counts(long objects, long succeeded, long failed) {}
}
