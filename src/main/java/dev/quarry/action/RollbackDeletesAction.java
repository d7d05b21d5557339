package dev.quarry.action;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3control.model.JobOperation;
import software.amazon.awssdk.services.s3control.model.LambdaInvokeOperation;

/**
 * Removes delete markers, so the version before each marker is current again. Each manifest row
 * names the marker's version id; a version that is not a delete marker is never deleted (its task
 * fails), and a marker already gone counts as done.
 *
 * <p>S3 Batch Operations has no delete operation, so on AWS this invokes Quarry's rollback Lambda
 * ({@code dev.quarry.lambda.RollbackHandler}, deployed from {@code quarry-rollback-lambda.jar})
 * named by {@code function-arn}, with invocation schema 2.0 and UserArguments {@code {action:
 * rollback-deletes}}.
 *
 * <pre>{@code
 * action:
 *   type: rollback-deletes
 *   function-arn: arn:aws:lambda:us-east-1:111122223333:function:quarry-rollback   # AWS only
 * }</pre>
 *
 * <p>Locally and in the Lambda alike, {@link DeleteMarkerRollback} checks each row before anything
 * is deleted and removes only a delete marker; its Javadoc lists the outcomes.
 */
public record RollbackDeletesAction(String functionArn) implements Action {
  /** Shown where a plan has no function yet; CreateJob would refuse it. */
  public static final String FUNCTION_PLACEHOLDER = "<action.function-arn>";

  @JsonCreator
  public RollbackDeletesAction(@JsonProperty("function-arn") String functionArn) {
    this.functionArn = functionArn;
  }

  @Override
  public String type() {
    return "rollback-deletes";
  }

  @Override
  public boolean needsVersionId() {
    return true;
  }

  @Override
  public boolean destructive() {
    return true;
  }

  @Override
  public JobOperation jobOperation(String bucket) {
    return JobOperation.builder()
        .lambdaInvoke(
            LambdaInvokeOperation.builder()
                .functionArn(functionArn == null ? FUNCTION_PLACEHOLDER : functionArn)
                .invocationSchemaVersion("2.0")
                .userArguments(Map.of("action", "rollback-deletes"))
                .build())
        .build();
  }

  @Override
  public RolePermissions rolePermissions(boolean versioned) {
    // the job's role only invokes the function; the function's own role lists versions to check
    // a row names a delete marker, then deletes that version (DeleteObject with a versionId)
    return new RolePermissions(
        java.util.List.of(),
        java.util.List.of(),
        java.util.Optional.empty(),
        java.util.Optional.of(
            new RolePermissions.FunctionUse(
                java.util.Optional.ofNullable(functionArn),
                java.util.List.of("s3:DeleteObjectVersion"),
                java.util.List.of("s3:ListBucketVersions"),
                "the rollback Lambda lists each key's versions (ListObjectVersions) to check the"
                    + " row names a delete marker, then deletes that marker's version")),
        "LambdaInvoke calls the rollback Lambda once per row; the job itself touches no object");
  }

  @Override
  public java.util.List<String> awsLimitations() {
    return functionArn == null
        ? java.util.List.of("action.function-arn is required on AWS (the rollback Lambda)")
        : java.util.List.of();
  }

  /**
   * Locally, check and delete of one key take turns across every Quarry process of this user on
   * this machine ({@link ProcessKeyLocks}), not only within this one.
   */
  @Override
  public LocalTask localTask(S3Client s3) {
    DeleteMarkerRollback rollback =
        new DeleteMarkerRollback(s3, new ProcessKeyLocks(ProcessKeyLocks.userDir(System.getenv())));
    return row -> rollback.rollBack(row.bucket(), row.key(), row.versionId());
  }
}
