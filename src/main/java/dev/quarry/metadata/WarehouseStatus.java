package dev.quarry.metadata;

import static java.util.Objects.requireNonNull;

import dev.quarry.config.Redact;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.duckdb.DuckDBConnection;

/** What the warehouse holds: per namespace, row counts and the last refresh and import. */
public final class WarehouseStatus {
  private WarehouseStatus() {}

  /**
   * @param lastRefresh null when never refreshed (e.g. only imported)
   */
  public record NamespaceStatus(
      String namespace,
      long inventoryRows,
      long journalRows,
      int journalFiles,
      Instant lastRefresh,
      Instant lastImport,
      String endpoint) {
    public NamespaceStatus {
      requireNonNull(namespace, "namespace is null");
    }
  }

  public static List<NamespaceStatus> of(Warehouse warehouse) {
    List<NamespaceStatus> result = new ArrayList<>();
    try (DuckDBConnection db = DuckDb.open(null)) {
      for (String namespace : warehouse.namespaces()) {
        List<Path> journal = warehouse.parquetFiles(namespace, MetadataTables.JOURNAL);
        Optional<RefreshState> state = RefreshState.read(warehouse.stateFile(namespace));
        result.add(
            new NamespaceStatus(
                namespace,
                count(db, warehouse.parquetFiles(namespace, MetadataTables.INVENTORY)),
                count(db, journal),
                journal.size(),
                state.map(RefreshState::lastRefresh).orElse(null),
                state.map(RefreshState::lastImport).orElse(null),
                // a state written before endpoints were redacted may hold credentials
                state.map(RefreshState::endpoint).map(Redact::endpoint).orElse(null)));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("DuckDB failed reading " + warehouse.root(), e);
    }
    return result;
  }

  private static long count(DuckDBConnection db, List<Path> files) throws SQLException {
    if (files.isEmpty()) {
      return 0;
    }
    try (Statement statement = db.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT count(*) FROM read_parquet(["
                    + String.join(", ", files.stream().map(DuckDb::literal).toList())
                    + "])")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
