package dev.quarry.action;

/**
 * A task failed for a reason that may pass (throttling, a 5xx answer, a dropped connection): the
 * executor retries it with backoff, and records a failure only when the retries run out.
 */
public final class TransientTaskException extends RuntimeException {
  private final String errorCode;
  private final int httpStatus;

  public TransientTaskException(String errorCode, int httpStatus, String message, Throwable cause) {
    super(message, cause);
    this.errorCode = errorCode;
    this.httpStatus = httpStatus;
  }

  public String errorCode() {
    return errorCode;
  }

  /** The HTTP status, or 0 when no answer came. */
  public int httpStatus() {
    return httpStatus;
  }

  /** The failure to record when the retries run out. */
  public TaskOutcome asOutcome() {
    return TaskOutcome.failed(errorCode, httpStatus, getMessage());
  }
}
