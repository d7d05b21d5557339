package dev.quarry.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quarry.error.QuarryException;
import dev.quarry.playbook.ActionSpec;
import dev.quarry.playbook.Limits;
import dev.quarry.playbook.ParameterSpec;
import dev.quarry.playbook.ParameterType;
import dev.quarry.playbook.Playbook;
import dev.quarry.playbook.ReportSpec;
import dev.quarry.query.ObjectRow;
import dev.quarry.query.embedded.EmbeddedEngine;
import dev.quarry.testing.FakeQueryEngine;
import dev.quarry.testing.TestWarehouse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlanRunTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-11-21T20:15:00Z"), ZoneOffset.UTC);

  @TempDir Path manifests;

  @Test
  void writesManifestAndSumsObjectsByStorageClassAndPrefix() throws Exception {
    // given
    FakeQueryEngine engine =
        FakeQueryEngine.returning(
            List.of("bucket", "key", "version_id"),
            List.of(
                new ObjectRow("starwatcher", "camera/a.jpg", "v1", 100L, "GLACIER"),
                new ObjectRow("starwatcher", "camera/b.jpg", "v2", 50L, "DEEP_ARCHIVE"),
                new ObjectRow("starwatcher", "ami-exports/x.bin", "v3", 1000L, "GLACIER")));
    Playbook playbook = restorePlaybook(OptionalLong.of(10));

    // when
    PlanResult plan =
        new PlanRun(engine, manifests, CLOCK).plan(playbook, Map.of("weather", "snow"));

    // then
    assertThat(plan.objects()).isEqualTo(3);
    assertThat(plan.bytes()).isEqualTo(1150);
    assertThat(plan.storageClasses())
        .containsExactly(
            new PlanResult.Group("GLACIER", 2, 1100), new PlanResult.Group("DEEP_ARCHIVE", 1, 50));
    assertThat(plan.topPrefixes())
        .containsExactly(
            new PlanResult.Group("camera/", 2, 150), new PlanResult.Group("ami-exports/", 1, 1000));
    assertThat(plan.parameters()).containsEntry("weather", "snow");
    // one question for the columns, one for the objects, both with the given value
    assertThat(engine.asked)
        .hasSize(2)
        .allSatisfy(q -> assertThat(q.parameters()).containsEntry("weather", "snow"));
    assertThat(plan.operation().name()).isEqualTo("S3InitiateRestoreObject");
    assertThat(plan.operation().parameters().toString())
        .isEqualTo("{\"ExpirationInDays\":5,\"GlacierJobTier\":\"BULK\"}");
    assertThat(plan.limitViolations()).isEmpty();
    Path csv = Path.of(plan.manifest().file());
    assertThat(csv).startsWith(manifests.resolve("restore-test"));
    assertThat(Files.readAllLines(csv))
        .containsExactly(
            "starwatcher,camera/a.jpg,v1",
            "starwatcher,camera/b.jpg,v2",
            "starwatcher,ami-exports/x.bin,v3");
    assertThat(Files.readString(plan.manifestJson()))
        .contains(
            "\"format\" : \"S3BatchOperations_CSV_20180820\"",
            "\"rows\" : 3",
            plan.manifest().etag());
    assertThat(plan.runId()).startsWith("20261121T201500Z-");
  }

  @Test
  void reportsTheLimitItWouldExceed() {
    // given
    FakeQueryEngine engine =
        FakeQueryEngine.returning(
            List.of("bucket", "key"),
            List.of(
                new ObjectRow("b", "k1", null, 1L, "GLACIER"),
                new ObjectRow("b", "k2", null, 1L, "GLACIER")));

    // when
    PlanResult plan =
        new PlanRun(engine, manifests, CLOCK).plan(restorePlaybook(OptionalLong.of(1)), Map.of());

    // then
    assertThat(plan.limitViolations())
        .containsExactly(
            "the query selected 2 objects, over limits.max-objects 1: nothing would run");
  }

  @Test
  void refusesAQueryWithoutTheColumnsTheActionNeeds() {
    // given
    FakeQueryEngine engine = FakeQueryEngine.returning(List.of("bucket", "key"), List.of());
    ObjectNode options = JsonNodeFactory.instance.objectNode().put("type", "rollback-deletes");
    Playbook playbook =
        new Playbook(
            Path.of("playbooks/rollback.yaml"),
            "rollback",
            "",
            Optional.empty(),
            "SELECT bucket, key FROM journal",
            Map.of(),
            Optional.of(new ActionSpec("rollback-deletes", options)),
            new Limits(OptionalLong.of(10), Limits.Confirm.REQUIRED),
            new ReportSpec(ReportSpec.Scope.ALL));

    // when / then
    assertThatThrownBy(() -> new PlanRun(engine, manifests, CLOCK).plan(playbook, Map.of()))
        .isInstanceOf(QuarryException.class)
        .hasMessageContaining(
            "playbooks/rollback.yaml: query: the query must return bucket, key, version_id");
    assertThat(manifests).isEmptyDirectory();
  }

  @Test
  void refusesUnknownAndMalformedParametersTogether() {
    // given
    FakeQueryEngine engine = FakeQueryEngine.returning(List.of("bucket", "key"), List.of());
    Playbook playbook = restorePlaybook(OptionalLong.empty());

    // when / then
    assertThatThrownBy(
            () ->
                new PlanRun(engine, manifests, CLOCK)
                    .plan(playbook, Map.of("wether", "rain", "weather", "x")))
        .hasMessageContaining("unknown parameter 'wether'; valid: weather");
    assertThat(engine.asked).isEmpty();
  }

  @Test
  void aKeyNamedOncePerVersionIsOneTaskAndThePlanCountsTheRest() throws Exception {
    // given: a journal with three events for one key and two for another, and a query that
    // names the key once per event, into a manifest without versions (restore takes the key)
    Path root = Files.createTempDirectory(manifests, "warehouse");
    try (TestWarehouse tables = new TestWarehouse(root)) {
      tables.journal(
          "b_photos",
          "SELECT * FROM (VALUES ('photos', 'a.jpg', 'v1', '1'), ('photos', 'a.jpg', 'v2', '2'),"
              + " ('photos', 'b.jpg', 'v3', '3'), ('photos', 'a.jpg', 'v4', '4'),"
              + " ('photos', 'b.jpg', 'v5', '5')) t(bucket, key, version_id, sequence_number)");
      Playbook playbook =
          withQuery(
              restorePlaybook(OptionalLong.empty()),
              "SELECT bucket, key FROM journal ORDER BY sequence_number");

      // when
      PlanResult plan;
      try (EmbeddedEngine engine = new EmbeddedEngine(tables.warehouse())) {
        plan = new PlanRun(engine, manifests, CLOCK).plan(playbook, Map.of());
      }

      // then: each key once, in the order of its first row, and the three others counted
      assertThat(Files.readAllLines(Path.of(plan.manifest().file())))
          .containsExactly("photos,a.jpg", "photos,b.jpg");
      assertThat(plan.objects()).isEqualTo(2);
      assertThat(plan.manifest().rows()).isEqualTo(2);
      assertThat(plan.duplicatesRemoved()).isEqualTo(3);
    }
  }

  @Test
  void versionedTasksAreDistinctByVersionAndTheNullVersionIsOneTask() throws Exception {
    // given: the same version twice, another version of the key, the null version twice
    Path root = Files.createTempDirectory(manifests, "warehouse");
    try (TestWarehouse tables = new TestWarehouse(root)) {
      tables.inventory(
          "b_photos",
          "SELECT * FROM (VALUES ('photos', 'a.jpg', 'v1'), ('photos', 'a.jpg', 'v2'),"
              + " ('photos', 'a.jpg', 'v1'), ('photos', 'n.jpg', NULL),"
              + " ('photos', 'n.jpg', NULL)) t(bucket, key, version_id)");
      Playbook playbook =
          withQuery(
              restorePlaybook(OptionalLong.empty()),
              "SELECT bucket, key, version_id FROM inventory");

      // when
      PlanResult plan;
      try (EmbeddedEngine engine = new EmbeddedEngine(tables.warehouse())) {
        plan = new PlanRun(engine, manifests, CLOCK).plan(playbook, Map.of());
      }

      // then
      assertThat(Files.readAllLines(Path.of(plan.manifest().file())))
          .containsExactly("photos,a.jpg,v1", "photos,a.jpg,v2", "photos,n.jpg,null");
      assertThat(plan.duplicatesRemoved()).isEqualTo(2);
    }
  }

  private static Playbook withQuery(Playbook p, String sql) {
    return new Playbook(
        p.source(),
        p.name(),
        p.description(),
        p.schedule(),
        sql,
        Map.of(),
        p.action(),
        p.limits(),
        p.report());
  }

  private static Playbook restorePlaybook(OptionalLong maxObjects) {
    ObjectNode options =
        JsonNodeFactory.instance
            .objectNode()
            .put("type", "restore")
            .put("days", 5)
            .put("tier", "BULK");
    return new Playbook(
        Path.of("playbooks/restore-test.yaml"),
        "restore-test",
        "test",
        Optional.empty(),
        "SELECT bucket, key, version_id FROM inventory WHERE element_at(object_tags, 'weather') ="
            + " :weather",
        Map.of(
            "weather", new ParameterSpec("weather", ParameterType.STRING, Optional.of("rain"), "")),
        Optional.of(new ActionSpec("restore", options)),
        new Limits(maxObjects, Limits.Confirm.NONE),
        new ReportSpec(ReportSpec.Scope.ALL));
  }
}
