package dev.quarry.action;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.ReplicationConfiguration;
import software.amazon.awssdk.services.s3.model.ReplicationRule;
import software.amazon.awssdk.services.s3.model.ReplicationRuleStatus;
import software.amazon.awssdk.services.s3.model.Tag;

/** Which destinations a bucket's replication rules send a key to, as S3 resolves them. */
class ReplicateActionTest {
  private static ReplicationRule rule(
      String id, int priority, ReplicationRuleStatus status, String prefix, String destination) {
    return ReplicationRule.builder()
        .id(id)
        .priority(priority)
        .status(status)
        .filter(f -> f.prefix(prefix))
        .destination(d -> d.bucket("arn:aws:s3:::" + destination))
        .build();
  }

  private static final ReplicationConfiguration CONFIGURATION =
      ReplicationConfiguration.builder()
          .role("arn:aws:iam::111122223333:role/replication")
          .rules(
              rule("models", 1, ReplicationRuleStatus.ENABLED, "models/", "backup"),
              rule("cnn", 5, ReplicationRuleStatus.ENABLED, "models/cnn", "backup"),
              rule("off", 9, ReplicationRuleStatus.DISABLED, "", "elsewhere"),
              rule("all", 0, ReplicationRuleStatus.ENABLED, "", "archive"))
          .build();

  @Test
  void eachDestinationGetsItsEnabledRuleOfHighestPriorityThatTakesTheKey() {
    // when
    Map<String, ReplicationRule> destinations =
        ReplicateAction.destinations(
            CONFIGURATION, ActionTaskFixtures.row("b", "models/cnn.bin", "v1"), Map::of);

    // then
    assertThat(destinations).containsOnlyKeys("backup", "archive");
    assertThat(destinations.get("backup").id()).isEqualTo("cnn");
  }

  @Test
  void aKeyOutsideEveryPrefixGoesOnlyWhereAnEmptyPrefixSendsIt() {
    // when
    Map<String, ReplicationRule> destinations =
        ReplicateAction.destinations(
            CONFIGURATION, ActionTaskFixtures.row("b", "logs/a.log", null), Map::of);

    // then
    assertThat(destinations).containsOnlyKeys("archive");
  }

  @Test
  void aTagFilterTakesOnlyObjectsWithTheTag() {
    // given
    ReplicationConfiguration tagged =
        ReplicationConfiguration.builder()
            .role("arn:aws:iam::111122223333:role/replication")
            .rules(
                ReplicationRule.builder()
                    .id("gold")
                    .status(ReplicationRuleStatus.ENABLED)
                    .filter(
                        f ->
                            f.and(
                                a ->
                                    a.prefix("models/")
                                        .tags(Tag.builder().key("tier").value("gold").build())))
                    .destination(d -> d.bucket("arn:aws-cn:s3:::vault"))
                    .build())
            .build();

    // when / then
    assertThat(
            ReplicateAction.destinations(
                tagged,
                ActionTaskFixtures.row("b", "models/a", null),
                () -> Map.of("tier", "gold")))
        .containsOnlyKeys("vault");
    assertThat(
            ReplicateAction.destinations(
                tagged,
                ActionTaskFixtures.row("b", "models/a", null),
                () -> Map.of("tier", "bronze")))
        .isEmpty();
  }
}
