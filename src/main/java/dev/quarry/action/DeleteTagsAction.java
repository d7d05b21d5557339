package dev.quarry.action;

import com.fasterxml.jackson.annotation.JsonCreator;
import software.amazon.awssdk.services.s3control.model.JobOperation;
import software.amazon.awssdk.services.s3control.model.S3DeleteObjectTaggingOperation;

/**
 * Removes every tag from objects ({@code S3DeleteObjectTagging}).
 *
 * <pre>{@code
 * action:
 *   type: delete-tags
 * }</pre>
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
  public LocalTask localTask(software.amazon.awssdk.services.s3.S3Client s3) {
    throw new UnsupportedOperationException("local task of " + type() + " not written yet");
  }
}
