package dev.quarry.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.error.ErrorKind;
import dev.quarry.error.QuarryException;
import dev.quarry.sandbox.SeedPlan.Put;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SeedPlanTest {
  private static final String KEY = S3MockServer.DEMO_KMS_KEY_ID;

  @Test
  void sameSeedGivesTheSamePlan() {
    // given / when
    SeedPlan first = SeedPlan.generate("b", 500, 7, KEY);
    SeedPlan second = SeedPlan.generate("b", 500, 7, KEY);
    SeedPlan other = SeedPlan.generate("b", 500, 8, KEY);

    // then
    assertThat(first).isEqualTo(second);
    assertThat(first).isNotEqualTo(other);
  }

  @Test
  void defaultPlanHasTheDocumentedShape() {
    // when
    SeedPlan plan =
        SeedPlan.generate(
            SeedPlan.DEFAULT_BUCKET, SeedPlan.DEFAULT_OBJECTS, SeedPlan.DEFAULT_SEED, KEY);

    // then
    Map<String, Long> keysByPrefix =
        plan.puts().stream()
            .filter(p -> p.generation() == 1)
            .collect(Collectors.groupingBy(Put::prefix, Collectors.counting()));
    assertThat(plan.objects()).isEqualTo(3000);
    assertThat(keysByPrefix)
        .containsEntry("ami-exports", 40L)
        .containsEntry("logs", 450L)
        .containsEntry("odd", 6L)
        .containsEntry("camera", 2504L);
    assertThat(plan.deletes())
        .hasSize(100)
        .doesNotHaveDuplicates()
        .allMatch(k -> k.startsWith("camera/"));
    assertThat(plan.puts().stream().filter(p -> p.generation() == 1).map(Put::key))
        .doesNotHaveDuplicates();
    assertThat(plan.puts()).anyMatch(p -> p.generation() == 3);
    assertThat(plan.puts().stream().map(Put::storageClass).distinct())
        .containsExactlyInAnyOrder("STANDARD", "STANDARD_IA", "GLACIER", "DEEP_ARCHIVE");
    long kms =
        plan.puts().stream().filter(p -> p.encryption() == SeedPlan.Encryption.SSE_KMS).count();
    assertThat((double) kms / plan.puts().size()).isBetween(0.25, 0.35);
    long rainyTrainingArchived =
        plan.puts().stream()
            .filter(p -> p.generation() == 1)
            .filter(
                p -> p.storageClass().equals("GLACIER") || p.storageClass().equals("DEEP_ARCHIVE"))
            .filter(p -> "rain".equals(p.tags().get("weather")))
            .filter(p -> "training".equals(p.tags().get("category")))
            .count();
    assertThat(rainyTrainingArchived).isBetween(200L, 400L);
    assertThat(plan.puts())
        .extracting(Put::key)
        .contains("odd/naïve café.txt", "odd/100%+true,\"quoted\".txt");
  }

  @Test
  void amiExportsCarryNamesAndInstanceIdsInArchiveTiers() {
    // when
    SeedPlan plan = SeedPlan.generate("b", 3000, SeedPlan.DEFAULT_SEED, KEY);

    // then
    var amis = plan.puts().stream().filter(p -> p.prefix().equals("ami-exports")).toList();
    assertThat(amis).allMatch(p -> p.key().matches("ami-exports/ami-0[0-9a-f]{16}\\.bin"));
    assertThat(amis)
        .allMatch(
            p -> p.storageClass().equals("GLACIER") || p.storageClass().equals("DEEP_ARCHIVE"));
    assertThat(amis).anyMatch(p -> p.metadata().get("ami-name").startsWith("AwsBackup_i-0"));
    assertThat(amis).anyMatch(p -> !p.metadata().get("ami-name").contains("AwsBackup"));
    assertThat(amis.stream().map(p -> p.metadata().get("instance-id")).distinct().count())
        .isBetween(2L, 4L);
  }

  @Test
  void smallPlansKeepTheProportions() {
    // when
    SeedPlan plan = SeedPlan.generate("b", 150, 1, KEY);

    // then
    Map<String, Long> keysByPrefix =
        plan.puts().stream()
            .filter(p -> p.generation() == 1)
            .collect(Collectors.groupingBy(Put::prefix, Collectors.counting()));
    assertThat(plan.objects()).isEqualTo(150);
    assertThat(keysByPrefix).containsEntry("ami-exports", 2L).containsEntry("logs", 23L);
    assertThat(plan.deletes()).hasSize(5);
    assertThat(
            plan.puts().stream()
                .collect(Collectors.toMap(Put::key, Function.identity(), (a, b) -> a)))
        .hasSize(150);
  }

  @Test
  void refusesTooFewObjects() {
    assertThatThrownBy(() -> SeedPlan.generate("b", 10, 1, KEY))
        .isInstanceOf(QuarryException.class)
        .hasMessageContaining("at least 50")
        .extracting(e -> ((QuarryException) e).kind())
        .isEqualTo(ErrorKind.USER);
  }
}
