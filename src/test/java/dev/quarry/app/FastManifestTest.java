package dev.quarry.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.manifest.StorageClassFile;
import dev.quarry.metadata.MetadataImporter;
import dev.quarry.metadata.Warehouse;
import dev.quarry.playbook.Playbook;
import dev.quarry.playbook.PlaybookLoader;
import dev.quarry.query.BoundQuery;
import dev.quarry.query.ManifestRequest;
import dev.quarry.query.ObjectRow;
import dev.quarry.query.Selection;
import dev.quarry.query.SelectionSummary;
import dev.quarry.query.TaskIdentity;
import dev.quarry.query.embedded.EmbeddedEngine;
import dev.quarry.testing.ForwardingEngine;
import dev.quarry.testing.TestWarehouse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The embedded engine's own manifest (COPY ... TO, the key-encoding macro, totals in SQL) against
 * the rows streamed through ManifestWriter and PlanStats, on a real DuckDB over hostile keys.
 */
class FastManifestTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-12-01T12:00:00Z"), ZoneOffset.UTC);

  /** Keys S3 allows that a CSV or a percent-encoder gets wrong, each in its own prefix or none. */
  private static final String INVENTORY =
      "SELECT * FROM (VALUES"
          + " ('photos', 'a b/space.jpg', 'v1', 10, 'STANDARD', 'AES256'),"
          + " ('photos', 'plus+sign', NULL, 20, 'GLACIER', 'AES256'),"
          + " ('photos', '100%/literal%2F.txt', 'v3', NULL, NULL, 'AES256'),"
          + " ('photos', 'comma,dir/x,y', 'v4', 40, 'STANDARD', 'AES256'),"
          + " ('photos', 'quote\"d/''single''', NULL, 50, 'DEEP_ARCHIVE', 'AES256'),"
          + " ('photos', 'line' || chr(10) || 'break/cr' || chr(13) || 'end', 'v6', 60,"
          + " 'STANDARD', 'AES256'),"
          + " ('photos', '\uD83D\uDE00/emoji-\uD83C\uDF0D-é', 'v7', 70, 'GLACIER', 'AES256'),"
          + " ('photos', repeat('k', 1024), NULL, 80, 'STANDARD', 'AES256'),"
          + " ('photos', 'deep/a/b/c~d_e.f-g', 'v9', 90, 'STANDARD', 'AES256'),"
          + " ('photos', '#hash/ tab\t', 'v10', 100, 'STANDARD', 'AES256'),"
          + " ('other', 'deep/again', 'x.Y_z', 5, 'STANDARD', 'AES256'),"
          + " ('photos', 'kms/skipped', 'v12', 1, 'STANDARD', 'SSE-KMS'))"
          + " t(bucket, key, version_id, size, storage_class, encryption_status)";

  /** Each key named twice, and once more at another version: the engine removes duplicates. */
  private static final String JOURNAL =
      "SELECT bucket, key, version_id, sequence_number FROM (SELECT *, row_number() OVER () AS n"
          + " FROM ("
          + INVENTORY
          + ")), (VALUES (1), (2)) r(copy),"
          + " LATERAL (SELECT lpad(CAST(copy * 100 + n AS VARCHAR), 6, '0') AS sequence_number)";

  @TempDir static Path dir;
  private static TestWarehouse tables;

  @BeforeAll
  static void warehouse() throws Exception {
    tables = new TestWarehouse(dir.resolve("warehouse"));
    tables.inventory("b_photos", INVENTORY).journal("b_photos", JOURNAL);
  }

  @AfterAll
  static void close() throws Exception {
    tables.close();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "SELECT bucket, key, version_id, size, storage_class FROM inventory"
            + " WHERE encryption_status NOT IN ('SSE-KMS', 'DSSE-KMS')",
        "SELECT bucket, key FROM inventory WHERE encryption_status NOT IN ('SSE-KMS', 'DSSE-KMS')",
        "SELECT bucket, key, version_id FROM inventory",
        "SELECT bucket, key, version_id FROM journal ORDER BY sequence_number",
        "SELECT bucket, key FROM journal ORDER BY sequence_number DESC",
        "SELECT bucket, key, size, storage_class FROM inventory WHERE size > 1000",
        // a bucket the engine's CSV would quote otherwise: the streaming path writes it
        "SELECT 'odd,bucket' AS bucket, key FROM inventory",
        // size and class known, duplicates present: de-duplicated after the count shows them
        "SELECT j.bucket, j.key, i.size, i.storage_class FROM journal j JOIN inventory i"
            + " ON i.bucket = j.bucket AND i.key = j.key ORDER BY j.sequence_number",
        // carried through a plain scan under a two-part name, versions included
        "SELECT bucket, key, version_id FROM \"b_photos\".inventory WHERE size > 0 ORDER BY key",
        // a computed key is not the row's object: size and class are joined, not carried
        "SELECT bucket, 'copy/' || key AS key FROM inventory",
        "SELECT bucket, key FROM inventory i WHERE i.size > 15"
      })
  void enginesManifestIsByteIdenticalToTheStreamedOneWithEqualTotals(String sql) throws Exception {
    // given
    Playbook playbook = playbook(sql);

    // when
    PlanResult fast;
    PlanResult streamed;
    try (EmbeddedEngine engine = new EmbeddedEngine(tables.warehouse())) {
      fast = new PlanRun(engine, dir.resolve("fast"), CLOCK).plan(playbook, Map.of());
      streamed =
          new PlanRun(ForwardingEngine.streamingOnly(engine), dir.resolve("streamed"), CLOCK)
              .plan(playbook, Map.of());
    }

    // then
    assertThat(Files.readAllBytes(Path.of(fast.manifest().file())))
        .isEqualTo(Files.readAllBytes(Path.of(streamed.manifest().file())));
    assertThat(fast.manifest().etag()).isEqualTo(streamed.manifest().etag());
    assertThat(fast.manifest().bytes()).isEqualTo(streamed.manifest().bytes());
    assertThat(fast.manifest().rows()).isEqualTo(streamed.manifest().rows());
    assertThat(fast.objects()).isEqualTo(streamed.objects());
    assertThat(fast.duplicatesRemoved()).isEqualTo(streamed.duplicatesRemoved());
    assertThat(fast.bytes()).isEqualTo(streamed.bytes());
    assertThat(fast.unknownSizes()).isEqualTo(streamed.unknownSizes());
    assertThat(fast.storageClasses()).isEqualTo(streamed.storageClasses());
    assertThat(fast.topPrefixes()).isEqualTo(streamed.topPrefixes());
    assertThat(fast.buckets()).isEqualTo(streamed.buckets());
    assertThat(fast.sample()).isEqualTo(streamed.sample());
    assertThat(fast.overCopyLimit()).isEqualTo(streamed.overCopyLimit());
    // the review reads either file the same way: DuckDB writes it as the streamed path does
    assertThat(Files.readAllBytes(StorageClassFile.beside(Path.of(fast.manifest().file()))))
        .isEqualTo(
            Files.readAllBytes(StorageClassFile.beside(Path.of(streamed.manifest().file()))));
    assertThat(dir.resolve("fast").resolve("fast-manifest"))
        .isDirectoryNotContaining("glob:**/.manifest-*");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "SELECT bucket, key FROM journal ORDER BY sequence_number",
        "SELECT j.bucket, j.key, i.size, i.storage_class FROM journal j JOIN inventory i"
            + " ON i.bucket = j.bucket AND i.key = j.key ORDER BY j.sequence_number",
        "SELECT bucket, key FROM inventory",
        "SELECT bucket, key, size, storage_class FROM inventory"
      })
  void duplicatesAreRemovedWhereThereAreSomeOnEveryPath(String sql) throws Exception {
    // given: the journal names each key twice, the inventory once
    boolean fromJournal = sql.contains("journal");
    Path file = dir.resolve("dedup-" + Integer.toHexString(sql.hashCode()) + ".csv");

    // when
    Optional<SelectionSummary> summary;
    try (EmbeddedEngine engine = new EmbeddedEngine(tables.warehouse())) {
      summary =
          engine.writeManifest(
              new BoundQuery(sql, Map.of()),
              new ManifestRequest(
                  file, TaskIdentity.BUCKET_KEY, 10_000, "(other)", "(unknown)", 5));
    }

    // then: one line per task, first rows first, sizes from the inventory either way
    assertThat(summary).isPresent();
    assertThat(summary.get().selection()).isEqualTo(new Selection(12, fromJournal ? 12 : 0));
    assertThat(summary.get().bytes()).isEqualTo(526);
    assertThat(Files.readString(file)).startsWith("photos,a%20b/space.jpg\nphotos,plus%2Bsign\n");
  }

  @org.junit.jupiter.api.Test
  void aVersionedInventoryKeepsTheCurrentVersionsSizeAndClass() throws Exception {
    // given: key k has an older STANDARD version the query selects and a newer GLACIER one
    Path root = dir.resolve("versioned");
    try (TestWarehouse versioned = new TestWarehouse(root.resolve("warehouse"))) {
      versioned.inventory(
          "b_vers",
          "SELECT * FROM (VALUES ('vers', 'k', 'v1', '000001', 10, 'STANDARD'),"
              + " ('vers', 'k', 'v2', '000002', 20, 'GLACIER'),"
              + " ('vers', 'solo', 'v9', '000003', 5, 'STANDARD'))"
              + " t(bucket, key, version_id, sequence_number, size, storage_class)");
      Playbook playbook = playbook("SELECT bucket, key FROM inventory WHERE version_id <> 'v2'");

      // when
      PlanResult fast;
      PlanResult streamed;
      try (EmbeddedEngine engine = new EmbeddedEngine(versioned.warehouse())) {
        fast = new PlanRun(engine, root.resolve("fast"), CLOCK).plan(playbook, Map.of());
        streamed =
            new PlanRun(ForwardingEngine.streamingOnly(engine), root.resolve("streamed"), CLOCK)
                .plan(playbook, Map.of());
      }

      // then: the action meets k's current version, so its size and class stand, not v1's
      assertThat(fast.bytes()).isEqualTo(25).isEqualTo(streamed.bytes());
      assertThat(fast.storageClasses()).isEqualTo(streamed.storageClasses());
      assertThat(fast.sample())
          .extracting(ObjectRow::key, ObjectRow::size, ObjectRow::storageClass)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("k", 20L, "GLACIER"),
              org.assertj.core.groups.Tuple.tuple("solo", 5L, "STANDARD"));
    }
  }

  /** Key k at two versions, the newer one current and in another class. */
  private static final String VERSIONED =
      "SELECT * FROM (VALUES ('vers', 'k', 'v1', '000001', 10, 'STANDARD'),"
          + " ('vers', 'k', 'v2', '000002', 20, 'GLACIER'),"
          + " ('vers', 'solo', 'v9', '000003', 5, 'STANDARD'))"
          + " t(bucket, key, version_id, sequence_number, size, storage_class)";

  @org.junit.jupiter.api.Test
  void anImportedVersionedInventoryIsStillCheckedAndKeepsTheCurrentVersionsSize() throws Exception {
    // given: the versioned inventory imported, so its state records two rows for k
    Path root = dir.resolve("imported-versioned");
    Warehouse warehouse = imported(root, "vers", VERSIONED);
    Playbook playbook = playbook("SELECT bucket, key FROM inventory WHERE version_id <> 'v2'");

    // when
    PlanResult fast;
    try (EmbeddedEngine engine = new EmbeddedEngine(warehouse)) {
      fast = new PlanRun(engine, root.resolve("fast"), CLOCK).plan(playbook, Map.of());
    }

    // then: the selected-rows check still ran and refused to carry v1's size and class
    assertThat(fast.sample())
        .extracting(ObjectRow::key, ObjectRow::size, ObjectRow::storageClass)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("k", 20L, "GLACIER"),
            org.assertj.core.groups.Tuple.tuple("solo", 5L, "STANDARD"));
  }

  @org.junit.jupiter.api.Test
  void anInventoryRecordedAsOneRowPerKeyIsCarriedWithoutTheSelectedRowsCheck() throws Exception {
    // given: a state that says one row per key over files that (wrongly) hold two rows for k:
    // what the plan shows then tells whether the engine trusted the fact or checked the rows
    Path root = dir.resolve("recorded-unique");
    try (TestWarehouse versioned = new TestWarehouse(root.resolve("warehouse"))) {
      versioned.inventory("b_vers", VERSIONED);
      new dev.quarry.metadata.RefreshState(
              "vers",
              "b_vers",
              null,
              null,
              CLOCK.instant(),
              0,
              1,
              List.of("part-0000.parquet"),
              List.of(),
              true)
          .write(versioned.warehouse().stateFile("b_vers"));
      Playbook playbook = playbook("SELECT bucket, key FROM inventory WHERE version_id <> 'v2'");

      // when
      PlanResult fast;
      try (EmbeddedEngine engine = new EmbeddedEngine(versioned.warehouse())) {
        fast = new PlanRun(engine, root.resolve("fast"), CLOCK).plan(playbook, Map.of());
      }

      // then: v1's own size and class, carried without the semi-join against the inventory
      assertThat(fast.sample())
          .extracting(ObjectRow::key, ObjectRow::size, ObjectRow::storageClass)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("k", 10L, "STANDARD"),
              org.assertj.core.groups.Tuple.tuple("solo", 5L, "STANDARD"));
    }
  }

  @org.junit.jupiter.api.Test
  void aPlainScanWithSizeAndClassOfAnInventoryRecordedOneRowPerKeyIsNotCountedForDuplicates()
      throws Exception {
    // given: a state that says one row per key over files that (wrongly) hold two rows for k:
    // whether the plan removes a duplicate tells whether the engine trusted the fact or counted
    Path root = dir.resolve("recorded-unique-known");
    try (TestWarehouse versioned = new TestWarehouse(root.resolve("warehouse"))) {
      versioned.inventory("b_vers", VERSIONED);
      new dev.quarry.metadata.RefreshState(
              "vers",
              "b_vers",
              null,
              null,
              CLOCK.instant(),
              0,
              1,
              List.of("part-0000.parquet"),
              List.of(),
              true)
          .write(versioned.warehouse().stateFile("b_vers"));
      Playbook playbook = playbook("SELECT bucket, key, size, storage_class FROM inventory");

      // when
      PlanResult fast;
      try (EmbeddedEngine engine = new EmbeddedEngine(versioned.warehouse())) {
        fast = new PlanRun(engine, root.resolve("fast"), CLOCK).plan(playbook, Map.of());
      }

      // then: every row as the query returned it, without the count of distinct tasks
      assertThat(fast.objects()).isEqualTo(3);
      assertThat(fast.duplicatesRemoved()).isZero();
      assertThat(fast.sample())
          .extracting(ObjectRow::key, ObjectRow::size)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("k", 10L),
              org.assertj.core.groups.Tuple.tuple("k", 20L),
              org.assertj.core.groups.Tuple.tuple("solo", 5L));
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "SELECT bucket, key FROM inventory WHERE encryption_status NOT IN ('SSE-KMS', 'DSSE-KMS')",
        "SELECT bucket, key, version_id FROM \"s3tablescatalog/aws-s3\".\"b_photos\".inventory",
        "SELECT bucket, key FROM b_photos.inventory WHERE size > 15 ORDER BY key DESC",
        // size and class selected: no duplicates counted, the fact proves there are none
        "SELECT bucket, key, version_id, size, storage_class FROM inventory ORDER BY key"
      })
  void anImportedOneRowPerKeyInventoryGivesTheStreamedManifestByteForByte(String sql)
      throws Exception {
    // given: the hostile keys of one bucket imported, so the state records one row per key
    Path root = dir.resolve("imported-unique-" + Integer.toHexString(sql.hashCode()));
    Warehouse warehouse =
        imported(root, "photos", "SELECT * FROM (" + INVENTORY + ") WHERE bucket = 'photos'");
    Playbook playbook = playbook(sql);

    // when
    PlanResult fast;
    PlanResult streamed;
    try (EmbeddedEngine engine = new EmbeddedEngine(warehouse)) {
      fast = new PlanRun(engine, root.resolve("fast"), CLOCK).plan(playbook, Map.of());
      streamed =
          new PlanRun(ForwardingEngine.streamingOnly(engine), root.resolve("streamed"), CLOCK)
              .plan(playbook, Map.of());
    }

    // then
    assertThat(Files.readAllBytes(Path.of(fast.manifest().file())))
        .isEqualTo(Files.readAllBytes(Path.of(streamed.manifest().file())));
    assertThat(fast.objects()).isEqualTo(streamed.objects());
    assertThat(fast.bytes()).isEqualTo(streamed.bytes());
    assertThat(fast.storageClasses()).isEqualTo(streamed.storageClasses());
    assertThat(fast.sample()).isEqualTo(streamed.sample());
  }

  /**
   * The rows of one bucket written as an export and imported with {@code quarry metadata import}.
   */
  private static Warehouse imported(Path root, String bucket, String inventory) throws Exception {
    Path export;
    try (TestWarehouse scratch = new TestWarehouse(root.resolve("export"))) {
      scratch.inventory("b_x", inventory);
      export = scratch.warehouse().parquetFiles("b_x", "inventory").get(0);
    }
    Warehouse warehouse = new Warehouse(root.resolve("warehouse"));
    new MetadataImporter(warehouse, CLOCK).importTables(bucket, export, null);
    return warehouse;
  }

  @org.junit.jupiter.api.Test
  void everyVersionSelectedStillGivesTheCurrentVersionsSizeAndClassOnce() throws Exception {
    // given: both versions of k selected, the older first; only the selected rows are checked
    Path root = dir.resolve("all-versions");
    try (TestWarehouse versioned = new TestWarehouse(root.resolve("warehouse"))) {
      versioned.inventory(
          "b_vers",
          "SELECT * FROM (VALUES ('vers', 'k', 'v1', '000001', 10, 'STANDARD'),"
              + " ('vers', 'k', 'v2', '000002', 20, 'GLACIER'),"
              + " ('vers', 'solo', 'v9', '000003', 5, 'STANDARD'),"
              + " ('vers', 'other', 'v7', '000004', 7, 'STANDARD'),"
              + " ('vers', 'other', 'v8', '000005', 8, 'GLACIER'))"
              + " t(bucket, key, version_id, sequence_number, size, storage_class)");
      Playbook playbook =
          playbook("SELECT bucket, key FROM inventory WHERE key <> 'other' ORDER BY version_id");

      // when
      PlanResult fast;
      PlanResult streamed;
      try (EmbeddedEngine engine = new EmbeddedEngine(versioned.warehouse())) {
        fast = new PlanRun(engine, root.resolve("fast"), CLOCK).plan(playbook, Map.of());
        streamed =
            new PlanRun(ForwardingEngine.streamingOnly(engine), root.resolve("streamed"), CLOCK)
                .plan(playbook, Map.of());
      }

      // then: k is one task, met at its current version; both paths agree byte for byte
      assertThat(fast.objects()).isEqualTo(2).isEqualTo(streamed.objects());
      assertThat(fast.duplicatesRemoved()).isEqualTo(1).isEqualTo(streamed.duplicatesRemoved());
      assertThat(fast.bytes()).isEqualTo(25).isEqualTo(streamed.bytes());
      assertThat(fast.sample())
          .extracting(ObjectRow::key, ObjectRow::size, ObjectRow::storageClass)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("k", 20L, "GLACIER"),
              org.assertj.core.groups.Tuple.tuple("solo", 5L, "STANDARD"));
      assertThat(Files.readAllBytes(Path.of(fast.manifest().file())))
          .isEqualTo(Files.readAllBytes(Path.of(streamed.manifest().file())));
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void theEngineWritesHostileKeysItself(boolean withVersionIds) throws Exception {
    // given
    BoundQuery query =
        new BoundQuery(
            "SELECT bucket, key" + (withVersionIds ? ", version_id" : "") + " FROM inventory",
            Map.of());
    Path file = dir.resolve("direct-" + withVersionIds + ".csv");

    // when
    Optional<SelectionSummary> summary;
    try (EmbeddedEngine engine = new EmbeddedEngine(tables.warehouse())) {
      summary =
          engine.writeManifest(
              query,
              new ManifestRequest(
                  file, TaskIdentity.of(withVersionIds), 10_000, "(other)", "(unknown)", 5));
    }

    // then: the fast path ran, not the fallback
    assertThat(summary).isPresent();
    assertThat(summary.get().selection()).isEqualTo(new Selection(12, 0));
    assertThat(Files.readString(file))
        .contains(withVersionIds ? "photos,100%25/literal%252F.txt,v3\n" : "photos,plus%2Bsign\n")
        .contains("line%0Abreak/cr%0Dend")
        .contains("%F0%9F%98%80/emoji-");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "SELECT bucket, key FROM inventory WHERE storage_class IS NOT NULL",
        "SELECT bucket, key, size, storage_class FROM inventory WHERE storage_class IS NOT NULL"
      })
  void aCopyInPlaceIsSplitByBucketAndTheClassTheEngineKnowsOnBothPaths(String sql)
      throws Exception {
    // given: a re-encryption that names no storage class
    Playbook playbook =
        new PlaybookLoader()
            .load(
                dir.resolve("split.yaml"),
                "name: split\nquery: |\n  "
                    + sql
                    + "\naction: { type: reencrypt, sse: AES256 }\n"
                    + "limits: { max-objects: 100, confirm: required }\n")
            .orThrow();

    // when
    PlanResult fast;
    PlanResult streamed;
    try (EmbeddedEngine engine = new EmbeddedEngine(tables.warehouse())) {
      fast = new PlanRun(engine, dir.resolve("split-fast"), CLOCK).plan(playbook, Map.of());
      streamed =
          new PlanRun(ForwardingEngine.streamingOnly(engine), dir.resolve("split-streamed"), CLOCK)
              .plan(playbook, Map.of());
    }

    // then: one job per bucket and class, archived objects left out, the same on both paths
    assertThat(fast.parts())
        .extracting(PlanResult.Part::name, PlanResult.Part::objects)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("other STANDARD", 1L),
            org.assertj.core.groups.Tuple.tuple("photos STANDARD", 7L));
    assertThat(fast.parts())
        .extracting(p -> p.operation().parameters().get("StorageClass").asText())
        .containsExactly("STANDARD", "STANDARD");
    assertThat(fast.leftOut())
        .extracting(PlanResult.LeftOut::storageClass, PlanResult.LeftOut::objects)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("DEEP_ARCHIVE", 1L),
            org.assertj.core.groups.Tuple.tuple("GLACIER", 2L));
    assertThat(fast.limitViolations()).isEmpty();
    for (int i = 0; i < fast.parts().size(); i++) {
      assertThat(Files.readAllBytes(Path.of(fast.parts().get(i).manifest())))
          .isEqualTo(Files.readAllBytes(Path.of(streamed.parts().get(i).manifest())));
      assertThat(fast.parts().get(i).etag()).isEqualTo(streamed.parts().get(i).etag());
    }
    assertThat(streamed.leftOut())
        .extracting(PlanResult.LeftOut::storageClass, PlanResult.LeftOut::bytes)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("DEEP_ARCHIVE", 50L),
            org.assertj.core.groups.Tuple.tuple("GLACIER", 90L));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "SELECT bucket, key FROM inventory WHERE storage_class IS NOT NULL",
        "SELECT bucket, key, version_id FROM inventory WHERE storage_class IS NOT NULL",
        "SELECT bucket, key, size, storage_class FROM inventory WHERE storage_class IS NOT NULL"
            + " ORDER BY key DESC"
      })
  void theEngineWritesTheSplitsPartsItselfByteIdenticalWithoutReadingTheQueryAgain(String sql)
      throws Exception {
    // given: a copy in place split by bucket and class over hostile keys, archived ones left out
    Playbook playbook =
        new PlaybookLoader()
            .load(
                dir.resolve("split-once.yaml"),
                "name: split-once\nquery: |\n  "
                    + sql
                    + "\naction: { type: reencrypt, sse: AES256 }\n"
                    + "limits: { max-objects: 100, confirm: required }\n")
            .orThrow();

    // when
    PlanResult fast;
    PlanResult streamed;
    java.util.concurrent.atomic.AtomicInteger streams =
        new java.util.concurrent.atomic.AtomicInteger();
    try (EmbeddedEngine engine = new EmbeddedEngine(tables.warehouse())) {
      fast =
          new PlanRun(
                  new ForwardingEngine(engine) {
                    // the queries streamed through the JVM row by row
                    @Override
                    public Selection objects(
                        BoundQuery query, TaskIdentity identity, Consumer<ObjectRow> sink) {
                      streams.incrementAndGet();
                      return super.objects(query, identity, sink);
                    }
                  },
                  dir.resolve("once-fast"),
                  CLOCK)
              .plan(playbook, Map.of());
      streamed =
          new PlanRun(ForwardingEngine.streamingOnly(engine), dir.resolve("once-streamed"), CLOCK)
              .plan(playbook, Map.of());
    }

    // then: the query ran once, inside the engine, and every file is the streamed path's
    assertThat(streams).hasValue(0);
    assertThat(fast.parts()).hasSize(2).hasSameSizeAs(streamed.parts());
    for (int i = 0; i < fast.parts().size(); i++) {
      PlanResult.Part f = fast.parts().get(i);
      PlanResult.Part s = streamed.parts().get(i);
      assertThat(f.name()).isEqualTo(s.name());
      assertThat(f.objects()).isEqualTo(s.objects());
      assertThat(f.bytes()).isEqualTo(s.bytes());
      assertThat(f.etag()).isEqualTo(s.etag());
      assertThat(f.action()).isEqualTo(s.action());
      assertThat(Path.of(f.manifest()).getParent().getFileName())
          .isEqualTo(Path.of(s.manifest()).getParent().getFileName());
      assertThat(Files.readAllBytes(Path.of(f.manifest())))
          .isEqualTo(Files.readAllBytes(Path.of(s.manifest())));
      assertThat(Files.readAllBytes(StorageClassFile.beside(Path.of(f.manifest()))))
          .isEqualTo(Files.readAllBytes(StorageClassFile.beside(Path.of(s.manifest()))));
    }
    assertThat(fast.leftOut()).hasSize(2).isEqualTo(rebased(streamed.leftOut(), fast, streamed));
    Path leftOut = Path.of(fast.manifestJson().getParent().toString(), "left-out", "manifest.csv");
    assertThat(Files.readAllBytes(leftOut))
        .isEqualTo(
            Files.readAllBytes(
                streamed.manifestJson().getParent().resolve("left-out").resolve("manifest.csv")));
    assertThat(fast.limitViolations()).isEqualTo(streamed.limitViolations()).isEmpty();
    assertThat(fast.manifestJson().getParent()).isDirectoryNotContaining("glob:**/split");
  }

  /** The streamed plan's left-out groups, their reasons naming the fast plan's folder instead. */
  private static List<PlanResult.LeftOut> rebased(
      List<PlanResult.LeftOut> groups, PlanResult to, PlanResult from) {
    String a = from.manifestJson().getParent().toString();
    String b = to.manifestJson().getParent().toString();
    return groups.stream()
        .map(
            l ->
                new PlanResult.LeftOut(
                    l.storageClass(), l.objects(), l.bytes(), l.reason().replace(a, b)))
        .toList();
  }

  private static Playbook playbook(String sql) {
    return new PlaybookLoader()
        .load(
            dir.resolve("fast-manifest.yaml"),
            "name: fast-manifest\nquery: |\n  "
                + sql
                + "\naction: { type: put-tags, tags: { checked: \"yes\" } }\n")
        .orThrow();
  }
}
