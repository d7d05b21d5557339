package dev.quarry.job.s3control;

import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * AWS's answers as Quarry's error kinds: a 4xx is the user's to fix (a setting, a permission, a
 * job's status) and carries AWS's code and message; throttling, a 5xx or no answer at all is an
 * external failure.
 */
final class S3ControlErrors {
  private S3ControlErrors() {}

  static <T> T call(String what, Supplier<T> call) {
    try {
      return call.get();
    } catch (AwsServiceException e) {
      throw map(what, e);
    } catch (SdkClientException e) {
      throw QuarryException.external(
          ErrorCode.S3_CONTROL_FAILED, what + ": no answer: " + e.getMessage(), e);
    }
  }

  static QuarryException map(String what, AwsServiceException e) {
    String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    String message =
        e.awsErrorDetails() == null || e.awsErrorDetails().errorMessage() == null
            ? e.getMessage()
            : e.awsErrorDetails().errorMessage();
    String text =
        what
            + ": AWS answered "
            + e.statusCode()
            + (code == null ? "" : " " + code)
            + (message == null || message.isBlank() ? "" : ": " + message);
    return userError(e)
        ? new QuarryException(ErrorCode.AWS_REQUEST_INVALID, text, e)
        : QuarryException.external(ErrorCode.S3_CONTROL_FAILED, text, e);
  }

  static boolean userError(SdkException e) {
    if (!(e instanceof AwsServiceException service)) {
      return false;
    }
    int status = service.statusCode();
    return status >= 400 && status < 500 && status != 429 && !service.isThrottlingException();
  }
}
