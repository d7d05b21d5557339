package dev.quarry.action;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3control.model.JobOperation;
import software.amazon.awssdk.services.s3control.model.LambdaInvokeOperation;

/**
 * Hides keys by adding a delete marker on top of each, as a point-in-time revert does for keys
 * created after T. Each manifest row names the version that was current when planned; a key whose
 * current version is no longer that one is left alone (its task fails "changed since the plan"), a
 * bucket whose versioning is not Enabled is refused, and no version is ever deleted: the only
 * request that changes anything is a DeleteObject without a version id. Each task's result message
 * names the new marker's version id ({@code delete marker added: ID}), which the completion report
 * keeps, so that {@code rollback-deletes} can later remove exactly those markers.
 *
 * <p>S3 Batch Operations has no operation that adds a delete marker, so on AWS this invokes
 * Quarry's rollback Lambda (the same function as {@code rollback-deletes}: {@code
 * dev.quarry.lambda.RollbackHandler}) with invocation schema 2.0 and UserArguments {@code {action:
 * hide-keys}}.
 *
 * <pre>{@code
 * action:
 *   type: hide-keys
 *   function-arn: arn:aws:lambda:us-east-1:111122223333:function:quarry-rollback   # AWS only
 * }</pre>
 *
 * <p>Locally and in the Lambda alike, {@link ConditionalDeleteMarker} checks and hides each key;
 * its Javadoc lists the outcomes and the race that remains.
 */
public record HideKeysAction(String functionArn) implements Action {
  /** The UserArguments action the Lambda dispatches on. */
  public static final String TYPE = "hide-keys";

  @JsonCreator
  public HideKeysAction(@JsonProperty("function-arn") String functionArn) {
    this.functionArn = functionArn;
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public boolean needsVersionId() {
    return true;
  }

  /**
   * It hides data (the key reads as deleted), though it removes nothing: a limit and a
   * confirmation, as for every change a revert makes.
   */
  @Override
  public boolean destructive() {
    return true;
  }

  @Override
  public JobOperation jobOperation(String bucket) {
    return JobOperation.builder()
        .lambdaInvoke(
            LambdaInvokeOperation.builder()
                .functionArn(
                    functionArn == null ? RollbackDeletesAction.FUNCTION_PLACEHOLDER : functionArn)
                .invocationSchemaVersion("2.0")
                .userArguments(Map.of("action", TYPE))
                .build())
        .build();
  }

  @Override
  public RolePermissions rolePermissions(boolean versioned) {
    // the job's role only invokes the function. The function's role: GetBucketVersioning to refuse
    // a bucket that is not Enabled, ListBucketVersions to check the current version, and
    // DeleteObject (no version id: adds a marker); GetObject because AWS requires it beside
    // s3:DeleteObject for a delete conditional on an ETag (If-Match)
    return new RolePermissions(
        List.of(),
        List.of(),
        Optional.empty(),
        Optional.of(
            new RolePermissions.FunctionUse(
                Optional.ofNullable(functionArn),
                List.of("s3:DeleteObject", "s3:GetObject"),
                List.of("s3:GetBucketVersioning", "s3:ListBucketVersions"),
                "the rollback Lambda checks the bucket's versioning is Enabled"
                    + " (GetBucketVersioning) and each key's current version is the planned one"
                    + " (ListObjectVersions), then adds a delete marker (DeleteObject without a"
                    + " version id, If-Match the planned ETag)")),
        "LambdaInvoke calls the rollback Lambda once per row; the job itself touches no object");
  }

  @Override
  public List<String> awsLimitations() {
    return functionArn == null
        ? List.of("action.function-arn is required on AWS (the rollback Lambda)")
        : List.of();
  }

  @Override
  public LocalTask localTask(S3Client s3) {
    ConditionalDeleteMarker hider =
        new ConditionalDeleteMarker(
            s3, new ProcessKeyLocks(ProcessKeyLocks.userDir(System.getenv())));
    return row -> hider.hide(row.bucket(), row.key(), row.versionId());
  }
}
