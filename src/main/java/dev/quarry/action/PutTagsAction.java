package dev.quarry.action;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.quarry.query.ObjectRow;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Tag;
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
 *
 * <p>Locally, {@code replace} is one PutObjectTagging with exactly the given tags; {@code merge}
 * reads the tags with GetObjectTagging and writes the union (a given tag wins over an old one of
 * the same key). Both act on the row's version when it names one. S3 allows 10 tags an object: a
 * merge that would need more fails with {@code TooManyTags} (400) and writes nothing. A merge is a
 * read then a write, so a tag written by someone else in between is lost.
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
  public RolePermissions rolePermissions(boolean versioned) {
    return versioned
        ? RolePermissions.onObjects(
            "S3PutObjectTagging calls PutObjectTagging on each named version",
            "s3:PutObjectTagging",
            "s3:PutObjectVersionTagging")
        : RolePermissions.onObjects(
            "S3PutObjectTagging calls PutObjectTagging on each current object",
            "s3:PutObjectTagging");
  }

  /** S3's limit on tags per object. */
  static final int MAX_TAGS = 10;

  @Override
  public LocalTask localTask(S3Client s3) {
    requireNonNull(s3, "s3 is null");
    return row ->
        S3Errors.guard(
            () -> {
              Map<String, String> wanted =
                  switch (mode) {
                    case REPLACE -> new TreeMap<>(tags);
                    case MERGE -> merged(s3, row);
                  };
              if (wanted.size() > MAX_TAGS) {
                return TaskOutcome.failed(
                    "TooManyTags",
                    400,
                    "merging would give "
                        + wanted.size()
                        + " tags "
                        + wanted.keySet()
                        + "; S3 allows "
                        + MAX_TAGS
                        + "; nothing written");
              }
              s3.putObjectTagging(
                  b ->
                      b.bucket(row.bucket())
                          .key(row.key())
                          .versionId(row.versionId())
                          .tagging(
                              t ->
                                  t.tagSet(
                                      wanted.entrySet().stream()
                                          .map(
                                              e ->
                                                  Tag.builder()
                                                      .key(e.getKey())
                                                      .value(e.getValue())
                                                      .build())
                                          .toList())));
              return TaskOutcome.succeeded(
                  (mode == Mode.MERGE ? "tags merged: " : "tags replaced: ") + wanted);
            });
  }

  private Map<String, String> merged(S3Client s3, ObjectRow row) {
    Map<String, String> merged = new TreeMap<>();
    s3.getObjectTagging(b -> b.bucket(row.bucket()).key(row.key()).versionId(row.versionId()))
        .tagSet()
        .forEach(tag -> merged.put(tag.key(), tag.value()));
    merged.putAll(tags);
    return merged;
  }
}
