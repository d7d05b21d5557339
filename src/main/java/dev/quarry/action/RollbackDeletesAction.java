package dev.quarry.action;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.quarry.query.ObjectRow;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteMarkerEntry;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsRequest;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;
import software.amazon.awssdk.services.s3.model.ObjectVersion;
import software.amazon.awssdk.services.s3control.model.JobOperation;
import software.amazon.awssdk.services.s3control.model.LambdaInvokeOperation;

/**
 * Removes delete markers, so the version before each marker is current again. Each manifest row
 * names the marker's version id; a version that is not a delete marker is never deleted (its task
 * fails), and a marker already gone counts as done.
 *
 * <p>S3 Batch Operations has no delete operation, so on AWS this invokes Quarry's rollback Lambda
 * (invocation schema 2.0) named by {@code function-arn}.
 *
 * <pre>{@code
 * action:
 *   type: rollback-deletes
 *   function-arn: arn:aws:lambda:us-east-1:111122223333:function:quarry-rollback   # AWS only
 * }</pre>
 *
 * <p>Locally, each row is checked before anything is deleted: ListObjectVersions from the row's key
 * (as a prefix, so only entries of exactly that key count) says whether the row's version is a
 * delete marker, a real version or gone. Then, and only for a marker, DeleteObject removes exactly
 * that version. Outcomes:
 *
 * <ul>
 *   <li>a marker: removed, "delete marker removed";
 *   <li>a real version: FAILED {@code NotADeleteMarker} (400, Quarry's own refusal), nothing
 *       deleted;
 *   <li>no such version: SUCCEEDED, "delete marker already removed"; a missing bucket fails with
 *       S3's {@code 404 NoSuchBucket};
 *   <li>a row without a version id: FAILED {@code MissingVersionId} (400), nothing deleted.
 * </ul>
 *
 * <p>Why a listing and not HeadObject with the version id (AWS and moto answer 405 with {@code
 * x-amz-delete-marker: true} for a marker): S3Mock 5.2.0 keeps answering "delete marker" for a
 * marker it has already removed, and asked to delete that marker again it deletes the key's current
 * version. The listing is right on all three. For the same reason check and delete of one key never
 * run at the same time in this JVM.
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

  @Override
  public LocalTask localTask(S3Client s3) {
    requireNonNull(s3, "s3 is null");
    return row ->
        S3Errors.guard(
            () -> {
              if (row.versionId() == null) {
                return TaskOutcome.failed(
                    "MissingVersionId",
                    400,
                    "rollback-deletes needs the delete marker's version id; nothing deleted");
              }
              Lock lock =
                  KEY_LOCKS[Math.floorMod(Objects.hash(row.bucket(), row.key()), KEY_LOCKS.length)];
              lock.lock();
              try {
                return rollBack(s3, row);
              } finally {
                lock.unlock();
              }
            });
  }

  /** One lock per stripe of bucket+key, shared by every task in this JVM. */
  private static final Lock[] KEY_LOCKS = newLocks(64);

  private static Lock[] newLocks(int count) {
    Lock[] locks = new Lock[count];
    for (int i = 0; i < count; i++) {
      locks[i] = new ReentrantLock();
    }
    return locks;
  }

  private static TaskOutcome rollBack(S3Client s3, ObjectRow row) {
    return switch (find(s3, row)) {
      case DELETE_MARKER -> {
        s3.deleteObject(b -> b.bucket(row.bucket()).key(row.key()).versionId(row.versionId()));
        yield TaskOutcome.succeeded("delete marker removed");
      }
      case OBJECT_VERSION ->
          TaskOutcome.failed(
              "NotADeleteMarker",
              400,
              "version " + row.versionId() + " is not a delete marker; nothing deleted");
      case ABSENT -> TaskOutcome.succeeded("delete marker already removed");
    };
  }

  /** What the row's version id names. */
  private enum Found {
    DELETE_MARKER,
    OBJECT_VERSION,
    ABSENT
  }

  private static Found find(S3Client s3, ObjectRow row) {
    ListObjectVersionsRequest.Builder request =
        ListObjectVersionsRequest.builder().bucket(row.bucket()).prefix(row.key());
    while (true) {
      ListObjectVersionsResponse page = s3.listObjectVersions(request.build());
      for (DeleteMarkerEntry marker : page.deleteMarkers()) {
        if (marker.key().equals(row.key()) && row.versionId().equals(marker.versionId())) {
          return Found.DELETE_MARKER;
        }
      }
      for (ObjectVersion version : page.versions()) {
        if (version.key().equals(row.key()) && row.versionId().equals(version.versionId())) {
          return Found.OBJECT_VERSION;
        }
      }
      // the key sorts before every longer key its prefix matches: one of those means we are past it
      boolean pastKey =
          Stream.concat(
                  page.deleteMarkers().stream().map(DeleteMarkerEntry::key),
                  page.versions().stream().map(ObjectVersion::key))
              .anyMatch(key -> !key.equals(row.key()));
      if (pastKey || !Boolean.TRUE.equals(page.isTruncated())) {
        return Found.ABSENT;
      }
      request.keyMarker(page.nextKeyMarker()).versionIdMarker(page.nextVersionIdMarker());
    }
  }
}
