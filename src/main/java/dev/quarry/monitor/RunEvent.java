package dev.quarry.monitor;

import static java.util.Objects.requireNonNull;

import dev.quarry.run.RunRecord;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Something a team wants to hear about a run without watching the daemon's log: it ended, it waits
 * for an approval, or its journal delivered rows later than the playbook's look-back.
 *
 * @param runId empty when the firing failed before a run was recorded
 * @param jobIds the run's jobs, oldest first: what {@code quarry confirm} takes
 * @param status the run's phase label ({@code completed}, {@code awaiting-approval}, ...), or
 *     {@code error} for a firing that failed before a run was recorded
 * @param detail why it failed, or what was late; empty when there is nothing to add
 */
public record RunEvent(
    Kind kind,
    String playbook,
    Optional<String> runId,
    List<String> jobIds,
    String status,
    RunRecord.Counts counts,
    Optional<String> detail,
    Instant at) {
  public RunEvent {
    requireNonNull(kind, "kind is null");
    requireNonNull(playbook, "playbook is null");
    requireNonNull(runId, "runId is null");
    jobIds = List.copyOf(requireNonNull(jobIds, "jobIds is null"));
    requireNonNull(status, "status is null");
    requireNonNull(counts, "counts is null");
    requireNonNull(detail, "detail is null");
    requireNonNull(at, "at is null");
  }

  /** What happened; {@link #label()} is the {@code event} field of a webhook's JSON. */
  public enum Kind {
    COMPLETED,
    FAILED,
    AWAITING_APPROVAL,
    LATE_ROWS_FOUND;

    public String label() {
      return switch (this) {
        case COMPLETED -> "run.completed";
        case FAILED -> "run.failed";
        case AWAITING_APPROVAL -> "run.awaiting-approval";
        case LATE_ROWS_FOUND -> "run.late-rows-found";
      };
    }
  }

  /**
   * The event a run's record calls for, if any: a run still going (the daemon stopped while it
   * tracked) calls for none. A refused or cancelled run counts as failed; its status says which.
   */
  public static Optional<RunEvent> of(RunRecord run, Instant at) {
    Kind kind =
        switch (run.phase()) {
          case COMPLETED -> Kind.COMPLETED;
          case FAILED, CANCELLED, REFUSED -> Kind.FAILED;
          case AWAITING_APPROVAL -> Kind.AWAITING_APPROVAL;
          case PLANNED, SUBMITTED, RUNNING, WAITING -> null;
        };
    if (kind == null) {
      return Optional.empty();
    }
    return Optional.of(
        new RunEvent(
            kind,
            run.playbook(),
            Optional.of(run.id()),
            run.jobIds(),
            run.phase().label(),
            // a job waiting for approval has processed nothing yet: its size is the manifest's
            kind == Kind.AWAITING_APPROVAL
                ? new RunRecord.Counts(run.current().manifest().rows(), 0, 0)
                : run.counts(),
            run.failureReason(),
            at));
  }

  /** The one line a chat shows: Slack's {@code text}. */
  public String text() {
    String run = runId.map(id -> " run " + id).orElse("");
    String line =
        switch (kind) {
          case COMPLETED ->
              "%s%s completed: %d objects, %d succeeded, %d failed"
                  .formatted(playbook, run, counts.objects(), counts.succeeded(), counts.failed());
          case FAILED ->
              "%s%s %s".formatted(playbook, run, status.equals("error") ? "failed" : status);
          case AWAITING_APPROVAL ->
              "%s%s awaits approval (%d objects): quarry confirm %s"
                  .formatted(
                      playbook,
                      run,
                      counts.objects(),
                      jobIds.isEmpty() ? "<job-id>" : jobIds.get(jobIds.size() - 1));
          case LATE_ROWS_FOUND ->
              "%s%s found journal rows later than its look-back".formatted(playbook, run);
        };
    return detail.map(d -> line + ": " + d).orElse(line);
  }
}
