package dev.quarry.lambda;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What the function returns to S3 Batch Operations: the event's schema version and invocation id
 * copied back, and one result per task.
 *
 * <pre>{@code
 * {"invocationSchemaVersion": "2.0", "treatMissingKeysAs": "PermanentFailure",
 *  "invocationId": "YXNkbGZqYWRmaiBhc2RmdW9hZHNmZGpmaGFzbGtkaGZza2RmaAo",
 *  "results": [{"taskId": "dGFza2lkZ29lc2hlcmUK", "resultCode": "Succeeded",
 *               "resultString": "delete marker removed"}]}
 * }</pre>
 *
 * @param treatMissingKeysAs the result of a task the response does not mention
 */
public record BatchResponse(
    String invocationSchemaVersion,
    ResultCode treatMissingKeysAs,
    String invocationId,
    List<Result> results) {
  public BatchResponse {
    requireNonNull(treatMissingKeysAs, "treatMissingKeysAs is null");
    results = List.copyOf(requireNonNull(results, "results is null"));
  }

  /** A task's result; {@code resultString} goes into the job's completion report. */
  public record Result(String taskId, ResultCode resultCode, String resultString) {
    public Result {
      requireNonNull(taskId, "taskId is null");
      requireNonNull(resultCode, "resultCode is null");
      requireNonNull(resultString, "resultString is null");
    }
  }

  /** The result codes S3 Batch Operations knows, spelled as it expects them. */
  public enum ResultCode {
    /** Done; the result string shows in the completion report. */
    Succeeded,
    /** Try again: Batch Operations redrives the task before the job completes. */
    TemporaryFailure,
    /** Failed for good: the task is reported failed with the result string. */
    PermanentFailure
  }
}
