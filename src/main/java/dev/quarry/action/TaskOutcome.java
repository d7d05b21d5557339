package dev.quarry.action;

import static java.util.Objects.requireNonNull;

/**
 * What one task did to one object, as a completion report records it.
 *
 * @param errorCode S3's error code (e.g. {@code NoSuchKey}, {@code InvalidObjectState}); null on
 *     success
 * @param httpStatus the HTTP status of the request that decided the outcome (200 on success)
 * @param message the result message; never null
 */
public record TaskOutcome(Status status, String errorCode, int httpStatus, String message) {
  public TaskOutcome {
    requireNonNull(status, "status is null");
    requireNonNull(message, "message is null");
  }

  /** A task's status as S3 Batch Operations reports it. */
  public enum Status {
    SUCCEEDED("succeeded"),
    FAILED("failed");

    private final String reportValue;

    Status(String reportValue) {
      this.reportValue = reportValue;
    }

    /** The TaskStatus value in a completion report. */
    public String reportValue() {
      return reportValue;
    }
  }

  public static TaskOutcome succeeded(String message) {
    return new TaskOutcome(Status.SUCCEEDED, null, 200, message);
  }

  public static TaskOutcome failed(String errorCode, int httpStatus, String message) {
    return new TaskOutcome(
        Status.FAILED, requireNonNull(errorCode, "errorCode is null"), httpStatus, message);
  }

  public boolean succeeded() {
    return status == Status.SUCCEEDED;
  }

  /**
   * A failure that may succeed when tried again (throttling, 5xx, no answer), by the rule the
   * actions use for S3's live answers; a permanent one (404 NoSuchKey, 403 InvalidObjectState, ...)
   * fails again unless something changes first. False for a success.
   */
  public boolean transientFailure() {
    // status 0: S3 never answered (a retryable task's last try timed out)
    return !succeeded() && (httpStatus == 0 || S3Errors.isTransient(errorCode, httpStatus));
  }
}
