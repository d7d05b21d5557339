package dev.quarry.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.playbook.LoadResult;
import dev.quarry.playbook.PlaybookLoader;
import dev.quarry.playbook.PlaybookValidator;
import dev.quarry.query.QueryEngine;
import dev.quarry.query.embedded.EmbeddedEngine;
import dev.quarry.testing.TestWarehouse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The playbooks shipped in {@code playbooks/} are valid and their queries run on DuckDB. */
class ExamplePlaybooksTest {
  @TempDir Path dir;

  static Stream<Path> examples() throws Exception {
    try (Stream<Path> files = Files.list(Path.of("playbooks"))) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }

  @Test
  void thereAreExamplesForEveryReferenceWorkflow() throws Exception {
    assertThat(examples().map(p -> p.getFileName().toString()))
        .contains(
            "restore-rainy-training.yaml",
            "reencrypt-to-kms.yaml",
            "rollback-deletes.yaml",
            "restore-instance-amis.yaml",
            "audit-deletes.yaml");
  }

  @ParameterizedTest
  @MethodSource("examples")
  void validatesAndReturnsTheColumnsItsActionNeeds(Path example) throws Exception {
    // given an empty warehouse for the demo bucket, with AWS's table schemas
    try (TestWarehouse warehouse = new TestWarehouse(dir.resolve("warehouse"))) {
      warehouse.inventory("b_starwatcher", "SELECT 'x' AS bucket WHERE false");
      warehouse.journal("b_starwatcher", "SELECT 'x' AS bucket WHERE false");

      // when
      LoadResult loaded = new PlaybookLoader().load(example);
      try (QueryEngine engine = new EmbeddedEngine(warehouse.warehouse())) {
        // then
        assertThat(loaded.problems()).isEmpty();
        assertThat(PlaybookValidator.checkColumns(loaded, engine)).isEmpty();
      }
    }
  }

  @Test
  void restorePicksCurrentArchivedRainyTrainingImagesOnly() throws Exception {
    // given: one key per way of not qualifying, and one that does (with an older version)
    try (TestWarehouse warehouse = new TestWarehouse(dir.resolve("warehouse"))) {
      warehouse.inventory(
          "b_starwatcher",
          """
          SELECT * FROM (VALUES
            ('starwatcher', 'camera/ok.jpg', 'v2', '0002', false, 10, 'GLACIER', MAP {'weather': 'rain', 'category': 'training'}),
            ('starwatcher', 'camera/ok.jpg', 'v1', '0001', false, 10, 'STANDARD', MAP {'weather': 'rain', 'category': 'training'}),
            ('starwatcher', 'camera/sunny.jpg', 'v1', '0003', false, 10, 'GLACIER', MAP {'weather': 'sun', 'category': 'training'}),
            ('starwatcher', 'camera/untagged.jpg', 'v1', '0004', false, 10, 'DEEP_ARCHIVE', MAP {'other': 'x'}),
            ('starwatcher', 'camera/deleted.jpg', 'm1', '0006', true, NULL, NULL, NULL),
            ('starwatcher', 'camera/deleted.jpg', 'v1', '0005', false, 10, 'GLACIER', MAP {'weather': 'rain', 'category': 'training'}),
            ('starwatcher', 'camera/hot.jpg', 'v1', '0007', false, 10, 'STANDARD', MAP {'weather': 'rain', 'category': 'training'})
          ) AS t(bucket, key, version_id, sequence_number, is_delete_marker, size, storage_class, object_tags)
          """);
      warehouse.journal("b_starwatcher", "SELECT 'x' AS bucket WHERE false");
      var playbook =
          new PlaybookLoader().load(Path.of("playbooks/restore-rainy-training.yaml")).orThrow();

      // when
      PlanResult plan;
      try (QueryEngine engine = new EmbeddedEngine(warehouse.warehouse())) {
        plan =
            new PlanRun(engine, dir.resolve("manifests"), Clock.systemUTC())
                .plan(playbook, Map.of());
      }

      // then
      assertThat(plan.objects()).isEqualTo(1);
      assertThat(Files.readAllLines(Path.of(plan.manifest().file())))
          .isEqualTo(List.of("starwatcher,camera/ok.jpg,v2"));
    }
  }
}
