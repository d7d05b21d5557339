package dev.quarry.run;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A run as a whole, as its store keeps it: what was planned, which job it submitted, every phase it
 * went through and when, who approved it, and how it ended. Each change makes a new record.
 *
 * @param playbookHash SHA-256 of the playbook file's bytes, hex: which version of it ran
 * @param parameters the values given on the command line, as text
 * @param manifest where the manifest is, its ETag and rows; absent before the plan wrote it
 * @param jobIds the run's jobs, in order (one per step)
 * @param transitions every phase the run entered, oldest first; never empty
 * @param approvedBy who or what approved the job ("--yes", "console"); absent when nobody did
 * @param report where the completion report is, once known
 * @param counts tasks of the job, as last seen
 * @param failureReason why the run failed or stopped, when it did
 */
public record RunRecord(
    String id,
    String playbook,
    String playbookHash,
    Map<String, String> parameters,
    String engine,
    Optional<Manifest> manifest,
    List<String> jobIds,
    List<Transition> transitions,
    Optional<String> approvedBy,
    Optional<String> report,
    Counts counts,
    Optional<String> failureReason) {
  public RunRecord {
    requireNonNull(id, "id is null");
    requireNonNull(playbook, "playbook is null");
    requireNonNull(playbookHash, "playbookHash is null");
    parameters = Map.copyOf(parameters);
    requireNonNull(engine, "engine is null");
    requireNonNull(manifest, "manifest is null");
    jobIds = List.copyOf(jobIds);
    transitions = List.copyOf(transitions);
    if (transitions.isEmpty()) {
      throw new IllegalArgumentException("a run has at least one transition");
    }
    requireNonNull(approvedBy, "approvedBy is null");
    requireNonNull(report, "report is null");
    requireNonNull(counts, "counts is null");
    requireNonNull(failureReason, "failureReason is null");
  }

  /** A run that has just been planned. */
  public static RunRecord planned(
      String id,
      String playbook,
      String playbookHash,
      Map<String, String> parameters,
      String engine,
      Manifest manifest,
      Instant at) {
    return new RunRecord(
        id,
        playbook,
        playbookHash,
        parameters,
        engine,
        Optional.of(manifest),
        List.of(),
        List.of(new Transition(RunPhase.PLANNED, at)),
        Optional.empty(),
        Optional.empty(),
        new Counts(manifest.rows(), 0, 0),
        Optional.empty());
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
        playbookHash,
        parameters,
        engine,
        manifest,
        jobIds,
        next,
        approvedBy,
        report,
        counts,
        failureReason);
  }

  public RunRecord withJob(String jobId) {
    if (jobIds.contains(jobId)) {
      return this;
    }
    List<String> next = new ArrayList<>(jobIds);
    next.add(jobId);
    return new RunRecord(
        id,
        playbook,
        playbookHash,
        parameters,
        engine,
        manifest,
        next,
        transitions,
        approvedBy,
        report,
        counts,
        failureReason);
  }

  public RunRecord approvedBy(String who) {
    return new RunRecord(
        id,
        playbook,
        playbookHash,
        parameters,
        engine,
        manifest,
        jobIds,
        transitions,
        Optional.of(who),
        report,
        counts,
        failureReason);
  }

  public RunRecord withOutcome(Counts counts, Optional<String> report, Optional<String> reason) {
    return new RunRecord(
        id,
        playbook,
        playbookHash,
        parameters,
        engine,
        manifest,
        jobIds,
        transitions,
        approvedBy,
        report,
        counts,
        reason);
  }

  /** The manifest a run's job reads. */
  public record Manifest(String location, String etag, long rows) {
    public Manifest {
      requireNonNull(location, "location is null");
      requireNonNull(etag, "etag is null");
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
