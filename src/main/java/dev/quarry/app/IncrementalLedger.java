package dev.quarry.app;

import static java.util.Objects.requireNonNull;

import java.time.LocalDateTime;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;

/**
 * What the runs of incremental playbooks handled: each run's window over the journal and the
 * objects of its manifest. A run's entry counts only once its job was submitted (or it ended
 * completed with nothing to submit): a run that fails before leaves the watermark where it was and
 * its objects to the next run. Times are UTC.
 */
public interface IncrementalLedger {
  /**
   * One run's window.
   *
   * @param since the window's nominal start: the last counted run's {@code until} minus the
   *     look-back
   * @param scanFrom where the run read from: that {@code until} minus the reconciliation horizon;
   *     the rows between here and {@code since} that no run handled are late
   * @param until the run's time: the next run's watermark
   * @param lateRows rows older than {@code since} that no run had handled, processed by this run
   */
  record Window(
      String runId,
      String playbook,
      LocalDateTime since,
      LocalDateTime scanFrom,
      LocalDateTime until,
      long lateRows) {
    public Window {
      requireNonNull(runId, "runId is null");
      requireNonNull(playbook, "playbook is null");
      requireNonNull(since, "since is null");
      requireNonNull(scanFrom, "scanFrom is null");
      requireNonNull(until, "until is null");
    }
  }

  /** An object as a manifest names it; {@code versionId} is empty for none. */
  record Handled(String bucket, String key, String versionId) {
    public Handled {
      requireNonNull(bucket, "bucket is null");
      requireNonNull(key, "key is null");
      requireNonNull(versionId, "versionId is null");
    }
  }

  /** The last counted window of {@code playbook}: its {@code until} is the watermark. */
  Optional<Window> lastCounted(String playbook);

  /** The objects of the counted runs of {@code playbook} whose window ended after {@code after}. */
  Set<Handled> handled(String playbook, LocalDateTime after);

  /** Records a planned run's window and objects, before its job is submitted. */
  void record(Window window, Collection<Handled> objects);

  Optional<Window> window(String runId);

  /**
   * Forgets the windows of {@code playbook} that ended before {@code before}, and their objects,
   * except the last counted one: no later run reads that far back.
   */
  void prune(String playbook, LocalDateTime before);
}
