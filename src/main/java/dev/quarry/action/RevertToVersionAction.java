package dev.quarry.action;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonCreator;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.TaggingDirective;
import software.amazon.awssdk.services.s3control.model.JobOperation;
import software.amazon.awssdk.services.s3control.model.S3CopyObjectOperation;
import software.amazon.awssdk.services.s3control.model.S3MetadataDirective;

/**
 * Copies an older version back in place, making it current again (a point-in-time revert of
 * overwrites). Each manifest row names the version to bring back; the newer versions stay in the
 * bucket's history.
 *
 * <pre>{@code
 * action:
 *   type: revert-to-version
 * }</pre>
 *
 * <p>Locally, each row is a CopyObject from the row's version onto the same key ({@code
 * MetadataDirective COPY}, {@code TaggingDirective COPY}), as the AWS job does: the copy becomes a
 * new current version with that version's content, metadata and tags. Like the AWS job it sets no
 * storage class or encryption, so the bucket's defaults apply. A row without a version id fails
 * ({@code MissingVersionId}, 400) without copying; a version that does not exist fails with S3's
 * {@code 404 NoSuchVersion}. S3Mock refuses this copy ({@code 400 InvalidRequest}, "copy an object
 * to itself without changing …"): it ignores the source version id; AWS and moto accept it.
 */
public record RevertToVersionAction() implements Action {
  @JsonCreator
  public static RevertToVersionAction create() {
    return new RevertToVersionAction();
  }

  @Override
  public String type() {
    return "revert-to-version";
  }

  @Override
  public boolean needsVersionId() {
    return true;
  }

  @Override
  public boolean idempotent() {
    // each copy in place writes a new current version
    return false;
  }

  @Override
  public boolean destructive() {
    return true;
  }

  @Override
  public JobOperation jobOperation(String bucket) {
    // Batch Operations copies the manifest row's version to the same key of the target bucket
    return JobOperation.builder()
        .s3PutObjectCopy(
            S3CopyObjectOperation.builder()
                .targetResource("arn:aws:s3:::" + bucket)
                .metadataDirective(S3MetadataDirective.COPY)
                .build())
        .build();
  }

  @Override
  public RolePermissions rolePermissions(boolean versioned) {
    // the source is the row's version; the copy is a new current version
    return RolePermissions.copyInPlace(versioned, "the copy becomes the current version");
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
                    "revert-to-version needs the version id to bring back; nothing copied");
              }
              CopyObjectResponse copied =
                  s3.copyObject(
                      b ->
                          b.sourceBucket(row.bucket())
                              .sourceKey(row.key())
                              .sourceVersionId(row.versionId())
                              .destinationBucket(row.bucket())
                              .destinationKey(row.key())
                              .metadataDirective(MetadataDirective.COPY)
                              .taggingDirective(TaggingDirective.COPY));
              return TaskOutcome.succeeded(
                  "version "
                      + row.versionId()
                      + " copied in place"
                      + (copied.versionId() == null ? "" : " as " + copied.versionId()));
            });
  }
}
