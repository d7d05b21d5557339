package dev.quarry.revert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.error.QuarryException;
import dev.quarry.query.embedded.EmbeddedEngine;
import dev.quarry.revert.RevertPlan.CopyGroup;
import dev.quarry.revert.RevertPlan.Step;
import dev.quarry.revert.RevertPlan.UndoAction;
import dev.quarry.testing.TestWarehouse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RevertPlannerTest {
  private static final Instant T = Instant.parse("2026-06-01T12:00:00Z");

  @TempDir Path dir;

  /**
   * Changes spread around T (12:00), each key named after what happened to it; q/x is outside the
   * prefix. p/old is only in the inventory (its journal rows expired).
   */
  private TestWarehouse scenario(String extraJournalRows) throws Exception {
    TestWarehouse tables = new TestWarehouse(dir.resolve("warehouse"));
    tables.inventory(
        "b_photos",
        "SELECT 'photos' AS bucket, 'p/old' AS key, lpad('1', 20, '0') AS sequence_number, 'o1' AS"
            + " version_id, FALSE AS is_delete_marker, 100::BIGINT AS size, TIMESTAMP '2026-05-01"
            + " 00:00:00' AS last_modified_date, 'etag-o1' AS e_tag, 'STANDARD' AS storage_class,"
            + " 'SSE-S3' AS encryption_status");
    tables.journal(
        "b_photos",
        "SELECT 'photos' AS bucket, k AS key, lpad(CAST(row_number() OVER () + 1 AS VARCHAR), 20,"
            + " '0') AS sequence_number, r AS record_type, ts::TIMESTAMP AS record_timestamp, v AS"
            + " version_id, CASE r WHEN 'DELETE' THEN dm ELSE FALSE END AS is_delete_marker, CASE"
            + " WHEN r = 'DELETE' AND dm IS NULL THEN NULL WHEN dm THEN 0 ELSE 100 END::BIGINT AS"
            + " size, CASE WHEN r = 'DELETE' AND dm IS NULL THEN NULL WHEN r = 'UPDATE_METADATA'"
            + " THEN TIMESTAMP '2026-06-01 10:00:00' ELSE ts::TIMESTAMP END AS last_modified_date,"
            + " CASE WHEN dm IS NULL AND r = 'DELETE' OR dm THEN NULL ELSE 'etag-' || v END AS"
            + " e_tag, CASE WHEN dm IS NULL AND r = 'DELETE' OR dm THEN NULL ELSE coalesce(sc,"
            + " 'STANDARD') END AS storage_class, CASE WHEN dm IS NULL AND r = 'DELETE' OR dm THEN"
            + " NULL ELSE coalesce(enc, 'SSE-S3') END AS encryption_status, kms AS kms_key_arn FROM"
            + " (VALUES"
            + " ('p/new', 'CREATE', '2026-06-01 12:30:00', 'n1', NULL, NULL, NULL, NULL),"
            + " ('p/deleted', 'CREATE', '2026-06-01 10:00:00', 'd1', NULL, NULL, NULL, NULL),"
            + " ('p/deleted', 'DELETE', '2026-06-01 12:30:00', 'd-m1', TRUE, NULL, NULL, NULL),"
            + " ('p/deleted2', 'CREATE', '2026-06-01 10:00:00', 'e1', NULL, NULL, NULL, NULL),"
            + " ('p/deleted2', 'DELETE', '2026-06-01 12:30:00', 'e-m1', TRUE, NULL, NULL, NULL),"
            + " ('p/deleted2', 'DELETE', '2026-06-01 12:40:00', 'e-m2', TRUE, NULL, NULL, NULL),"
            + " ('p/over', 'CREATE', '2026-06-01 10:00:00', 'v1', NULL, NULL, NULL, NULL),"
            + " ('p/over', 'CREATE', '2026-06-01 12:30:00', 'v2', NULL, NULL, NULL, NULL),"
            + " ('p/overdel', 'CREATE', '2026-06-01 10:00:00', 'w1', NULL, 'STANDARD_IA',"
            + " 'SSE-KMS', 'arn:k1'),"
            + " ('p/overdel', 'CREATE', '2026-06-01 12:30:00', 'w2', NULL, NULL, NULL, NULL),"
            + " ('p/overdel', 'DELETE', '2026-06-01 12:40:00', 'w-m1', TRUE, NULL, NULL, NULL),"
            + " ('p/cold', 'CREATE', '2026-06-01 10:00:00', 'c1', NULL, 'GLACIER', NULL, NULL),"
            + " ('p/cold', 'CREATE', '2026-06-01 12:30:00', 'c2', NULL, NULL, NULL, NULL),"
            + " ('p/gone', 'CREATE', '2026-06-01 10:00:00', 'g1', NULL, NULL, NULL, NULL),"
            + " ('p/gone', 'DELETE', '2026-06-01 12:30:00', 'g1', NULL, NULL, NULL, NULL),"
            + " ('p/tags', 'CREATE', '2026-06-01 10:00:00', 't1', NULL, NULL, NULL, NULL),"
            + " ('p/tags', 'UPDATE_METADATA', '2026-06-01 12:30:00', 't1', NULL, NULL, NULL,"
            + " NULL),"
            + " ('p/wasdeleted', 'CREATE', '2026-06-01 09:00:00', 'x1', NULL, NULL, NULL, NULL),"
            + " ('p/wasdeleted', 'DELETE', '2026-06-01 10:00:00', 'x-m1', TRUE, NULL, NULL,"
            + " NULL),"
            + " ('p/wasdeleted', 'CREATE', '2026-06-01 12:30:00', 'x2', NULL, NULL, NULL, NULL),"
            + " ('p/purged', 'CREATE', '2026-06-01 09:00:00', 'u1', NULL, NULL, NULL, NULL),"
            + " ('p/purged', 'CREATE', '2026-06-01 10:00:00', 'u2', NULL, NULL, NULL, NULL),"
            + " ('p/purged', 'DELETE', '2026-06-01 11:00:00', 'u2', NULL, NULL, NULL, NULL),"
            + " ('p/purged', 'CREATE', '2026-06-01 12:30:00', 'u3', NULL, NULL, NULL, NULL),"
            + " ('q/x', 'CREATE', '2026-06-01 10:00:00', 'q1', NULL, NULL, NULL, NULL),"
            + " ('q/x', 'CREATE', '2026-06-01 12:30:00', 'q2', NULL, NULL, NULL, NULL)"
            + extraJournalRows
            + ") t(k, r, ts, v, dm, sc, enc, kms)");
    return tables;
  }

  @Test
  void sortsEveryChangeAroundTIntoItsSetWithUndoManifests() throws Exception {
    // given
    try (TestWarehouse tables = scenario("");
        EmbeddedEngine engine = new EmbeddedEngine(tables.warehouse())) {
      Path out = dir.resolve("revert");

      // when
      RevertPlan plan = RevertPlanner.plan(engine, "photos", T, Optional.of("p/"), out);

      // then
      // the keys to hide name their current version: hide-keys adds a marker only while it is
      assertThat(lines(plan.steps(RevertSet.HIDE).get(0).manifest().file()))
          .containsExactly("photos,p/new,n1", "photos,p/wasdeleted,x2");
      assertThat(lines(plan.steps(RevertSet.REMOVE_MARKERS).get(0).manifest().file()))
          .containsExactly(
              "photos,p/deleted,d-m1", "photos,p/deleted2,e-m1", "photos,p/deleted2,e-m2");
      List<Step> copies = plan.steps(RevertSet.COPY_BACK);
      assertThat(copies)
          .extracting(Step::group)
          .containsExactly(
              Optional.of(new CopyGroup("STANDARD", "SSE-S3", "")),
              Optional.of(new CopyGroup("STANDARD_IA", "SSE-KMS", "arn:k1")));
      assertThat(lines(copies.get(0).manifest().file()))
          .containsExactly("photos,p/over,v1", "photos,p/purged,u1");
      assertThat(lines(copies.get(1).manifest().file())).containsExactly("photos,p/overdel,w1");
      assertThat(copies.get(0).objects()).isEqualTo(2);
      assertThat(copies.get(0).bytes()).isEqualTo(200);
      assertThat(copies.get(0).sample()).hasSize(2);
      assertThat(lines(plan.steps(RevertSet.RESTORE_FIRST).get(0).manifest().file()))
          .containsExactly("photos,p/cold,c1");
      assertThat(lines(plan.steps(RevertSet.PERMANENTLY_DELETED).get(0).manifest().file()))
          .containsExactly("photos,p/gone,g1");
      assertThat(lines(plan.steps(RevertSet.TAGS_CHANGED).get(0).manifest().file()))
          .containsExactly("photos,p/tags,t1");

      // and the undo manifests return to the state before the revert
      Step hide = plan.steps(RevertSet.HIDE).get(0);
      assertThat(hide.undo())
          .singleElement()
          .satisfies(
              u -> {
                assertThat(u.action()).isEqualTo(UndoAction.REMOVE_MARKERS);
                assertThat(u.completedAfterRun()).isTrue();
                assertThat(lines(u.manifest().file()))
                    .containsExactly("photos,p/new", "photos,p/wasdeleted");
              });
      assertThat(lines(plan.steps(RevertSet.REMOVE_MARKERS).get(0).undo().get(0).manifest().file()))
          .containsExactly("photos,p/deleted", "photos,p/deleted2");
      List<RevertPlan.Undo> copyUndo = copies.get(1).undo();
      assertThat(copyUndo)
          .extracting(RevertPlan.Undo::action)
          .containsExactly(UndoAction.COPY_BACK, UndoAction.ADD_MARKERS);
      assertThat(lines(copyUndo.get(0).manifest().file()))
          .containsExactly("photos,p/over,v2", "photos,p/purged,u3");
      assertThat(lines(copyUndo.get(1).manifest().file())).containsExactly("photos,p/overdel");
    }
  }

  @Test
  void theStateAtTIsEveryKeyLiveThenUnderThePrefix() throws Exception {
    // given
    try (TestWarehouse tables = scenario("");
        EmbeddedEngine engine = new EmbeddedEngine(tables.warehouse())) {
      // when
      var state = RevertVerifier.stateAt(engine, "photos", T, Optional.of("p/"));

      // then
      assertThat(state)
          .containsOnlyKeys(
              "p/old",
              "p/deleted",
              "p/deleted2",
              "p/over",
              "p/overdel",
              "p/cold",
              "p/gone",
              "p/tags",
              "p/purged");
      assertThat(state.get("p/purged"))
          .extracting(RevertVerifier.Expected::versionId, RevertVerifier.Expected::eTag)
          .containsExactly("u1", "etag-u1");
    }
  }

  @Test
  void refusesABucketWithUnversionedObjects() throws Exception {
    // given
    try (TestWarehouse tables =
            scenario(
                ", ('p/plain', 'CREATE', '2026-06-01 10:00:00', NULL, NULL, NULL, NULL, NULL)");
        EmbeddedEngine engine = new EmbeddedEngine(tables.warehouse())) {
      // when / then
      assertThatThrownBy(
              () -> RevertPlanner.plan(engine, "photos", T, Optional.of("p/"), dir.resolve("r")))
          .isInstanceOf(QuarryException.class)
          .hasMessageContaining("1 version(s) without a version id under p/");
    }
  }

  private static List<String> lines(Path file) throws Exception {
    return Files.readAllLines(file);
  }
}
