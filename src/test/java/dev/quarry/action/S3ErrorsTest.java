package dev.quarry.action;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.quarry.action.TaskOutcome.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.S3Exception;

class S3ErrorsTest {
  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    "429, TooManyRequests",
    "503, SlowDown",
    "500, InternalError",
    "502, BadGateway",
    "400, RequestTimeout"
  })
  void throttlingAndServerErrorsAreTransient(int status, String code) {
    // given
    S3Exception answer = s3Error(status, code, "try again");

    // when
    TransientTaskException thrown =
        catchThrowableOfType(TransientTaskException.class, () -> S3Errors.failed(answer));

    // then
    assertThat(thrown).isNotNull().hasMessage("try again").hasCause(answer);
    assertThat(thrown.errorCode()).isEqualTo(code);
    assertThat(thrown.httpStatus()).isEqualTo(status);
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    "404, NoSuchKey, The specified key does not exist.",
    "404, NoSuchVersion, The specified version does not exist.",
    "403, AccessDenied, Access Denied",
    "403, InvalidObjectState, The operation is not valid for the object's storage class",
    "403, ObjectNotInActiveTierError, The source object of the COPY operation is not in the active"
        + " tier"
  })
  void definiteAnswersAreFailedOutcomesWithS3sCodeStatusAndMessage(
      int status, String code, String message) {
    // given
    S3Exception answer = s3Error(status, code, message);

    // when
    TaskOutcome outcome = S3Errors.failed(answer);

    // then
    assertThat(outcome).isEqualTo(new TaskOutcome(Status.FAILED, code, status, message));
  }

  @Test
  void anAnswerWithoutBodyGetsANameForItsStatus() {
    // given a HEAD answer: no body, so no error code and no message
    S3Exception answer =
        (S3Exception)
            S3Exception.builder()
                .statusCode(403)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("403").build())
                .build();

    // when
    TaskOutcome outcome = S3Errors.failed(answer);

    // then
    assertThat(outcome.errorCode()).isEqualTo("Forbidden");
    assertThat(outcome.httpStatus()).isEqualTo(403);
    assertThat(outcome.message()).isEqualTo("HTTP 403 without a message (Forbidden)");
  }

  @Test
  void aClientSideFailureIsTransientWithoutStatus() {
    // given
    SdkClientException dropped = SdkClientException.create("Connection reset");

    // when
    TransientTaskException thrown =
        catchThrowableOfType(
            TransientTaskException.class,
            () ->
                S3Errors.guard(
                    () -> {
                      throw dropped;
                    }));

    // then
    assertThat(thrown).isNotNull().hasCause(dropped);
    assertThat(thrown.httpStatus()).isZero();
    assertThat(thrown.errorCode()).isEqualTo("SdkClientException");
    assertThat(thrown.getMessage()).contains("Connection reset");
  }

  @Test
  void guardTurnsADefiniteAnswerIntoAnOutcome() {
    // given
    S3Exception answer = s3Error(404, "NoSuchKey", "The specified key does not exist.");

    // when
    TaskOutcome outcome =
        S3Errors.guard(
            () -> {
              throw answer;
            });

    // then
    assertThat(outcome.status()).isEqualTo(Status.FAILED);
    assertThat(outcome.errorCode()).isEqualTo("NoSuchKey");
  }

  private static S3Exception s3Error(int status, String code, String message) {
    return (S3Exception)
        S3Exception.builder()
            .statusCode(status)
            .message(message + " (Service: S3, Status Code: " + status + ")")
            .awsErrorDetails(
                AwsErrorDetails.builder().errorCode(code).errorMessage(message).build())
            .build();
  }

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource({
    "503, SlowDown, true",
    "500, InternalError, true",
    "429, TooManyRequests, true",
    "400, RequestTimeout, true",
    "0, SdkClientException, true",
    "404, NoSuchKey, false",
    "403, InvalidObjectState, false",
    "403, AccessDenied, false"
  })
  void aReportedFailureIsTransientByTheRuleOfLiveAnswers(int status, String code, boolean yes) {
    // given
    TaskOutcome reported = TaskOutcome.failed(code, status, "as a report row says");

    // when / then
    assertThat(reported.transientFailure()).isEqualTo(yes);
    assertThat(TaskOutcome.succeeded("Successful").transientFailure()).isFalse();
  }
}
