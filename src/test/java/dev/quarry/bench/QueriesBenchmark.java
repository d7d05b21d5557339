package dev.quarry.bench;

import dev.quarry.metadata.MetadataImporter;
import dev.quarry.metadata.MetadataTables;
import dev.quarry.metadata.Warehouse;
import dev.quarry.query.BoundQuery;
import dev.quarry.query.QueryEngine;
import dev.quarry.query.embedded.EmbeddedEngine;
import dev.quarry.testing.TestWarehouse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Issue 9, item 5: reference queries over a 10M-row inventory and a 10M-row journal, each run N
 * times on the embedded engine (loaded once, as a user's {@code quarry query} session would be),
 * beside the same question asked of plain DuckDB over the same Parquet files in the same process.
 * Both sides read every row of the result (Quarry through its row visitor, DuckDB through JDBC),
 * and their row counts must agree.
 *
 * <p>Arguments: the work folder (the tables are generated once and kept: the inventory is the one
 * {@code bin/benchmark manifest} makes, under {@code state-<rows>}; both are then imported with
 * {@code quarry metadata import}'s code into {@code imported-<rows>}, which is what is queried),
 * the row count, runs per query (0: prepare the tables only). Run with {@code bin/benchmark
 * queries}. Not a test: it prints its figures.
 */
public final class QueriesBenchmark {
  private QueriesBenchmark() {}

  private static final String BUCKET = "bench-data";

  /** The table's committed files as a DuckDB list literal. */
  private static String files(Warehouse warehouse, String namespace, String table) {
    return warehouse.parquetFiles(namespace, table).stream()
        .map(p -> "'" + p.toString().replace("'", "''") + "'")
        .collect(java.util.stream.Collectors.joining(", ", "[", "]"));
  }

  /** A reference query: Quarry's Trino text, and the same question in DuckDB's own dialect. */
  private record Case(String name, String trino, String duckdb) {}

  private static final List<Case> CASES =
      List.of(
          new Case(
              "selective tag + storage class",
              "SELECT bucket, key, version_id FROM inventory"
                  + " WHERE element_at(object_tags, 'weather') = 'sun'"
                  + " AND storage_class = 'GLACIER_IR' AND starts_with(key, 'images/raw/2024/03/')",
              "SELECT bucket, key, version_id FROM inv"
                  + " WHERE object_tags['weather'] = 'sun'"
                  + " AND storage_class = 'GLACIER_IR' AND starts_with(key, 'images/raw/2024/03/')"),
          new Case(
              "bytes by storage class",
              "SELECT storage_class, count(*) AS objects, sum(size) AS bytes FROM inventory"
                  + " GROUP BY storage_class",
              "SELECT storage_class, count(*) AS objects, sum(size) AS bytes FROM inv"
                  + " GROUP BY storage_class"),
          new Case(
              "deletes by requester in a window (journal)",
              "SELECT requester, count(*) AS deletes FROM journal WHERE record_type = 'DELETE'"
                  + " AND record_timestamp >= TIMESTAMP '2024-03-01 00:00:00'"
                  + " AND record_timestamp < TIMESTAMP '2024-04-01 00:00:00' GROUP BY requester",
              "SELECT requester, count(*) AS deletes FROM jrn WHERE record_type = 'DELETE'"
                  + " AND record_timestamp >= TIMESTAMP '2024-03-01 00:00:00'"
                  + " AND record_timestamp < TIMESTAMP '2024-04-01 00:00:00' GROUP BY requester"),
          new Case(
              "objects without an owner tag under a prefix",
              "SELECT key, size FROM inventory WHERE starts_with(key, 'logs/app/2024/01/')"
                  + " AND element_at(object_tags, 'owner') IS NULL AND cardinality(object_tags) > 0",
              "SELECT key, size FROM inv WHERE starts_with(key, 'logs/app/2024/01/')"
                  + " AND object_tags['owner'] IS NULL AND cardinality(object_tags) > 0"));

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args.length > 0 ? args[0] : "target/bench-manifest").toAbsolutePath();
    long rows = args.length > 1 ? Long.parseLong(args[1]) : 10_000_000L;
    int runs = args.length > 2 ? Integer.parseInt(args[2]) : 10;
    Path state = work.resolve("state-" + rows);
    // the export itself, kept: the unsorted layout is compared with (ManifestBenchmark's own
    // generation imports its export and deletes it)
    if (!Files.exists(state.resolve("generated-export"))) {
      ManifestBenchmark.deleteTree(state);
      ManifestBenchmark.export(state.resolve("warehouse"), rows);
      Files.createFile(state.resolve("generated-export"));
    }
    journal(state, rows);
    // the generated files stand for an export from AWS; the tables queried are what Quarry's own
    // import writes from them (the inventory sorted by key, as a refresh writes it too)
    Path raw = state.resolve("warehouse/b_bench");
    Path warehouse = work.resolve("imported-" + rows).resolve("warehouse");
    Path imported = warehouse.getParent().resolve("imported");
    if (!Files.exists(imported)) {
      ManifestBenchmark.deleteTree(warehouse.getParent());
      long t = System.nanoTime();
      MetadataImporter.ImportSummary summary =
          new MetadataImporter(new Warehouse(warehouse), Clock.systemUTC())
              .importTables(
                  BUCKET,
                  new Warehouse(state.resolve("warehouse"))
                      .parquetFiles("b_bench", "inventory")
                      .get(0),
                  raw.resolve("journal/part-0000.parquet"));
      System.out.printf(
          Locale.ROOT,
          "imported %,d inventory and %,d journal rows with quarry's import in %.1f s%n",
          summary.inventoryRows(),
          summary.journalRows(),
          (System.nanoTime() - t) / 1e9);
      Files.createFile(imported);
    }
    if (runs == 0) {
      // prepare only: generating and importing are not what is measured, and may run unlocked
      return;
    }
    String namespace = MetadataTables.namespace(BUCKET);
    System.out.printf(
        Locale.ROOT, "tables: %,d inventory rows, %,d journal rows in %s%n", rows, rows, warehouse);
    String inventory = files(new Warehouse(warehouse), namespace, MetadataTables.INVENTORY);
    String journal = files(new Warehouse(warehouse), namespace, MetadataTables.JOURNAL);
    long load = System.nanoTime();
    try (EmbeddedEngine engine =
            new EmbeddedEngine(new Warehouse(warehouse), Optional.of(namespace));
        // the layout before Quarry sorted its imports: the generated files as they are
        EmbeddedEngine unsorted =
            new EmbeddedEngine(new Warehouse(state.resolve("warehouse")), Optional.of("b_bench"));
        Connection duckdb = DriverManager.getConnection("jdbc:duckdb:")) {
      // warm both: the first query of each opens the files and reads their footers
      quarry(engine, "SELECT count(*) FROM inventory");
      quarry(engine, "SELECT count(*) FROM journal");
      quarry(unsorted, "SELECT count(*) FROM inventory");
      quarry(unsorted, "SELECT count(*) FROM journal");
      System.out.printf(
          Locale.ROOT, "engine opened and warmed in %.2f s%n", (System.nanoTime() - load) / 1e9);
      try (Statement s = duckdb.createStatement()) {
        s.execute("CREATE VIEW inv AS SELECT * FROM read_parquet(" + inventory + ")");
        s.execute("CREATE VIEW jrn AS SELECT * FROM read_parquet(" + journal + ")");
      }
      plain(duckdb, "SELECT count(*) FROM inv");
      plain(duckdb, "SELECT count(*) FROM jrn");
      System.out.printf(
          Locale.ROOT,
          "%-44s %8s %12s %12s %12s %8s %14s%n",
          "query (median of " + runs + ")",
          "rows",
          "quarry s",
          "duckdb s",
          "quarry p90",
          "ratio",
          "unsorted s");
      for (Case c : CASES) {
        double[] q = new double[runs];
        double[] d = new double[runs];
        double[] u = new double[runs];
        long unsortedRows = -1;
        long quarryRows = -1;
        long duckdbRows = -1;
        for (int i = 0; i < runs; i++) {
          // alternated, so that both sides meet the same machine
          long t0 = System.nanoTime();
          quarryRows = quarry(engine, c.trino());
          q[i] = (System.nanoTime() - t0) / 1e9;
          long t1 = System.nanoTime();
          duckdbRows = plain(duckdb, c.duckdb());
          d[i] = (System.nanoTime() - t1) / 1e9;
          long t2 = System.nanoTime();
          unsortedRows = quarry(unsorted, c.trino());
          u[i] = (System.nanoTime() - t2) / 1e9;
        }
        if (quarryRows != duckdbRows || quarryRows != unsortedRows) {
          throw new IllegalStateException(
              c.name()
                  + ": Quarry read "
                  + quarryRows
                  + " rows, DuckDB "
                  + duckdbRows
                  + ", Quarry over the unsorted files "
                  + unsortedRows);
        }
        double qm = median(q);
        double dm = median(d);
        System.out.printf(
            Locale.ROOT,
            "%-44s %,8d %12.3f %12.3f %12.3f %8.2f %14.3f%n",
            c.name(),
            quarryRows,
            qm,
            dm,
            percentile(q, 0.9),
            dm / qm,
            median(u));
      }
    }
  }

  /**
   * A journal of the inventory's keys: creates, metadata updates and deletes by a few requesters.
   */
  private static void journal(Path state, long rows) throws Exception {
    Path done = state.resolve("generated-journal");
    if (Files.exists(done)) {
      return;
    }
    try (TestWarehouse tables = new TestWarehouse(state.resolve("warehouse"))) {
      tables.journal(
          "b_bench",
          "SELECT 'bench-data' AS bucket,"
              + " 'logs/app/' || lpad(CAST(i AS VARCHAR), 9, '0') || '.json.gz' AS key,"
              + " lpad(CAST(i AS VARCHAR), 20, '0') AS sequence_number,"
              + " ['CREATE', 'CREATE', 'UPDATE_METADATA', 'DELETE'][1 + i % 4] AS record_type,"
              + " TIMESTAMP '2024-01-01' + to_seconds(CAST(i % 31536000 AS BIGINT))"
              + " AS record_timestamp,"
              + " md5(CAST(i AS VARCHAR))[1:32] AS version_id, i % 4 = 3 AS is_delete_marker,"
              + " CAST(hash(i) % 50000000 AS BIGINT) AS size,"
              + " ['arn:aws:iam::111122223333:role/etl', 'arn:aws:iam::111122223333:user/ana',"
              + " 's3.amazonaws.com', 'arn:aws:sts::111122223333:assumed-role/ops/bot'][1 + i % 7 % 4]"
              + " AS requester,"
              + " '10.0.' || CAST(i % 256 AS VARCHAR) || '.' || CAST(i % 7 AS VARCHAR)"
              + " AS source_ip_address"
              + " FROM range("
              + rows
              + ") t(i)");
    }
    Files.createFile(done);
  }

  private static long quarry(EmbeddedEngine engine, String sql) {
    long[] n = {0};
    engine.rows(
        new BoundQuery(sql, Map.of()),
        new QueryEngine.RowVisitor() {
          @Override
          public void columns(List<String> names) {}

          @Override
          public void row(List<Object> values) {
            n[0]++;
          }
        });
    return n[0];
  }

  private static long plain(Connection duckdb, String sql) throws Exception {
    long n = 0;
    try (Statement s = duckdb.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      int columns = rs.getMetaData().getColumnCount();
      List<Object> row = new ArrayList<>(columns);
      while (rs.next()) {
        row.clear();
        for (int i = 1; i <= columns; i++) {
          row.add(rs.getObject(i));
        }
        n++;
      }
    }
    return n;
  }

  private static double median(double[] values) {
    return percentile(values, 0.5);
  }

  private static double percentile(double[] values, double p) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  }
}
