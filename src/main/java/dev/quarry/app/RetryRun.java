package dev.quarry.app;

import static java.util.Objects.requireNonNull;

import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.io.FileTrees;
import dev.quarry.playbook.ActionSpec;
import dev.quarry.playbook.Playbook;
import dev.quarry.report.ReportLocation;
import dev.quarry.report.RetryManifestWriter;
import dev.quarry.report.TaskResult;
import dev.quarry.run.RunRecord;
import dev.quarry.run.RunStore;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Retries a run's failed tasks as a new run linked to it ({@code quarry retry}): reads the
 * completion report of each of the run's jobs, writes the failures it is asked for as one manifest
 * per step and runs each step's action on them through {@link ExecuteRun#executeOn}, with the same
 * limits and approval as any run.
 *
 * <p>A permanent failure (404 NoSuchKey, 403 InvalidObjectState, ...) fails again unless something
 * changed, so by default only transient ones ({@link
 * dev.quarry.action.TaskOutcome#transientFailure}) are retried; naming error codes retries those
 * codes, permanent or not, and nothing else.
 */
public final class RetryRun {
  private final RunStore store;
  private final ReviewReport.Reader reports;
  private final ExecuteRun execute;
  private final Path manifestsRoot;

  public RetryRun(
      RunStore store, ReviewReport.Reader reports, ExecuteRun execute, Path manifestsRoot) {
    this.store = requireNonNull(store, "store is null");
    this.reports = requireNonNull(reports, "reports is null");
    this.execute = requireNonNull(execute, "execute is null");
    this.manifestsRoot = requireNonNull(manifestsRoot, "manifestsRoot is null");
  }

  /**
   * Which failures to retry.
   *
   * @param errorCodes only failures with one of these codes, permanent or not; empty: every
   *     transient failure (and permanent ones with {@code includePermanent})
   */
  public record Selection(Set<String> errorCodes, boolean includePermanent) {
    public Selection {
      errorCodes = Set.copyOf(errorCodes);
    }

    boolean retries(TaskResult row) {
      if (row.outcome().succeeded()) {
        return false;
      }
      if (!errorCodes.isEmpty()) {
        return errorCodes.contains(row.outcome().errorCode());
      }
      return includePermanent || row.outcome().transientFailure();
    }
  }

  /**
   * What the retry did.
   *
   * @param failed failed tasks in the origin's report
   * @param selected of those, the ones retried
   * @param continued steps the origin (a failed run) had queued and never submitted, submitted by
   *     the retry after the retried tasks
   * @param run the retry's outcome; absent when no failure was selected and no step was queued
   *     (nothing was submitted)
   */
  public record Result(
      RunRecord origin,
      long failed,
      long selected,
      int continued,
      Optional<ExecuteRun.Outcome> run) {
    public Result {
      requireNonNull(origin, "origin is null");
      requireNonNull(run, "run is null");
    }
  }

  /**
   * Each step's failures are retried with that step's action, one step each; a restore's retried
   * tasks are followed again by the step that followed the restore, over their restored copies. A
   * failed run's queued steps, never submitted, follow the retried ones on their planned manifests:
   * the retry finishes what the run was for.
   *
   * @throws QuarryException (user) when the run is unknown, has not ended, has no report, or its
   *     playbook changed
   */
  public Result retry(
      String runId, Selection selection, boolean wait, Approval approval, RunListener listener) {
    RunRecord origin =
        store
            .find(requireNonNull(runId, "runId is null"))
            .orElseThrow(
                () ->
                    QuarryException.user(
                        ErrorCode.RUN_NOT_FOUND, "no run " + runId + " (see quarry runs)"));
    if (origin.ended().isEmpty()) {
      throw QuarryException.user(
          ErrorCode.RUN_STATE_INVALID,
          "run "
              + runId
              + " has not ended ("
              + origin.phase().label()
              + "): follow it with 'quarry resume "
              + runId
              + "' before retrying its failures");
    }
    Playbook playbook =
        RunPlaybooks.of(
            origin, "", "restore that version to retry the run, or run the playbook again");
    List<ActionSpec> specs = RunSteps.steps(playbook, origin);
    if (origin.jobIds().isEmpty()) {
      throw QuarryException.user(
          ErrorCode.RUN_STATE_INVALID, "run " + runId + " submitted no job: nothing to retry");
    }
    // a name of its own: two retries of one run may be staged at once (one of them is refused)
    Path staging =
        manifestsRoot
            .resolve(playbook.name())
            .resolve(runId)
            .resolve("retry-" + java.util.UUID.randomUUID());
    long[] counts = new long[2];
    List<PlanRun.GivenStep> retried = new ArrayList<>();
    List<PlanRun.GivenStep> restores = new ArrayList<>();
    try {
      for (int i = 0; i < origin.steps().size(); i++) {
        RunRecord.Step step = origin.steps().get(i);
        if (step.jobId().isEmpty()) {
          continue;
        }
        ReportLocation location = ReviewReport.reportOf(runId, step, "nothing to retry");
        Path staged = staging.resolve("step-" + (i + 1) + ".csv");
        Optional<dev.quarry.manifest.Manifest> manifest;
        try (RetryManifestWriter writer = new RetryManifestWriter(staged)) {
          reports.read(
              location,
              step.jobId().get(),
              row -> {
                if (!row.outcome().succeeded()) {
                  counts[0]++;
                }
                if (selection.retries(row)) {
                  counts[1]++;
                  writer.accept(row);
                }
              });
          manifest = writer.finish();
        }
        if (manifest.isEmpty()) {
          continue;
        }
        if (specs.get(i).type().equals("restore") && i + 1 < specs.size()) {
          // a restore's next step was planned over its restored copies: the retry does so too
          restores.add(new PlanRun.GivenStep(specs.get(i), staged, Optional.of(specs.get(i + 1))));
        } else {
          retried.add(new PlanRun.GivenStep(specs.get(i), staged, Optional.empty()));
        }
      }
      List<PlanRun.GivenStep> continued = handedOn(origin) ? List.of() : queued(origin, specs);
      retried.addAll(continued);
      // each followed by its follow-up, planned once its restored copies are readable
      retried.addAll(restores);
      if (retried.isEmpty()) {
        return new Result(origin, counts[0], 0, 0, Optional.empty());
      }
      return new Result(
          origin,
          counts[0],
          counts[1],
          continued.size(),
          Optional.of(
              execute.executeOn(
                  playbook,
                  retried,
                  origin.parameters(),
                  origin.engine(),
                  origin.id(),
                  wait,
                  approval,
                  listener)));
    } finally {
      // the retry's own folder keeps its copies; these would only go stale
      deleteTree(staging);
    }
  }

  /**
   * Whether an earlier retry (or undo) of {@code origin} was recorded: the first retry takes the
   * queued steps on as its own, so a second one must not submit them again (a copy in place twice
   * is a second version and a second bill). What the first retry left unsubmitted is continued by
   * retrying that retry.
   */
  private boolean handedOn(RunRecord origin) {
    return store
        .list(
            new RunStore.Query(
                Optional.of(origin.playbook()), Optional.empty(), Optional.of(origin.started())))
        .stream()
        .anyMatch(run -> run.retryOf().equals(Optional.of(origin.id())));
  }

  /**
   * The steps a failed run queued and never reached (the later jobs of a split plan or a revert,
   * each on the manifest it was planned with), in order: a failed step ends its run, so nothing
   * else would ever submit them. A queued restore keeps the follow-up queued after it. A run that
   * completed has none; a cancelled one was stopped on purpose and keeps them unsubmitted.
   */
  private static List<PlanRun.GivenStep> queued(RunRecord origin, List<ActionSpec> specs) {
    List<PlanRun.GivenStep> steps = new ArrayList<>();
    if (origin.phase() != dev.quarry.run.RunPhase.FAILED) {
      return steps;
    }
    List<RunRecord.Queued> queued = origin.queued();
    int first = origin.steps().size();
    for (int q = 0; q < queued.size(); q++) {
      // a step queued after a restore has no manifest of its own: it comes with its restore
      if (queued.get(q).manifest().isEmpty()) {
        continue;
      }
      ActionSpec spec = specs.get(first + q);
      Optional<ActionSpec> followUp =
          q + 1 < queued.size() && queued.get(q + 1).afterRestore()
              ? Optional.of(specs.get(first + q + 1))
              : Optional.empty();
      steps.add(
          new PlanRun.GivenStep(
              spec, Path.of(queued.get(q).manifest().get().location()), followUp));
    }
    return steps;
  }

  private static void deleteTree(Path dir) {
    try {
      FileTrees.delete(dir);
    } catch (UncheckedIOException ignored) {
      // leftover staging files are harmless: the next retry writes its own
    }
  }
}
