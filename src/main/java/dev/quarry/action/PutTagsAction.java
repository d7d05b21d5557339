package dev.quarry.action;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.s3control.model.JobOperation;
import software.amazon.awssdk.services.s3control.model.S3SetObjectTaggingOperation;
import software.amazon.awssdk.services.s3control.model.S3Tag;

/**
 * Sets object tags. {@code replace} makes the given tags the whole tag set (what S3 Batch
 * Operations' {@code S3PutObjectTagging} does); {@code merge} keeps the other tags, which only the
 * local executor can do.
 *
 * <pre>{@code
 * action:
 *   type: put-tags
 *   tags: { retention: long, reviewed: "2026-11" }
 *   mode: replace
 * }</pre>
 */
public record PutTagsAction(Map<String, String> tags, Mode mode) implements Action {
  @JsonCreator
  public PutTagsAction(
      @JsonProperty("tags") Map<String, String> tags, @JsonProperty("mode") Mode mode) {
    this.tags = Map.copyOf(new LinkedHashMap<>(tags == null ? Map.of() : tags));
    this.mode = mode == null ? Mode.REPLACE : mode;
    if (this.tags.isEmpty()) {
      throw new IllegalArgumentException("put-tags needs at least one tag");
    }
  }

  /** How the given tags meet the tags an object already has. */
  public enum Mode {
    @JsonProperty("replace")
    REPLACE,
    @JsonProperty("merge")
    MERGE
  }

  @Override
  public String type() {
    return "put-tags";
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
        .s3PutObjectTagging(
            S3SetObjectTaggingOperation.builder()
                .tagSet(
                    tags.entrySet().stream()
                        .sorted(Map.Entry.comparingByKey())
                        .map(e -> S3Tag.builder().key(e.getKey()).value(e.getValue()).build())
                        .toList())
                .build())
        .build();
  }

  @Override
  public List<String> awsLimitations() {
    return mode == Mode.MERGE
        ? List.of(
            "mode: merge is not possible on AWS: S3PutObjectTagging replaces the whole tag set")
        : List.of();
  }

  @Override
  public LocalTask localTask(software.amazon.awssdk.services.s3.S3Client s3) {
    throw new UnsupportedOperationException("local task of " + type() + " not written yet");
  }
}
