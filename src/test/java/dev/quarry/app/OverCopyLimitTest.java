package dev.quarry.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.playbook.Playbook;
import dev.quarry.playbook.PlaybookLoader;
import dev.quarry.query.QueryEngine;
import dev.quarry.query.SelectionSummary;
import dev.quarry.query.embedded.EmbeddedEngine;
import dev.quarry.testing.ForwardingEngine;
import dev.quarry.testing.TestWarehouse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Objects over 5 GB in a plan, on a real DuckDB inventory (sizes are metadata: no such object is
 * needed), counted by the engine's own SQL and by the streamed rows alike: a copy refuses them, an
 * action that copies nothing only counts them.
 */
class OverCopyLimitTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-12-01T12:00:00Z"), ZoneOffset.UTC);

  private static final long SIX_GB = 6L * 1024 * 1024 * 1024;

  private static final String INVENTORY =
      "SELECT * FROM (VALUES"
          + " ('vault', 'small/a', 'v1', 10, 'STANDARD'),"
          + " ('vault', 'video/huge.mp4', 'v2', "
          + SIX_GB
          + ", 'STANDARD'),"
          + " ('vault', 'video/edge.mp4', 'v3', "
          + SelectionSummary.COPY_LIMIT_BYTES
          + ", 'STANDARD'),"
          + " ('vault', 'video/huger.mp4', 'v4', "
          + (SIX_GB * 2)
          + ", 'STANDARD_IA'))"
          + " t(bucket, key, version_id, size, storage_class)";

  @TempDir static Path dir;
  private static TestWarehouse tables;

  @BeforeAll
  static void warehouse() throws Exception {
    tables = new TestWarehouse(dir.resolve("warehouse"));
    tables.inventory("b_vault", INVENTORY);
  }

  @AfterAll
  static void close() throws Exception {
    tables.close();
  }

  @ParameterizedTest
  @CsvSource({
    "true, reencrypt",
    "false, reencrypt",
    "true, revert",
    "false, revert",
    "true, restore-then-copy",
    "false, restore-then-copy"
  })
  void aCopyPlanCountsTheObjectsOver5GbAndRefusesThem(boolean fast, String action)
      throws Exception {
    // given: two objects over 5 GB, one exactly at it
    Playbook playbook = playbook(action);

    // when
    PlanResult plan = plan(playbook, fast);

    // then
    assertThat(plan.overCopyLimit().objects()).isEqualTo(2);
    assertThat(plan.overCopyLimit().sampleKey()).contains("video/huge.mp4");
    assertThat(plan.limitViolations())
        .singleElement()
        .asString()
        .startsWith("2 objects are over 5 GB (5368709120 bytes), the most S3PutObjectCopy copies")
        .contains("(e.g. video/huge.mp4)")
        .contains("AND size <= 5368709120")
        .contains("multipart copy")
        .endsWith("nothing would run");
  }

  @ParameterizedTest
  @CsvSource({"true", "false"})
  void anActionThatCopiesNothingOnlyCountsThem(boolean fast) throws Exception {
    // given
    Playbook playbook = playbook("put-tags");

    // when
    PlanResult plan = plan(playbook, fast);

    // then
    assertThat(plan.overCopyLimit().objects()).isEqualTo(2);
    assertThat(plan.limitViolations()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({"true", "false"})
  void aRevertRefusesToCopyBackAVersionOver5Gb(boolean fast) throws Exception {
    // given: a 6 GB version current at T, overwritten since by a small one
    Path root = dir.resolve("revert-" + fast);
    try (TestWarehouse versions = new TestWarehouse(root.resolve("warehouse"))) {
      versions.inventory(
          "b_vault",
          "SELECT 'vault' AS bucket, 'video/big.mp4' AS key, lpad(CAST(n AS VARCHAR), 20, '0') AS"
              + " sequence_number, v AS version_id, FALSE AS is_delete_marker, s::BIGINT AS size,"
              + " ts::TIMESTAMP AS last_modified_date, 'etag-' || v AS e_tag, 'STANDARD' AS"
              + " storage_class, 'SSE-S3' AS encryption_status FROM (VALUES (1, 'b1', "
              + SIX_GB
              + ", '2026-06-01 10:00:00'), (2, 'b2', 100, '2026-06-01 12:30:00')) t(n, v, s, ts)");
      versions.journal("b_vault", "SELECT 'vault' AS bucket WHERE false");
    }
    Playbook revert =
        new PlaybookLoader()
            .load(
                root.resolve("revert-vault.yaml"),
                "name: revert-vault\nbucket: vault\nrevert: { to: \"2026-06-01T12:00:00Z\" }\n"
                    + "limits: { max-objects: 10 }\n")
            .orThrow();

    // when
    PlanResult plan;
    try (EmbeddedEngine engine =
        new EmbeddedEngine(new dev.quarry.metadata.Warehouse(root.resolve("warehouse")))) {
      QueryEngine used = fast ? engine : ForwardingEngine.streamingOnly(engine);
      plan = new PlanRun(used, root.resolve("manifests"), CLOCK).plan(revert, Map.of());
    }

    // then: AWS would fail the copy back, the local executor would make it: refused
    assertThat(plan.limitViolations())
        .singleElement()
        .asString()
        .startsWith("1 object is over 5 GB")
        .contains("(e.g. video/big.mp4)");
  }

  private static PlanResult plan(Playbook playbook, boolean fast) throws Exception {
    try (EmbeddedEngine engine = new EmbeddedEngine(tables.warehouse())) {
      QueryEngine used = fast ? engine : ForwardingEngine.streamingOnly(engine);
      return new PlanRun(used, dir.resolve(fast ? "fast" : "streamed"), CLOCK)
          .plan(playbook, Map.of());
    }
  }

  private static Playbook playbook(String action) {
    String spec =
        switch (action) {
          case "reencrypt" -> "{ type: reencrypt, sse: AES256 }";
          case "revert" -> "{ type: revert-to-version }";
          case "restore-then-copy" ->
              "{ type: restore, days: 1, tier: BULK }\nthen: { type: reencrypt, sse: AES256,"
                  + " storage-class: STANDARD }";
          default -> "{ type: put-tags, tags: { checked: \"yes\" } }";
        };
    String query =
        action.equals("revert")
            ? "SELECT bucket, key, version_id FROM inventory"
            : "SELECT bucket, key FROM inventory";
    return new PlaybookLoader()
        .load(
            dir.resolve(action + ".yaml"),
            "name: big-"
                + action
                + "\nquery: "
                + query
                + "\naction: "
                + spec
                + "\nlimits: { max-objects: 10, confirm: required }\n")
        .orThrow();
  }
}
