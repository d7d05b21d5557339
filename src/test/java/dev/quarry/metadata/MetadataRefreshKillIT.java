package dev.quarry.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.sandbox.LocalS3Server;
import dev.quarry.testing.S3Servers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectVersion;
import software.amazon.awssdk.services.s3.model.Tag;

/**
 * A refresh process is killed with SIGKILL at each step of writing its tables; refreshing again
 * must leave exactly the tables (and the sequence counter) of a refresh that was never killed.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetadataRefreshKillIT {
  private static final LocalS3Server SERVER = S3Servers.moto();

  // shared by the tests: they start from the same refreshed warehouse
  @TempDir static Path dir;

  private final S3Client s3 = S3Servers.client(SERVER);
  private String bucket;

  /** The warehouse after a first refresh, with changes of every journal kind since. */
  private Path refreshedOnce;

  /** That warehouse refreshed once more, never killed. */
  private Path clean;

  @BeforeAll
  void refreshedOnceThenChangedThenRefreshedCleanly() {
    bucket = S3Servers.createVersionedBucket(s3, "kill");
    for (int i = 0; i < 12; i++) {
      put("k" + i, "first");
      if (i % 3 == 0) {
        put("k" + i, "second");
      }
    }
    s3.deleteObject(b -> b.bucket(bucket).key("k1"));
    refreshedOnce = dir.resolve("once");
    refresh(refreshedOnce);
    for (int i = 0; i < 4; i++) {
      put("k" + i, "third");
    }
    put("new", "x");
    s3.deleteObject(b -> b.bucket(bucket).key("k10"));
    ObjectVersion old =
        s3.listObjectVersions(b -> b.bucket(bucket).prefix("k3")).versions().stream()
            .filter(v -> v.key().equals("k3") && !v.isLatest())
            .findFirst()
            .orElseThrow();
    s3.deleteObject(b -> b.bucket(bucket).key("k3").versionId(old.versionId()));
    s3.putObjectTagging(
        b ->
            b.bucket(bucket)
                .key("k11")
                .tagging(t -> t.tagSet(Tag.builder().key("t").value("v").build())));
    clean = dir.resolve("clean");
    copyTree(refreshedOnce, clean);
    refresh(clean);
  }

  @ParameterizedTest
  @ValueSource(strings = {"journal-written", "inventory-written", "state-written"})
  void aRefreshKilledAtAnyStepThenRunAgainWritesWhatOneCleanRefreshWrites(String point)
      throws Exception {
    // given: a copy of the warehouse as the first refresh left it
    Path killed = dir.resolve("killed-" + point);
    copyTree(refreshedOnce, killed);

    // when: a refresh of the copy dies at the checkpoint, and the copy is refreshed again
    killAt(killed, point);
    refresh(killed);

    // then
    assertThat(journal(killed)).containsExactlyElementsOf(journal(clean)).isNotEmpty();
    assertThat(inventory(killed)).containsExactlyElementsOf(inventory(clean)).isNotEmpty();
    assertThat(lastSequence(killed)).isEqualTo(lastSequence(clean)).isPositive();
    assertNothingLeftOver(killed);
  }

  @Test
  void aFirstRefreshKilledBeforeItsCommitLeavesNoTableAndRunsAgainAsIfNeverStarted()
      throws Exception {
    // given
    Path killed = dir.resolve("first-killed");
    Path first = dir.resolve("first-clean");
    refresh(first);

    // when: killed with both table files written, before the state names them
    killAt(killed, "inventory-written");

    // then: readers see no table
    assertThat(new Warehouse(killed).namespaces()).isEmpty();

    // and when
    refresh(killed);

    // then
    assertThat(journal(killed)).containsExactlyElementsOf(journal(first)).isNotEmpty();
    assertThat(inventory(killed)).containsExactlyElementsOf(inventory(first)).isNotEmpty();
    assertThat(lastSequence(killed)).isEqualTo(lastSequence(first));
    assertNothingLeftOver(killed);
  }

  /** The table folders hold exactly the committed files, and no work folder is left. */
  private void assertNothingLeftOver(Path warehouse) throws IOException {
    Warehouse w = new Warehouse(warehouse);
    for (String table : List.of(MetadataTables.INVENTORY, MetadataTables.JOURNAL)) {
      try (Stream<Path> files = Files.list(w.tableDir(namespace(), table))) {
        assertThat(files.toList())
            .containsExactlyInAnyOrderElementsOf(w.parquetFiles(namespace(), table));
      }
    }
    try (Stream<Path> entries = Files.list(warehouse.resolve(namespace()))) {
      assertThat(entries.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder(".lock", "state.json", "inventory", "journal");
    }
  }

  private void killAt(Path warehouse, String point) throws Exception {
    Path marker = dir.resolve(warehouse.getFileName() + ".reached");
    Process process =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                RefreshKillMain.class.getName(),
                warehouse.toString(),
                SERVER.endpoint().toString(),
                bucket,
                point,
                marker.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve(warehouse.getFileName() + ".log").toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!Files.exists(marker)) {
      assertThat(process.isAlive()).as("child is running; see child.log").isTrue();
      assertThat(System.nanoTime()).as("child reached " + point).isLessThan(deadline);
      Thread.sleep(10);
    }
    process.destroyForcibly();
    assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
  }

  private void put(String key, String body) {
    s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(body));
  }

  private void refresh(Path warehouse) {
    new MetadataRefresher(
            new Warehouse(warehouse), s3, SERVER.endpoint().toString(), Clock.systemUTC())
        .refresh(bucket, 4, RefreshProgress.NONE);
  }

  private String namespace() {
    return MetadataTables.namespace(bucket);
  }

  /** The journal as readers see it; refresh-time stamps differ from run to run, so left out. */
  private List<Map<String, Object>> journal(Path warehouse) {
    return ParquetRows.query(
        "SELECT * REPLACE (CASE WHEN record_type = 'UPDATE_METADATA' OR is_delete_marker IS NULL"
            + " THEN NULL ELSE record_timestamp END AS record_timestamp) FROM "
            + files(warehouse, MetadataTables.JOURNAL)
            + " ORDER BY sequence_number, key, version_id");
  }

  private List<Map<String, Object>> inventory(Path warehouse) {
    return ParquetRows.query(
        "SELECT * FROM "
            + files(warehouse, MetadataTables.INVENTORY)
            + " ORDER BY key, version_id");
  }

  private String files(Path warehouse, String table) {
    List<Path> files = new Warehouse(warehouse).parquetFiles(namespace(), table);
    assertThat(files).isNotEmpty();
    return "read_parquet(["
        + files.stream().map(ParquetRows::path).collect(Collectors.joining(", "))
        + "])";
  }

  private long lastSequence(Path warehouse) {
    return RefreshState.read(new Warehouse(warehouse).stateFile(namespace()))
        .orElseThrow()
        .lastSequenceNumber();
  }

  private static void copyTree(Path from, Path to) {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path p : paths.sorted(Comparator.naturalOrder()).toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
