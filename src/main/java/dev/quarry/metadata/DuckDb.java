package dev.quarry.metadata;

import dev.quarry.io.DuckDbDriver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;
import org.duckdb.DuckDBConnection;

/** Embedded DuckDB as the metadata package uses it: nothing downloaded, timestamps in UTC. */
final class DuckDb {
  private DuckDb() {}

  /**
   * @param database a database file, or null for an in-memory database
   */
  static DuckDBConnection open(Path database) throws SQLException {
    Properties properties = new Properties();
    // the jar bundles parquet, json and icu; never fetch anything at run time
    properties.setProperty("autoinstall_known_extensions", "false");
    properties.setProperty("autoload_known_extensions", "false");
    String url = database == null ? "jdbc:duckdb:" : "jdbc:duckdb:" + database.toAbsolutePath();
    Connection connection = DuckDbDriver.connect(url, properties);
    try (Statement statement = connection.createStatement()) {
      // TIMESTAMP columns hold UTC; TIMESTAMPTZ values are converted with this zone
      statement.execute("SET TimeZone = 'UTC'");
    }
    return (DuckDBConnection) connection;
  }

  /**
   * Bounds what a writer's DuckDB may hold in memory: past {@code memoryLimit} (DuckDB's size
   * syntax, e.g. {@code 2GB}) it spills to {@code spill}, a folder of the writer's own, instead of
   * taking most of the machine (DuckDB's default is 80% of its memory) or spilling into the working
   * directory (an in-memory database's default).
   */
  static void bound(Connection connection, String memoryLimit, Path spill) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("SET memory_limit = " + literal(memoryLimit));
      statement.execute("SET temp_directory = " + literal(spill));
    }
  }

  /** A SQL string literal. */
  static String literal(String text) {
    return "'" + text.replace("'", "''") + "'";
  }

  static String literal(Path path) {
    return literal(path.toAbsolutePath().toString());
  }

  /** A quoted identifier. */
  static String identifier(String name) {
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }

  /** {@code "a" TYPE, "b" TYPE, ...} for a CREATE TABLE. */
  static String columnDefinitions(List<MetadataTables.Column> columns) {
    return columns.stream()
        .map(c -> identifier(c.name()) + " " + c.type())
        .collect(Collectors.joining(", "));
  }

  static String columnNames(List<MetadataTables.Column> columns) {
    return columns.stream().map(c -> identifier(c.name())).collect(Collectors.joining(", "));
  }

  /**
   * Writes {@code query}'s result as Parquet to {@code target}, all or nothing: a hidden temporary
   * file in the same folder (readers only see {@code *.parquet}), then an atomic rename that
   * replaces any file of that name.
   *
   * @return the number of rows written
   */
  static long copyToParquet(Connection connection, String query, Path target) throws SQLException {
    Path dir = target.getParent();
    Path temp =
        dir.resolve("." + target.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
    try {
      Files.createDirectories(dir);
      long rows;
      try (Statement statement = connection.createStatement()) {
        rows =
            statement.executeLargeUpdate(
                "COPY (" + query + ") TO " + literal(temp) + " (FORMAT parquet, COMPRESSION zstd)");
      }
      moveAtomically(temp, target);
      return rows;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException ignored) {
        // best effort: a hidden leftover is ignored by readers
      }
    }
  }

  static void moveAtomically(Path source, Path target) throws IOException {
    try {
      Files.move(
          source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException(
          "the file system of " + target.getParent() + " cannot rename atomically", e);
    }
  }
}
