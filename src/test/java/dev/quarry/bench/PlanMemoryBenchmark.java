package dev.quarry.bench;

import dev.quarry.app.PlanResult;
import dev.quarry.app.PlanRun;
import dev.quarry.manifest.ManifestWriter;
import dev.quarry.playbook.Playbook;
import dev.quarry.playbook.PlaybookLoader;
import dev.quarry.query.BoundQuery;
import dev.quarry.query.ObjectRow;
import dev.quarry.query.QueryEngine;
import dev.quarry.query.TaskIdentity;
import dev.quarry.query.embedded.EmbeddedEngine;
import dev.quarry.testing.TestWarehouse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Shows that a plan's Java heap does not grow with the number of objects: a plan of 200,000 and of
 * 2,000,000 inventory rows through the real DuckDB engine and manifest writer, against a baseline
 * measured in the same run that collects the rows in a list before writing them (what a
 * non-streaming implementation does). Live heap is sampled after a full GC every 50 ms.
 *
 * <p>Run with {@code bin/benchmark}. Not a test: it asserts nothing and prints its figures.
 */
public final class PlanMemoryBenchmark {
  private static final long SMALL = 200_000;
  private static final long LARGE = 2_000_000;

  private PlanMemoryBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("quarry-bench-");
    Playbook playbook =
        new PlaybookLoader()
            .load(
                dir.resolve("bench.yaml"),
                """
                name: bench
                query: SELECT bucket, key, version_id, size, storage_class FROM inventory
                action: { type: put-tags, tags: { bench: "yes" } }
                """)
            .orThrow();
    System.out.printf(
        Locale.ROOT,
        "%-10s %12s %16s %18s %12s%n",
        "rows",
        "plan MiB",
        "plan rows/s",
        "baseline MiB",
        "baseline/plan");
    double[] streaming = new double[2];
    double[] collected = new double[2];
    long[] sizes = {SMALL, LARGE};
    for (int i = 0; i < sizes.length; i++) {
      Path warehouse = dir.resolve("warehouse-" + sizes[i]);
      write(warehouse, sizes[i]);
      long start = System.nanoTime();
      streaming[i] = LiveHeap.maxMiB(() -> plan(warehouse, dir, playbook));
      double seconds = (System.nanoTime() - start) / 1e9;
      collected[i] = LiveHeap.maxMiB(() -> collectThenWrite(warehouse, dir));
      System.out.printf(
          Locale.ROOT,
          "%-10d %12.1f %16.0f %18.1f %12.1f%n",
          sizes[i],
          streaming[i],
          sizes[i] / seconds,
          collected[i],
          collected[i] / streaming[i]);
    }
    System.out.printf(
        Locale.ROOT,
        "heap growth from %,d to %,d rows (x%d): plan x%.2f, baseline x%.2f%n",
        SMALL,
        LARGE,
        LARGE / SMALL,
        streaming[1] / streaming[0],
        collected[1] / collected[0]);
  }

  private static void write(Path warehouse, long rows) throws Exception {
    try (TestWarehouse tables = new TestWarehouse(warehouse)) {
      tables.inventory(
          "b_bench",
          "SELECT 'bench' AS bucket, 'camera/' || (i % 1000) || '/img-' || i || '.jpg' AS key,"
              + " md5(i::VARCHAR) AS version_id, lpad(i::VARCHAR, 20, '0') AS sequence_number,"
              + " i % 100000 AS size, CASE WHEN i % 3 = 0 THEN 'GLACIER' ELSE 'STANDARD' END"
              + " AS storage_class FROM range("
              + rows
              + ") t(i)");
    }
  }

  private static void plan(Path warehouse, Path dir, Playbook playbook) {
    try (QueryEngine engine = new EmbeddedEngine(new dev.quarry.metadata.Warehouse(warehouse))) {
      PlanResult result =
          new PlanRun(engine, dir.resolve("manifests"), Clock.systemUTC()).plan(playbook, Map.of());
      if (result.objects() == 0) {
        throw new IllegalStateException("the plan selected nothing");
      }
    }
  }

  /** The baseline: every row in memory first, then the manifest. */
  private static void collectThenWrite(Path warehouse, Path dir) {
    List<ObjectRow> rows = new ArrayList<>();
    try (QueryEngine engine = new EmbeddedEngine(new dev.quarry.metadata.Warehouse(warehouse))) {
      engine.objects(
          BoundQuery.of("SELECT bucket, key, version_id FROM inventory"),
          TaskIdentity.BUCKET_KEY_VERSION,
          rows::add);
    }
    try (ManifestWriter writer = ManifestWriter.open(dir.resolve("baseline.csv"), true)) {
      rows.forEach(writer::write);
      writer.finish();
    }
  }
}
