package dev.quarry.job;

import java.util.Arrays;

/**
 * The statuses of an S3 Batch Operations job, with AWS's names. The local executor moves through
 * the same ones: New, Preparing, (Suspended while it waits for a confirmation), Ready, Active,
 * Completing, Complete; or Cancelling/Cancelled, Failing/Failed; Pausing/Paused when pre-empted.
 */
public enum JobStatus {
  NEW("New"),
  PREPARING("Preparing"),
  SUSPENDED("Suspended"),
  READY("Ready"),
  ACTIVE("Active"),
  PAUSING("Pausing"),
  PAUSED("Paused"),
  COMPLETING("Completing"),
  COMPLETE("Complete"),
  CANCELLING("Cancelling"),
  CANCELLED("Cancelled"),
  FAILING("Failing"),
  FAILED("Failed");

  private final String awsName;

  JobStatus(String awsName) {
    this.awsName = awsName;
  }

  /** The status as S3 Control spells it. */
  public String awsName() {
    return awsName;
  }

  public static JobStatus fromAws(String name) {
    return Arrays.stream(values())
        .filter(s -> s.awsName.equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown job status " + name));
  }

  /** Whether the job has ended and will not change again. */
  public boolean terminal() {
    return switch (this) {
      case COMPLETE, CANCELLED, FAILED -> true;
      case NEW,
          PREPARING,
          SUSPENDED,
          READY,
          ACTIVE,
          PAUSING,
          PAUSED,
          COMPLETING,
          CANCELLING,
          FAILING ->
          false;
    };
  }
}
