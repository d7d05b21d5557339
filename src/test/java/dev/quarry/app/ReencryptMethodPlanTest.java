package dev.quarry.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quarry.playbook.ActionSpec;
import dev.quarry.playbook.Limits;
import dev.quarry.playbook.Playbook;
import dev.quarry.playbook.ReportSpec;
import dev.quarry.query.embedded.EmbeddedEngine;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reencrypt's method over a real DuckDB inventory of every kind of object: UpdateObjectEncryption
 * for SSE-S3 and SSE-KMS objects not under Object Lock (archived ones too: it reads no data), a
 * copy in place or nothing for the others, each part saying why.
 */
class ReencryptMethodPlanTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-11-21T20:15:00Z"), ZoneOffset.UTC);
  private static final String ARN =
      "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

  /**
   * The metadata tables record no Object Lock state: the query says which object is locked, as a
   * query joining an S3 Inventory report's object_lock_mode would. Encryption, size and storage
   * class come from the inventory, which the query does not select.
   */
  private static final String QUERY =
      "SELECT bucket, key, CASE WHEN key = 'locked.txt' THEN 'COMPLIANCE' END AS object_lock_mode"
          + " FROM inventory ORDER BY key";

  @TempDir Path manifests;
  private TestWarehouse tables;

  @BeforeEach
  void inventory() throws Exception {
    tables = new TestWarehouse(Files.createTempDirectory(manifests, "warehouse"));
    tables.inventory(
        "b_vault",
        "SELECT * FROM (VALUES"
            + " ('vault', 'a-sse-s3.txt', '1', 10::BIGINT, 'STANDARD', 'SSE-S3', NULL),"
            + " ('vault', 'b-sse-kms.txt', '1', 20::BIGINT, 'STANDARD_IA', 'SSE-KMS',"
            + " 'arn:aws:kms:us-east-1:111122223333:key/old'),"
            + " ('vault', 'c-dsse.txt', '1', 30::BIGINT, 'STANDARD', 'DSSE-KMS', 'arn:x'),"
            + " ('vault', 'd-plain.txt', '1', 40::BIGINT, 'STANDARD', NULL, NULL),"
            + " ('vault', 'e-archived.txt', '1', 50::BIGINT, 'GLACIER', 'SSE-S3', NULL),"
            + " ('vault', 'f-sse-c.txt', '1', 60::BIGINT, 'DEEP_ARCHIVE', 'SSE-C', NULL),"
            + " ('vault', 'locked.txt', '1', 70::BIGINT, 'STANDARD', 'SSE-S3', NULL))"
            + " t(bucket, key, sequence_number, size, storage_class, encryption_status,"
            + " kms_key_arn)");
  }

  @org.junit.jupiter.api.AfterEach
  void close() throws Exception {
    tables.close();
  }

  @Test
  void autoUpdatesWhatItCanAndCopiesTheRestPerStorageClass() throws Exception {
    // when
    PlanResult plan = plan(reencrypt("auto", ARN));

    // then: one UpdateObjectEncryption job (the archived SSE-S3 object too), copies per class
    assertThat(plan.parts())
        .extracting(PlanResult.Part::name, p -> p.operation().name(), PlanResult.Part::objects)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("vault copy STANDARD", "S3PutObjectCopy", 3L),
            org.assertj.core.groups.Tuple.tuple(
                "vault update-encryption", "S3UpdateObjectEncryption", 3L));
    PlanResult.Part copy = plan.parts().get(0);
    PlanResult.Part update = plan.parts().get(1);
    assertThat(lines(update))
        .containsExactly("vault,a-sse-s3.txt", "vault,b-sse-kms.txt", "vault,e-archived.txt");
    assertThat(update.why())
        .startsWith("UpdateObjectEncryption: 1 SSE-KMS, 2 SSE-S3 to SSE-KMS")
        .contains("no data copied, no new version");
    assertThat(update.action().options().path("method").asText()).isEqualTo("update-encryption");
    assertThat(lines(copy))
        .containsExactly("vault,c-dsse.txt", "vault,d-plain.txt", "vault,locked.txt");
    assertThat(copy.why())
        .isEqualTo(
            "copy in place: UpdateObjectEncryption cannot change these (1 DSSE-KMS, 1 Object Lock,"
                + " 1 unencrypted or encryption unknown)");
    assertThat(copy.action().options().path("storage-class").asText()).isEqualTo("STANDARD");
    // the SSE-C object is in DEEP_ARCHIVE: a copy cannot read it
    assertThat(plan.leftOut())
        .singleElement()
        .satisfies(
            l -> {
              assertThat(l.storageClass()).isEqualTo("DEEP_ARCHIVE");
              assertThat(l.objects()).isEqualTo(1);
            });
    assertThat(plan.alternativeOperation()).isEmpty();
  }

  @Test
  void updateEncryptionLeavesOutWhatItCannotChangeWithTheReason() throws Exception {
    // when
    PlanResult plan = plan(reencrypt("update-encryption", ARN));

    // then
    assertThat(plan.parts())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.name()).isEqualTo("vault update-encryption");
              assertThat(p.operation().name()).isEqualTo("S3UpdateObjectEncryption");
              assertThat(lines(p))
                  .containsExactly(
                      "vault,a-sse-s3.txt", "vault,b-sse-kms.txt", "vault,e-archived.txt");
            });
    assertThat(plan.leftOut())
        .extracting(PlanResult.LeftOut::storageClass, PlanResult.LeftOut::objects)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("DSSE-KMS", 1L),
            org.assertj.core.groups.Tuple.tuple("SSE-C", 1L),
            org.assertj.core.groups.Tuple.tuple("Object Lock", 1L),
            org.assertj.core.groups.Tuple.tuple("unencrypted or encryption unknown", 1L));
    assertThat(plan.leftOut())
        .allSatisfy(
            l ->
                assertThat(l.reason())
                    .startsWith("UpdateObjectEncryption cannot change " + l.storageClass())
                    .contains("method: copy")
                    .contains("left-out/manifest.csv"));
    assertThat(plan.limitViolations()).isEmpty();
  }

  @Test
  void copyCopiesEveryReadableObjectPerStorageClass() throws Exception {
    // when
    PlanResult plan = plan(reencrypt("copy", ARN));

    // then: as before the method existed, and the no-copy operation only offered
    assertThat(plan.parts())
        .extracting(PlanResult.Part::name, PlanResult.Part::objects)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("vault STANDARD", 4L),
            org.assertj.core.groups.Tuple.tuple("vault STANDARD_IA", 1L));
    assertThat(plan.parts()).allSatisfy(p -> assertThat(p.why()).isEmpty());
    assertThat(plan.leftOut())
        .extracting(PlanResult.LeftOut::storageClass)
        .containsExactly("DEEP_ARCHIVE", "GLACIER");
    assertThat(plan.alternativeOperation().orElseThrow().name())
        .isEqualTo("S3UpdateObjectEncryption");
  }

  @Test
  void autoWithAKeyAliasCopiesEverythingAndSaysWhy() throws Exception {
    // when
    PlanResult plan = plan(reencrypt("auto", "alias/quarry"));

    // then
    assertThat(plan.parts())
        .allSatisfy(p -> assertThat(p.operation().name()).isEqualTo("S3PutObjectCopy"));
    assertThat(plan.parts())
        .allSatisfy(
            p ->
                assertThat(p.why())
                    .startsWith(
                        "copy in place: UpdateObjectEncryption takes only a full KMS key ARN"));
  }

  @Test
  void updateEncryptionRefusesSettingsItCannotApply() {
    // when / then: before any query runs
    assertThatThrownBy(() -> plan(reencrypt("update-encryption", "alias/quarry")))
        .hasMessageContaining("method update-encryption")
        .hasMessageContaining("full KMS key ARN");
  }

  @Test
  void anObjectOver5GbInAnyCopyJobRefusesTheRunWhateverJobComesFirst() throws Exception {
    // given: bucket a's objects all take UpdateObjectEncryption (its job sorts first), bucket b has
    // a DSSE-KMS object over 5 GB, which only a copy could re-encrypt
    try (TestWarehouse two = new TestWarehouse(Files.createTempDirectory(manifests, "two"))) {
      two.inventory(
          "b_vault",
          "SELECT * FROM (VALUES"
              + " ('a-vault', 'small.txt', '1', 10::BIGINT, 'STANDARD', 'SSE-S3', NULL),"
              + " ('b-vault', 'big.bin', '1', 6442450944::BIGINT, 'STANDARD', 'DSSE-KMS', 'arn:x'))"
              + " t(bucket, key, sequence_number, size, storage_class, encryption_status,"
              + " kms_key_arn)");
      Playbook playbook =
          new Playbook(
              Path.of("playbooks/reencrypt.yaml"),
              "reencrypt",
              "",
              Optional.empty(),
              QUERY,
              Map.of(),
              Optional.of(reencrypt("auto", ARN)),
              new Limits(OptionalLong.of(100), Limits.Confirm.REQUIRED),
              new ReportSpec(ReportSpec.Scope.ALL));

      // when
      PlanResult plan;
      try (EmbeddedEngine engine = new EmbeddedEngine(two.warehouse())) {
        plan = new PlanRun(engine, manifests, CLOCK).plan(playbook, Map.of());
      }

      // then
      assertThat(plan.parts())
          .extracting(p -> p.operation().name())
          .containsExactly("S3UpdateObjectEncryption", "S3PutObjectCopy");
      assertThat(plan.limitViolations()).anySatisfy(v -> assertThat(v).contains("over 5 GB"));
    }
  }

  private PlanResult plan(ActionSpec action) throws Exception {
    Playbook playbook =
        new Playbook(
            Path.of("playbooks/reencrypt.yaml"),
            "reencrypt",
            "",
            Optional.empty(),
            QUERY,
            Map.of(),
            Optional.of(action),
            new Limits(OptionalLong.of(100), Limits.Confirm.REQUIRED),
            new ReportSpec(ReportSpec.Scope.ALL));
    try (EmbeddedEngine engine = new EmbeddedEngine(tables.warehouse())) {
      return new PlanRun(engine, manifests, CLOCK).plan(playbook, Map.of());
    }
  }

  private static ActionSpec reencrypt(String method, String key) {
    ObjectNode options =
        JsonNodeFactory.instance
            .objectNode()
            .put("type", "reencrypt")
            .put("sse", "aws:kms")
            .put("kms-key", key)
            .put("method", method);
    return new ActionSpec("reencrypt", options);
  }

  private static List<String> lines(PlanResult.Part part) {
    try {
      return Files.readAllLines(Path.of(part.manifest()));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
