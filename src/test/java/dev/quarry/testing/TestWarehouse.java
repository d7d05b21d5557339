package dev.quarry.testing;

import dev.quarry.metadata.MetadataTables;
import dev.quarry.metadata.Warehouse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Writes metadata tables as real Parquet files with DuckDB's {@code COPY ... TO}, as the warehouse
 * holds them. Each table is given as a SELECT naming some of the table's columns; the others are
 * NULL, with AWS's types.
 */
public final class TestWarehouse implements AutoCloseable {
  private final Warehouse warehouse;
  private final Connection connection;
  private int files;

  public TestWarehouse(Path root) throws SQLException {
    this.warehouse = new Warehouse(root);
    this.connection = DriverManager.getConnection("jdbc:duckdb:");
  }

  public Warehouse warehouse() {
    return warehouse;
  }

  public TestWarehouse inventory(String namespace, String select) throws Exception {
    return write(namespace, MetadataTables.INVENTORY, select);
  }

  public TestWarehouse journal(String namespace, String select) throws Exception {
    return write(namespace, MetadataTables.JOURNAL, select);
  }

  private TestWarehouse write(String namespace, String table, String select) throws Exception {
    Path dir = warehouse.tableDir(namespace, table);
    Files.createDirectories(dir);
    Set<String> given = new HashSet<>();
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("DESCRIBE " + select)) {
      while (rs.next()) {
        given.add(rs.getString("column_name"));
      }
    }
    String projection =
        MetadataTables.columns(table).stream()
            .map(
                c ->
                    (given.contains(c.name()) ? "\"" + c.name() + "\"" : "NULL")
                        + "::"
                        + c.type()
                        + " AS \""
                        + c.name()
                        + "\"")
            .collect(Collectors.joining(", "));
    Path file = dir.resolve(String.format("part-%04d.parquet", files++));
    try (Statement s = connection.createStatement()) {
      s.execute(
          "COPY (SELECT "
              + projection
              + " FROM ("
              + select
              + ")) TO '"
              + file.toString().replace("'", "''")
              + "' (FORMAT parquet)");
    }
    return this;
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}
