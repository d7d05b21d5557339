package dev.quarry.action;

import static dev.quarry.action.ActionTaskFixtures.put;
import static dev.quarry.action.ActionTaskFixtures.read;
import static dev.quarry.action.ActionTaskFixtures.row;
import static dev.quarry.action.ActionTaskFixtures.tags;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.testing.S3Servers;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ReplicationRule;
import software.amazon.awssdk.services.s3.model.ReplicationRuleStatus;
import software.amazon.awssdk.services.s3.model.StorageClass;

/**
 * replicate against moto: two versioned buckets and a replication rule (moto stores the
 * configuration but replicates nothing itself), so what arrives in the destination is the task's.
 * moto 5.2.1 answers every rule's filter prefix as empty, so rule filters are tested in {@link
 * ReplicateActionTest}.
 */
class ReplicateTaskIT {
  private static S3Client s3;
  private static String source;
  private static String backup;

  @BeforeAll
  static void buckets() {
    s3 = S3Servers.client(S3Servers.moto());
    source = S3Servers.createVersionedBucket(s3, "models");
    backup = S3Servers.createVersionedBucket(s3, "backup");
    s3.putBucketReplication(
        b ->
            b.bucket(source)
                .replicationConfiguration(
                    c ->
                        c.role("arn:aws:iam::111122223333:role/replication")
                            .rules(
                                ReplicationRule.builder()
                                    .id("models")
                                    .priority(1)
                                    .status(ReplicationRuleStatus.ENABLED)
                                    .filter(f -> f.prefix("models/"))
                                    .deleteMarkerReplication(d -> d.status("Disabled"))
                                    .destination(
                                        d ->
                                            d.bucket("arn:aws:s3:::" + backup)
                                                .storageClass(StorageClass.STANDARD_IA))
                                    .build())));
  }

  @Test
  void eachNamedVersionArrivesInTheDestinationWithItsMetadataAndTags() {
    // given an older and a newer version of a key
    String key = "models/cnn v1.bin";
    String older =
        s3.putObject(
                b ->
                    b.bucket(source)
                        .key(key)
                        .contentType("application/octet-stream")
                        .metadata(Map.of("trained-on", "rain"))
                        .tagging("stage=old"),
                RequestBody.fromString("weights 1"))
            .versionId();
    put(s3, source, key, "weights 2");

    // when the older version is replicated
    TaskOutcome outcome = new ReplicateAction().localTask(s3).run(row(source, key, older));

    // then the destination holds that version's bytes, metadata, tags and the rule's class
    assertThat(outcome.succeeded()).as(outcome.message()).isTrue();
    assertThat(outcome.message()).isEqualTo("replicated to " + backup);
    assertThat(read(s3, backup, key)).isEqualTo("weights 1");
    var head = s3.headObject(b -> b.bucket(backup).key(key));
    assertThat(head.metadata()).containsEntry("trained-on", "rain");
    assertThat(head.contentType()).isEqualTo("application/octet-stream");
    assertThat(head.storageClass()).isEqualTo(StorageClass.STANDARD_IA);
    assertThat(tags(s3, backup, key)).containsExactlyEntriesOf(Map.of("stage", "old"));
  }

  @Test
  void aBucketWithoutReplicationConfigurationFailsAsS3Answers() {
    // given
    String plain = S3Servers.createVersionedBucket(s3, "plain");
    String version = put(s3, plain, "models/a.bin", "x");

    // when
    TaskOutcome outcome =
        new ReplicateAction().localTask(s3).run(row(plain, "models/a.bin", version));

    // then
    assertThat(outcome.succeeded()).isFalse();
    assertThat(outcome.errorCode()).isEqualTo("ReplicationConfigurationNotFoundError");
    assertThat(outcome.httpStatus()).isEqualTo(404);
  }
}
