package dev.quarry.action;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonCreator;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3control.model.JobOperation;
import software.amazon.awssdk.services.s3control.model.S3DeleteObjectTaggingOperation;

/**
 * Removes every tag from objects ({@code S3DeleteObjectTagging}).
 *
 * <pre>{@code
 * action:
 *   type: delete-tags
 * }</pre>
 *
 * <p>Locally, each row is one DeleteObjectTagging, on the row's version when it names one. moto
 * answers 500 for a key that does not exist (AWS: 404 NoSuchKey), which the executor retries as
 * transient before recording it.
 */
public record DeleteTagsAction() implements Action {
  @JsonCreator
  public static DeleteTagsAction create() {
    return new DeleteTagsAction();
  }

  @Override
  public String type() {
    return "delete-tags";
  }

  @Override
  public boolean needsVersionId() {
    return false;
  }

  @Override
  public boolean destructive() {
    return false;
  }

  @Override
  public JobOperation jobOperation(String bucket) {
    return JobOperation.builder()
        .s3DeleteObjectTagging(S3DeleteObjectTaggingOperation.builder().build())
        .build();
  }

  @Override
  public RolePermissions rolePermissions(boolean versioned) {
    return versioned
        ? RolePermissions.onObjects(
            "S3DeleteObjectTagging calls DeleteObjectTagging on each named version",
            "s3:DeleteObjectTagging",
            "s3:DeleteObjectVersionTagging")
        : RolePermissions.onObjects(
            "S3DeleteObjectTagging calls DeleteObjectTagging on each current object",
            "s3:DeleteObjectTagging");
  }

  @Override
  public LocalTask localTask(S3Client s3) {
    requireNonNull(s3, "s3 is null");
    return row ->
        S3Errors.guard(
            () -> {
              s3.deleteObjectTagging(
                  b -> b.bucket(row.bucket()).key(row.key()).versionId(row.versionId()));
              return TaskOutcome.succeeded("tags removed");
            });
  }
}
