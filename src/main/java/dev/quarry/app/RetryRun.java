package dev.quarry.app;

import static java.util.Objects.requireNonNull;

import dev.quarry.error.QuarryException;
import dev.quarry.playbook.Playbook;
import dev.quarry.report.ReportLocation;
import dev.quarry.report.RetryManifestWriter;
import dev.quarry.report.TaskResult;
import dev.quarry.run.RunRecord;
import dev.quarry.run.RunStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * Retries a run's failed tasks as a new run linked to it ({@code quarry retry}): reads the
 * completion report of the run's last job, writes the failures it is asked for as a manifest and
 * runs the playbook's action on it through {@link ExecuteRun#executeOn}, with the same limits and
 * approval as any run.
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
   * @param run the retry's outcome; absent when no failure was selected (nothing was submitted)
   */
  public record Result(
      RunRecord origin, long failed, long selected, Optional<ExecuteRun.Outcome> run) {
    public Result {
      requireNonNull(origin, "origin is null");
      requireNonNull(run, "run is null");
    }
  }

  /**
   * @throws QuarryException (user) when the run is unknown, has not ended, has no report, its
   *     playbook changed or has a second step
   */
  public Result retry(
      String runId, Selection selection, boolean wait, Approval approval, RunListener listener) {
    RunRecord origin =
        store
            .find(requireNonNull(runId, "runId is null"))
            .orElseThrow(() -> QuarryException.user("no run " + runId + " (see quarry runs)"));
    if (origin.ended().isEmpty()) {
      throw QuarryException.user(
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
    if (playbook.then().isPresent()) {
      // which step a failed task belongs to decides what to run again: not supported yet
      throw QuarryException.user(
          "run "
              + runId
              + "'s playbook has two steps (then:): quarry retry runs one-step playbooks");
    }
    String jobId =
        origin
            .current()
            .jobId()
            .orElseThrow(
                () -> QuarryException.user("run " + runId + " submitted no job: nothing to retry"));
    ReportLocation location =
        origin
            .report()
            .flatMap(ReviewReport::prefixOf)
            .orElseThrow(
                () ->
                    QuarryException.user(
                        "run " + runId + " has no completion report on record: nothing to retry"));
    // a name of its own: two retries of one run may be staged at once (one of them is refused)
    Path staged =
        manifestsRoot
            .resolve(playbook.name())
            .resolve(runId)
            .resolve("retry-" + java.util.UUID.randomUUID() + ".csv");
    long[] counts = new long[2];
    Optional<dev.quarry.manifest.Manifest> manifest;
    try (RetryManifestWriter writer = new RetryManifestWriter(staged)) {
      reports.read(
          location,
          jobId,
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
      return new Result(origin, counts[0], 0, Optional.empty());
    }
    try {
      return new Result(
          origin,
          counts[0],
          counts[1],
          Optional.of(
              execute.executeOn(
                  playbook,
                  staged,
                  origin.parameters(),
                  origin.engine(),
                  origin.id(),
                  wait,
                  approval,
                  listener)));
    } finally {
      // the retry's own folder keeps its copy; this one would only go stale
      try {
        Files.deleteIfExists(staged);
      } catch (IOException ignored) {
        // a leftover staging file is harmless: the next retry writes it again
      }
    }
  }
}
