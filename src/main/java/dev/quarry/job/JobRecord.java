package dev.quarry.job;

import static java.util.Objects.requireNonNull;

import dev.quarry.report.ReportLocation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A job as DescribeJob shows it, plus the history of its status transitions. Immutable: every
 * change makes a new record, and the local executor persists each one.
 *
 * @param jobId a UUID, as AWS gives
 * @param failureReasons why the job failed, empty otherwise
 * @param report where the completion report goes (or went), empty when the job has none
 * @param cancelRequested a cancel was asked for while the job ran; the executor stops between
 *     chunks when it sees it
 * @param terminated when the job reached Complete, Cancelled or Failed
 */
public record JobRecord(
    String jobId,
    String clientRequestToken,
    String playbook,
    String runId,
    String description,
    int priority,
    String action,
    JobStatus status,
    Progress progress,
    List<String> failureReasons,
    Optional<ReportLocation> report,
    boolean cancelRequested,
    Instant created,
    Optional<Instant> terminated,
    List<Transition> transitions) {
  public JobRecord {
    requireNonNull(jobId, "jobId is null");
    requireNonNull(clientRequestToken, "clientRequestToken is null");
    requireNonNull(playbook, "playbook is null");
    requireNonNull(runId, "runId is null");
    requireNonNull(description, "description is null");
    requireNonNull(action, "action is null");
    requireNonNull(status, "status is null");
    requireNonNull(progress, "progress is null");
    failureReasons = List.copyOf(failureReasons);
    requireNonNull(report, "report is null");
    requireNonNull(created, "created is null");
    requireNonNull(terminated, "terminated is null");
    transitions = List.copyOf(transitions);
  }

  /** A new job in status New. */
  public static JobRecord newJob(String jobId, JobRequest request, Instant now) {
    return new JobRecord(
        jobId,
        request.clientRequestToken(),
        request.playbook(),
        request.runId(),
        request.description(),
        request.priority(),
        request.action().type(),
        JobStatus.NEW,
        Progress.NONE,
        List.of(),
        request.report().enabled() ? Optional.of(request.report().location()) : Optional.empty(),
        false,
        now,
        Optional.empty(),
        List.of(new Transition(JobStatus.NEW, now, "")));
  }

  /** This job in {@code next}, with the transition recorded. */
  public JobRecord moveTo(JobStatus next, Instant now, String note) {
    List<Transition> history = new ArrayList<>(transitions);
    history.add(new Transition(next, now, note));
    return new JobRecord(
        jobId,
        clientRequestToken,
        playbook,
        runId,
        description,
        priority,
        action,
        next,
        progress,
        failureReasons,
        report,
        cancelRequested,
        created,
        next.terminal() ? Optional.of(now) : terminated,
        history);
  }

  public JobRecord withProgress(Progress next) {
    return new JobRecord(
        jobId,
        clientRequestToken,
        playbook,
        runId,
        description,
        priority,
        action,
        status,
        next,
        failureReasons,
        report,
        cancelRequested,
        created,
        terminated,
        transitions);
  }

  public JobRecord withFailureReason(String reason) {
    List<String> reasons = new ArrayList<>(failureReasons);
    reasons.add(reason);
    return new JobRecord(
        jobId,
        clientRequestToken,
        playbook,
        runId,
        description,
        priority,
        action,
        status,
        progress,
        reasons,
        report,
        cancelRequested,
        created,
        terminated,
        transitions);
  }

  public JobRecord withCancelRequested() {
    return new JobRecord(
        jobId,
        clientRequestToken,
        playbook,
        runId,
        description,
        priority,
        action,
        status,
        progress,
        failureReasons,
        report,
        true,
        created,
        terminated,
        transitions);
  }

  public JobRecord withoutReport() {
    return new JobRecord(
        jobId,
        clientRequestToken,
        playbook,
        runId,
        description,
        priority,
        action,
        status,
        progress,
        failureReasons,
        Optional.empty(),
        cancelRequested,
        created,
        terminated,
        transitions);
  }

  /**
   * DescribeJob's ProgressSummary.
   *
   * @param elapsedTimeInActiveSeconds time spent in Active, over every attempt
   */
  public record Progress(
      long totalNumberOfTasks,
      long numberOfTasksSucceeded,
      long numberOfTasksFailed,
      long elapsedTimeInActiveSeconds) {
    public static final Progress NONE = new Progress(0, 0, 0, 0);

    public long tasksDone() {
      return numberOfTasksSucceeded + numberOfTasksFailed;
    }
  }

  /** One status change, with when it happened and why (empty when obvious). */
  public record Transition(JobStatus status, Instant at, String note) {
    public Transition {
      requireNonNull(status, "status is null");
      requireNonNull(at, "at is null");
      requireNonNull(note, "note is null");
    }
  }
}
