package dev.quarry.run;

import dev.quarry.job.JobStatus;

/** Where a run stands. A run moves forward through these; REFUSED and the last three are ends. */
public enum RunPhase {
  PLANNED,
  /** A limit refused it: nothing was submitted. */
  REFUSED,
  /** Its job waits (Suspended) for a confirmation. */
  AWAITING_APPROVAL,
  SUBMITTED,
  RUNNING,
  /**
   * Between two steps: the next step waits until the results of the one before can be used (a
   * restore's copies are readable).
   */
  WAITING,
  COMPLETED,
  FAILED,
  CANCELLED;

  public boolean ended() {
    return switch (this) {
      case REFUSED, COMPLETED, FAILED, CANCELLED -> true;
      case PLANNED, AWAITING_APPROVAL, SUBMITTED, RUNNING, WAITING -> false;
    };
  }

  /** The phase a run is in while its job has {@code status}. */
  public static RunPhase of(JobStatus status) {
    return switch (status) {
      case NEW, PREPARING, READY -> SUBMITTED;
      case SUSPENDED -> AWAITING_APPROVAL;
      case ACTIVE, PAUSING, PAUSED, COMPLETING, CANCELLING, FAILING -> RUNNING;
      case COMPLETE -> COMPLETED;
      case FAILED -> FAILED;
      case CANCELLED -> CANCELLED;
    };
  }

  /** The lower-case name the CLI shows and accepts ({@code awaiting-approval}). */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }
}
