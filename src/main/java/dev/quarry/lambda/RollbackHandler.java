package dev.quarry.lambda;

import static java.util.Objects.requireNonNull;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.action.ConditionalDeleteMarker;
import dev.quarry.action.DeleteMarkerRollback;
import dev.quarry.action.TaskOutcome;
import dev.quarry.action.TransientTaskException;
import dev.quarry.lambda.BatchEvent.Task;
import dev.quarry.lambda.BatchResponse.Result;
import dev.quarry.lambda.BatchResponse.ResultCode;
import dev.quarry.manifest.KeyCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * The AWS side of the {@code rollback-deletes} and {@code hide-keys} actions: an S3 Batch
 * Operations {@code LambdaInvoke} function (invocation schema 2.0) that, by the job's UserArguments
 * {@code action}, either removes the delete marker each task names ({@code rollback-deletes}, the
 * same {@link DeleteMarkerRollback} as the local executor: the version is deleted only after
 * ListObjectVersions shows it is a delete marker of exactly that key), or adds a delete marker on
 * top of a key still at the version each task names ({@code hide-keys}, the same {@link
 * ConditionalDeleteMarker} as the local executor: no version id is ever sent).
 *
 * <p>One function for both, not a second handler: a point-in-time revert runs both kinds of step,
 * and one function means one deployment, one ARN (the profile's {@code rollback-function-arn}) and
 * one execution role to review. The dispatch is on the exact UserArguments each action creates, so
 * a job still reaches only the behaviour it was made for.
 *
 * <p>Results, per task:
 *
 * <ul>
 *   <li>rollback-deletes: marker removed, or already gone: {@code Succeeded}; the version is not a
 *       delete marker, or the task has no version id: {@code PermanentFailure}, nothing deleted;
 *   <li>hide-keys: marker added ({@code "delete marker added: ID"}), or the key already hidden on
 *       top of the planned version: {@code Succeeded}; the key changed since the plan, the bucket's
 *       versioning is not Enabled, or no version id: {@code PermanentFailure}, nothing done;
 *   <li>throttling, a 5xx answer or no answer from S3: {@code TemporaryFailure}, so Batch
 *       Operations runs the task again;
 *   <li>any other refusal by S3 (403, 404 NoSuchBucket, ...): {@code PermanentFailure} with S3's
 *       error code and message;
 *   <li>every task of an invocation whose job's UserArguments are not exactly {@code {action:
 *       rollback-deletes}} or {@code {action: hide-keys}}: {@code PermanentFailure}, nothing
 *       deleted, so that a job made for some other function never deletes through this one.
 * </ul>
 *
 * <p>{@code s3Key} arrives URL-encoded, as in the job's manifest, and is decoded with {@link
 * KeyCodec}. Whether Batch Operations passes a {@code +} through or writes one for a space is
 * unconfirmed, so a key with a {@code +} is looked up both ways; the exact version id decides which
 * key it belongs to, so this never deletes from the wrong key.
 *
 * <h2>Deploying</h2>
 *
 * <ul>
 *   <li>Code: {@code target/quarry-rollback-lambda.jar}, built by {@code mvn package}.
 *   <li>Handler: {@code dev.quarry.lambda.RollbackHandler::handleRequest}. It is a {@link
 *       RequestStreamHandler}: S3 Batch Operations' AWS documentation asks Java functions for one,
 *       since a POJO handler's answer is reported as "Invalid JSON returned in Lambda payload".
 *   <li>Runtime: {@code java17} or {@code java21}; 512 MB of memory and a 60 s timeout are plenty
 *       for the one task Batch Operations sends per invocation.
 *   <li>Execution role: {@code s3:ListBucketVersions} on {@code arn:aws:s3:::BUCKET} and {@code
 *       s3:DeleteObjectVersion} on {@code arn:aws:s3:::BUCKET/*} for rollback-deletes; for
 *       hide-keys also {@code s3:GetBucketVersioning} on the bucket and {@code s3:DeleteObject},
 *       {@code s3:GetObject} (AWS asks for it beside a delete conditional on an ETag) on its
 *       objects; plus the usual CloudWatch Logs permissions ({@code AWSLambdaBasicExecutionRole}).
 *       {@code quarry iam-policy} prints each action's.
 *   <li>Environment: none on AWS (region and credentials come from the Lambda environment). {@code
 *       QUARRY_S3_ENDPOINT} points the function at another S3 endpoint (tests, a local S3 server),
 *       with path-style addressing.
 * </ul>
 *
 * <p>Locally, {@code java -jar quarry-rollback-lambda.jar < event.json} runs the handler once: the
 * event on standard input, the response on standard output.
 */
public final class RollbackHandler implements RequestStreamHandler {
  /** The UserArguments of a rollback-deletes job: remove delete markers. */
  public static final Map<String, String> USER_ARGUMENTS = Map.of("action", "rollback-deletes");

  /** The UserArguments of a hide-keys job: add delete markers. */
  public static final Map<String, String> HIDE_KEYS_ARGUMENTS = Map.of("action", "hide-keys");

  /** The invocation schema whose event shape this function reads. */
  public static final String SCHEMA_VERSION = "2.0";

  /** Points the function's S3 client at another endpoint, with path-style addressing. */
  public static final String ENDPOINT_VARIABLE = "QUARRY_S3_ENDPOINT";

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
          .configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);

  private final DeleteMarkerRollback rollback;
  private final S3Client s3;

  /** As the Lambda runtime creates it: an S3 client from this process's environment. */
  public RollbackHandler() {
    this(s3Client(System.getenv()));
  }

  public RollbackHandler(S3Client s3) {
    this.rollback = new DeleteMarkerRollback(requireNonNull(s3, "s3 is null"));
    this.s3 = s3;
  }

  /** Runs the handler once: the event on standard input, the response on standard output. */
  public static void main(String[] args) throws IOException {
    new RollbackHandler().handleRequest(System.in, System.out, null);
    System.out.println();
    System.out.flush();
  }

  /**
   * Reads a schema 2.0 event, answers it. An event that is not JSON fails the invocation (Batch
   * Operations then fails its tasks); anything JSON gets a response.
   *
   * @param context the Lambda context, for its logger; may be null
   */
  @Override
  public void handleRequest(InputStream input, OutputStream output, Context context)
      throws IOException {
    BatchEvent event = JSON.readValue(input, BatchEvent.class);
    BatchResponse response = handle(event);
    if (context != null) {
      for (Result result : response.results()) {
        if (result.resultCode() != ResultCode.Succeeded) {
          context
              .getLogger()
              .log(
                  "task "
                      + result.taskId()
                      + ": "
                      + result.resultCode()
                      + ": "
                      + result.resultString()
                      + "\n");
        }
      }
    }
    JSON.writeValue(output, response);
    output.flush();
  }

  /**
   * One result per task that has a task id (a task without one cannot be answered; {@code
   * treatMissingKeysAs} fails it).
   */
  public BatchResponse handle(BatchEvent event) {
    requireNonNull(event, "event is null");
    Optional<String> refusal = refusal(event);
    boolean hide = refusal.isEmpty() && HIDE_KEYS_ARGUMENTS.equals(event.job().userArguments());
    List<Result> results = new ArrayList<>();
    for (Task task : event.tasks() == null ? List.<Task>of() : event.tasks()) {
      if (task == null || task.taskId() == null) {
        continue;
      }
      results.add(
          refusal
              .map(why -> new Result(task.taskId(), ResultCode.PermanentFailure, why))
              .orElseGet(() -> run(task, hide)));
    }
    return new BatchResponse(
        event.invocationSchemaVersion() == null ? SCHEMA_VERSION : event.invocationSchemaVersion(),
        ResultCode.PermanentFailure,
        event.invocationId(),
        results);
  }

  /** Why no task of this event may run, if so. */
  private static Optional<String> refusal(BatchEvent event) {
    Map<String, String> arguments = event.job() == null ? null : event.job().userArguments();
    if (!SCHEMA_VERSION.equals(event.invocationSchemaVersion())
        || !(USER_ARGUMENTS.equals(arguments) || HIDE_KEYS_ARGUMENTS.equals(arguments))) {
      return Optional.of(
          "WrongJob: this function removes delete markers only for jobs made with invocation"
              + " schema 2.0 and UserArguments {action: rollback-deletes}, and adds them only"
              + " for UserArguments {action: hide-keys}; got schema "
              + event.invocationSchemaVersion()
              + " and UserArguments "
              + arguments
              + "; nothing deleted");
    }
    return Optional.empty();
  }

  private Result run(Task task, boolean hide) {
    String bucket = task.bucket();
    if (bucket == null || task.s3Key() == null) {
      return new Result(
          task.taskId(),
          ResultCode.PermanentFailure,
          "MalformedTask: the task has no " + (bucket == null ? "bucket" : "s3Key"));
    }
    List<String> keys;
    try {
      keys = candidateKeys(task.s3Key());
    } catch (IllegalArgumentException e) {
      return new Result(
          task.taskId(), ResultCode.PermanentFailure, "BadKeyEncoding: " + e.getMessage());
    }
    try {
      TaskOutcome outcome =
          hide
              // a new one per task (Batch Operations sends one task per invocation): its check of
              // the bucket's versioning must not outlive a job in a warm Lambda sandbox
              ? new ConditionalDeleteMarker(s3).hide(bucket, keys, task.s3VersionId())
              : rollback.rollBack(bucket, keys, task.s3VersionId());
      return outcome.succeeded()
          ? new Result(task.taskId(), ResultCode.Succeeded, outcome.message())
          : new Result(
              task.taskId(),
              ResultCode.PermanentFailure,
              outcome.errorCode() + ": " + outcome.message());
    } catch (TransientTaskException e) {
      return new Result(
          task.taskId(), ResultCode.TemporaryFailure, e.errorCode() + ": " + e.getMessage());
    }
  }

  /**
   * The keys {@code s3Key} may stand for: decoded with {@code +} as itself (Quarry's manifests
   * never write a bare {@code +}), and, where it has one, with {@code +} as a space.
   */
  static List<String> candidateKeys(String s3Key) {
    String literal = KeyCodec.decode(s3Key);
    if (s3Key.indexOf('+') < 0) {
      return List.of(literal);
    }
    return List.of(literal, KeyCodec.decode(s3Key.replace("+", "%20")));
  }

  /**
   * The default chain on AWS; with {@value #ENDPOINT_VARIABLE} set, that endpoint with path-style
   * addressing (region us-east-1 unless AWS_REGION says otherwise).
   */
  static S3Client s3Client(Map<String, String> environment) {
    S3ClientBuilder builder =
        S3Client.builder().httpClientBuilder(UrlConnectionHttpClient.builder());
    String endpoint = environment.get(ENDPOINT_VARIABLE);
    if (endpoint != null && !endpoint.isBlank()) {
      builder.endpointOverride(URI.create(endpoint.strip())).forcePathStyle(true);
      if (environment.get("AWS_REGION") == null && environment.get("AWS_DEFAULT_REGION") == null) {
        builder.region(Region.US_EAST_1);
      }
    }
    return builder.build();
  }
}
