package dev.quarry.action;

import static dev.quarry.action.ActionTaskFixtures.put;
import static dev.quarry.action.ActionTaskFixtures.row;
import static dev.quarry.action.ActionTaskFixtures.tags;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.action.PutTagsAction.Mode;
import dev.quarry.action.TaskOutcome.Status;
import dev.quarry.testing.S3Servers;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Tag;

/** put-tags and delete-tags against S3Mock. */
class TagTasksIT {
  private static S3Client s3;
  private static String bucket;

  @BeforeAll
  static void bucket() {
    s3 = S3Servers.client(S3Servers.s3mock());
    bucket = S3Servers.createVersionedBucket(s3, "tags");
  }

  @Test
  void replaceMakesTheGivenTagsTheWholeSet() {
    // given
    tagged("logs/replace.log", Map.of("old", "1", "retention", "short"));
    LocalTask task = new PutTagsAction(Map.of("retention", "long"), Mode.REPLACE).localTask(s3);

    // when
    TaskOutcome outcome = task.run(row(bucket, "logs/replace.log", null));

    // then
    assertThat(outcome).isEqualTo(TaskOutcome.succeeded("tags replaced: {retention=long}"));
    assertThat(tags(s3, bucket, "logs/replace.log")).isEqualTo(Map.of("retention", "long"));
  }

  @Test
  void mergeKeepsOtherTagsAndTheGivenOnesWin() {
    // given
    tagged("logs/merge.log", Map.of("old", "1", "retention", "short"));
    LocalTask task =
        new PutTagsAction(Map.of("retention", "long", "reviewed", "2026-11"), Mode.MERGE)
            .localTask(s3);

    // when
    TaskOutcome outcome = task.run(row(bucket, "logs/merge.log", null));

    // then
    assertThat(outcome.status()).isEqualTo(Status.SUCCEEDED);
    assertThat(tags(s3, bucket, "logs/merge.log"))
        .isEqualTo(Map.of("old", "1", "retention", "long", "reviewed", "2026-11"));
  }

  @Test
  void aMergeOverTenTagsFailsAndWritesNothing() {
    // given nine tags, and two new ones
    Map<String, String> nine = new TreeMap<>();
    for (int i = 1; i <= 9; i++) {
      nine.put("t" + i, "v");
    }
    tagged("logs/full.log", nine);
    LocalTask task = new PutTagsAction(Map.of("a", "1", "b", "2"), Mode.MERGE).localTask(s3);

    // when
    TaskOutcome outcome = task.run(row(bucket, "logs/full.log", null));

    // then
    assertThat(outcome.status()).isEqualTo(Status.FAILED);
    assertThat(outcome.errorCode()).isEqualTo("TooManyTags");
    assertThat(outcome.httpStatus()).isEqualTo(400);
    assertThat(outcome.message()).contains("11 tags").contains("nothing written");
    assertThat(tags(s3, bucket, "logs/full.log")).isEqualTo(nine);
  }

  @Test
  void tagsTheVersionTheRowNames() {
    // given
    String older = put(s3, bucket, "logs/versioned.log", "one");
    put(s3, bucket, "logs/versioned.log", "two");
    LocalTask task = new PutTagsAction(Map.of("k", "v"), Mode.REPLACE).localTask(s3);

    // when
    TaskOutcome outcome = task.run(row(bucket, "logs/versioned.log", older));

    // then
    assertThat(outcome.status()).isEqualTo(Status.SUCCEEDED);
    assertThat(
            s3.getObjectTagging(b -> b.bucket(bucket).key("logs/versioned.log").versionId(older))
                .tagSet())
        .extracting(Tag::key)
        .containsExactly("k");
    assertThat(tags(s3, bucket, "logs/versioned.log")).isEmpty();
  }

  @Test
  void putTagsOnAMissingKeyFailsWithNoSuchKey() {
    // given
    LocalTask task = new PutTagsAction(Map.of("k", "v"), Mode.MERGE).localTask(s3);

    // when
    TaskOutcome outcome = task.run(row(bucket, "logs/never-written", null));

    // then
    assertThat(outcome.errorCode()).isEqualTo("NoSuchKey");
    assertThat(outcome.httpStatus()).isEqualTo(404);
  }

  @Test
  void deleteTagsRemovesEveryTag() {
    // given
    tagged("scratch/a.tmp", Map.of("a", "1", "b", "2"));

    // when
    TaskOutcome outcome =
        DeleteTagsAction.create().localTask(s3).run(row(bucket, "scratch/a.tmp", null));

    // then
    assertThat(outcome).isEqualTo(TaskOutcome.succeeded("tags removed"));
    assertThat(tags(s3, bucket, "scratch/a.tmp")).isEmpty();
  }

  @Test
  void deleteTagsOnAMissingKeyFailsWithNoSuchKey() {
    // given on S3Mock (moto answers 500 here, which would be retried as transient)
    LocalTask task = DeleteTagsAction.create().localTask(s3);

    // when
    TaskOutcome outcome = task.run(row(bucket, "scratch/never-written", null));

    // then
    assertThat(outcome.errorCode()).isEqualTo("NoSuchKey");
    assertThat(outcome.httpStatus()).isEqualTo(404);
  }

  private static void tagged(String key, Map<String, String> tags) {
    put(s3, bucket, key, "content");
    s3.putObjectTagging(
        b ->
            b.bucket(bucket)
                .key(key)
                .tagging(
                    t ->
                        t.tagSet(
                            new LinkedHashMap<>(tags)
                                .entrySet().stream()
                                    .map(
                                        e ->
                                            Tag.builder()
                                                .key(e.getKey())
                                                .value(e.getValue())
                                                .build())
                                    .toList())));
  }
}
