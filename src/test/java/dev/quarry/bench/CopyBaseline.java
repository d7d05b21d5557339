package dev.quarry.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

/**
 * The baseline process of {@link ManifestBenchmark}: DuckDB's own {@code COPY (query) TO 'x.csv'}
 * through JDBC, as DuckDB's CLI would run it (the CLI is not installed here).
 *
 * <p>Arguments: the query (over {@code inventory}), the inventory's Parquet glob, the output file.
 */
public final class CopyBaseline {
  private CopyBaseline() {}

  public static void main(String[] args) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE VIEW inventory AS SELECT * FROM read_parquet('"
              + args[1].replace("'", "''")
              + "')");
      s.execute("COPY (" + args[0] + ") TO '" + args[2].replace("'", "''") + "' (HEADER false)");
    }
  }
}
