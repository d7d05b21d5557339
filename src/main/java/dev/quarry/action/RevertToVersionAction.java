package dev.quarry.action;

import com.fasterxml.jackson.annotation.JsonCreator;
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
  public LocalTask localTask(software.amazon.awssdk.services.s3.S3Client s3) {
    throw new UnsupportedOperationException("local task of " + type() + " not written yet");
  }
}
