package dev.quarry.action;

import java.util.Set;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * The one place where an S3 failure becomes either a task's {@link TaskOutcome} (a definite answer:
 * S3 refused, e.g. 404 NoSuchKey, 403 InvalidObjectState) or a {@link TransientTaskException} the
 * executor retries (throttling, 5xx, no answer at all).
 */
final class S3Errors {
  /** Error codes S3 uses for "slow down" and "try again", whatever the status says. */
  private static final Set<String> TRANSIENT_CODES =
      Set.of(
          "SlowDown",
          "Throttling",
          "ThrottlingException",
          "RequestTimeout",
          "InternalError",
          "ServiceUnavailable");

  private S3Errors() {}

  /**
   * Runs one task's S3 calls. A service error that escapes {@code work} is mapped by {@link
   * #failed}; a client-side failure (network, timeout) is transient.
   */
  static TaskOutcome guard(Supplier<TaskOutcome> work) {
    try {
      return work.get();
    } catch (AwsServiceException e) {
      return failed(e);
    } catch (SdkClientException e) {
      throw new TransientTaskException(
          e.getClass().getSimpleName(), 0, "no answer from S3: " + e.getMessage(), e);
    }
  }

  /**
   * S3's answer as a failed outcome with its error code, HTTP status and message.
   *
   * @throws TransientTaskException when the answer says to try again later
   */
  static TaskOutcome failed(AwsServiceException e) {
    if (isTransient(e)) {
      throw new TransientTaskException(code(e), e.statusCode(), message(e), e);
    }
    return TaskOutcome.failed(code(e), e.statusCode(), message(e));
  }

  static boolean isTransient(AwsServiceException e) {
    return e.isThrottlingException() || isTransient(code(e), e.statusCode());
  }

  /**
   * Whether a failure with this error code and HTTP status says "try again later": the same rule
   * for a live answer and for a row of a completion report.
   */
  static boolean isTransient(String code, int status) {
    return status == 429 || status >= 500 || TRANSIENT_CODES.contains(code);
  }

  /**
   * S3's error code. Answers to HEAD have no body, hence no code: those get a name for their status
   * (e.g. {@code NotFound}), so a report never shows an empty error code.
   */
  static String code(AwsServiceException e) {
    AwsErrorDetails details = e.awsErrorDetails();
    String code = details == null ? null : details.errorCode();
    if (code != null && !code.isBlank() && !code.equals(String.valueOf(e.statusCode()))) {
      return code;
    }
    return switch (e.statusCode()) {
      case 400 -> "BadRequest";
      case 403 -> "Forbidden";
      case 404 -> "NotFound";
      case 405 -> "MethodNotAllowed";
      case 409 -> "Conflict";
      case 412 -> "PreconditionFailed";
      case 429 -> "TooManyRequests";
      case 500 -> "InternalError";
      case 503 -> "ServiceUnavailable";
      default -> "Http" + e.statusCode();
    };
  }

  /** S3's message, without the SDK's "(Service: S3, Status Code: …)" suffix. */
  static String message(AwsServiceException e) {
    AwsErrorDetails details = e.awsErrorDetails();
    String message = details == null ? null : details.errorMessage();
    if (message != null && !message.isBlank()) {
      return message;
    }
    return "HTTP " + e.statusCode() + " without a message (" + code(e) + ")";
  }
}
