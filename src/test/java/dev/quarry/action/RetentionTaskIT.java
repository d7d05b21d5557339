package dev.quarry.action;

import static dev.quarry.action.ActionTaskFixtures.row;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.action.RetentionAction.Mode;
import dev.quarry.playbook.LoadResult;
import dev.quarry.playbook.PlaybookLoader;
import dev.quarry.testing.S3Servers;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;

/** retention against moto, which keeps Object Lock's semantics. */
class RetentionTaskIT {
  private static S3Client s3;
  private static String locked;

  @BeforeAll
  static void bucket() {
    s3 = S3Servers.client(S3Servers.moto());
    locked = S3Servers.newBucketName("retain");
    s3.createBucket(b -> b.bucket(locked).objectLockEnabledForBucket(true));
  }

  @Test
  void governanceRetentionIsSetOnTheVersionAndBlocksItsDeletion() {
    // given
    String version =
        s3.putObject(b -> b.bucket(locked).key("audit/a.log"), RequestBody.fromString("a"))
            .versionId();
    Instant until = Instant.now().plus(30, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);

    // when
    TaskOutcome outcome =
        new RetentionAction(Mode.GOVERNANCE, until, false)
            .localTask(s3)
            .run(row(locked, "audit/a.log", version));

    // then
    assertThat(outcome).isEqualTo(TaskOutcome.succeeded("GOVERNANCE retention until " + until));
    // moto 5.2.1 answers GetObjectRetention with a body the SDK cannot parse: read HeadObject
    var head = s3.headObject(b -> b.bucket(locked).key("audit/a.log").versionId(version));
    assertThat(head.objectLockMode()).isEqualTo(ObjectLockMode.GOVERNANCE);
    assertThat(head.objectLockRetainUntilDate()).isEqualTo(until);
    assertThat(
            org.assertj.core.api.Assertions.catchThrowable(
                () -> s3.deleteObject(b -> b.bucket(locked).key("audit/a.log").versionId(version))))
        .isNotNull();
  }

  @Test
  void complianceRetentionIsDestructiveSoItNeedsALimit() {
    // given COMPLIANCE retention, which no one can shorten, without limits
    String yaml =
        """
        name: retain
        query: SELECT bucket, key FROM inventory
        action: { type: retention, mode: COMPLIANCE, retain-until: "2034-01-01T00:00:00Z" }
        """;

    // when
    LoadResult loaded = new PlaybookLoader().load(Path.of("retain.yaml"), yaml);
    LoadResult governance =
        new PlaybookLoader().load(Path.of("retain.yaml"), yaml.replace("COMPLIANCE", "GOVERNANCE"));

    // then
    assertThat(loaded.problems())
        .extracting(p -> p.path() + ": " + p.message())
        .containsExactly(
            "limits.max-objects: action 'retention' is destructive: set limits.max-objects, the"
                + " most objects one run may change");
    assertThat(governance.problems()).isEmpty();
  }
}
