package dev.quarry.metadata;

import static java.util.Objects.requireNonNull;

import dev.quarry.config.QuarryConfig;
import dev.quarry.error.ErrorCode;
import dev.quarry.error.Problem;
import dev.quarry.error.ProblemsException;
import dev.quarry.error.QuarryException;
import dev.quarry.io.ProcessLock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.duckdb.DuckDBConnection;

/**
 * Loads S3 Metadata tables exported from AWS (e.g. Athena {@code UNLOAD ... WITH (format =
 * 'PARQUET')}) into the warehouse: the inventory replaces the local one, the journal is appended as
 * a new file. Both files are checked against {@link MetadataTables} before anything is written;
 * compatible types are converted (a timestamp with time zone to UTC, a narrower integer to bigint,
 * timestamps of other precisions to microseconds) and extra columns are left out.
 *
 * <p>AWS's sequence numbers are kept as they are; they order the records of one key within AWS's
 * data, but not against those of a later local refresh.
 */
public final class MetadataImporter {
  private static final DateTimeFormatter FILE_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);

  private static final Set<String> TIMESTAMPS =
      Set.of(
          "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS");
  private static final Set<String> INTEGERS =
      Set.of("BIGINT", "INTEGER", "SMALLINT", "TINYINT", "UINTEGER", "USMALLINT", "UTINYINT");

  private final Warehouse warehouse;
  private final Clock clock;
  private final String memoryLimit;

  public MetadataImporter(Warehouse warehouse, Clock clock) {
    this(warehouse, clock, QuarryConfig.Embedded.DEFAULTS.memoryLimit());
  }

  /**
   * @param memoryLimit the most DuckDB may hold while sorting the inventory (DuckDB's size syntax,
   *     the profile's {@code duckdb-memory-limit}); past it, the sort spills inside the warehouse
   */
  public MetadataImporter(Warehouse warehouse, Clock clock, String memoryLimit) {
    this.memoryLimit = requireNonNull(memoryLimit, "memoryLimit is null");
    this.warehouse = requireNonNull(warehouse, "warehouse is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  /**
   * What an import wrote.
   *
   * @param notes things worth knowing that did not stop the import, e.g. ignored columns
   */
  public record ImportSummary(
      String bucket,
      String namespace,
      Long inventoryRows,
      Long journalRows,
      String inventoryFile,
      String journalFile,
      List<String> notes) {
    public ImportSummary {
      requireNonNull(bucket, "bucket is null");
      requireNonNull(namespace, "namespace is null");
      notes = List.copyOf(notes);
    }
  }

  /**
   * @param inventory an inventory export, or null
   * @param journal a journal export, or null
   */
  public ImportSummary importTables(String bucket, Path inventory, Path journal) {
    MetadataRefresher.checkBucketName(bucket);
    if (inventory == null && journal == null) {
      throw QuarryException.user(
          ErrorCode.OPTION_INVALID, "nothing to import: give --inventory, --journal or both");
    }
    String namespace = MetadataTables.namespace(bucket);
    List<Problem> problems = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    try (DuckDBConnection db = DuckDb.open(null)) {
      String inventorySelect =
          inventory == null
              ? null
              : check(db, bucket, inventory, MetadataTables.INVENTORY_COLUMNS, problems, notes);
      String journalSelect =
          journal == null
              ? null
              : check(db, bucket, journal, MetadataTables.JOURNAL_COLUMNS, problems, notes);
      if (!problems.isEmpty()) {
        throw new ProblemsException(problems);
      }
      Path namespaceDir = warehouse.root().resolve(namespace);
      ProcessLock lock = MetadataRefresher.lockNamespace(namespaceDir);
      Path work = null;
      try {
        Instant now = clock.instant();
        RefreshState state = warehouse.beginWrite(namespace, bucket);
        // sorting 10M rows took 5.9 GB unbounded (docs/PERFORMANCE.md, section 5); a killed
        // import's work folder is a leftover the next write removes, as a refresh's is
        work = Files.createTempDirectory(namespaceDir, ".import-");
        DuckDb.bound(db, memoryLimit, work.resolve("spill"));
        long generation = state.generation() + 1;
        Long inventoryRows = null;
        Long journalRows = null;
        Path inventoryFile = null;
        Path journalFile = null;
        List<String> inventoryFiles = state.inventoryFiles();
        List<String> journalFiles = new ArrayList<>(state.journalFiles());
        // a journal alone leaves the inventory, and what is known of it, as it was
        Boolean oneRowPerKey = state.inventoryOneRowPerKey();
        if (journalSelect != null) {
          journalFile =
              warehouse
                  .tableDir(namespace, MetadataTables.JOURNAL)
                  .resolve(
                      "journal-" + FILE_TIME.format(now) + "-import-" + generation + ".parquet");
          journalRows = DuckDb.copyToParquet(db, journalSelect, journalFile);
          journalFiles.add(journalFile.getFileName().toString());
        }
        if (inventorySelect != null) {
          inventoryFile =
              warehouse
                  .tableDir(namespace, MetadataTables.INVENTORY)
                  .resolve(MetadataRefresher.inventoryFileName(generation));
          // in S3's listing order, as a refresh writes it: Parquet row groups then hold key
          // ranges, which prefix queries skip by their min/max (docs/PERFORMANCE.md, section 5);
          // DuckDB orders strings by their UTF-8 bytes, as S3 does
          inventoryRows =
              DuckDb.copyToParquet(
                  db,
                  inventorySelect
                      + " ORDER BY key, last_modified_date DESC NULLS LAST, version_id NULLS FIRST",
                  inventoryFile);
          inventoryFiles = List.of(inventoryFile.getFileName().toString());
          oneRowPerKey = oneRowPerKey(db, inventoryFile);
        }
        // one atomic step: a kill before it leaves the tables as they were
        warehouse.commit(
            namespace,
            new RefreshState(
                bucket,
                namespace,
                state.endpoint(),
                state.lastRefresh(),
                now,
                state.lastSequenceNumber(),
                generation,
                inventoryFiles,
                journalFiles,
                oneRowPerKey),
            () -> {});
        return new ImportSummary(
            bucket,
            namespace,
            inventoryRows,
            journalRows,
            inventoryFile == null ? null : inventoryFile.toString(),
            journalFile == null ? null : journalFile.toString(),
            notes);
      } finally {
        try {
          if (work != null) {
            Warehouse.deleteTree(work);
          }
        } catch (UncheckedIOException e) {
          // left for the next write to remove; this import's outcome matters more
        } finally {
          lock.close();
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("DuckDB failed while importing into " + namespace, e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Whether the written inventory holds one row per (bucket, key): counted once here, over 64-bit
   * hashes (a collision can only answer no), so that no plan has to check its selected rows against
   * the whole table (issue 9: 7.4 s and a growing hash table a plan at 10M rows).
   */
  static boolean oneRowPerKey(Connection db, Path inventory) throws SQLException {
    try (Statement statement = db.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT count(*) = count(DISTINCT hash(bucket, key)) FROM read_parquet("
                    + DuckDb.literal(inventory)
                    + ")")) {
      return rs.next() && rs.getBoolean(1);
    }
  }

  /**
   * Checks one file's columns and bucket; returns the SELECT that reads it in the table's exact
   * shape, or null when it has problems (added to {@code problems}).
   */
  private static String check(
      Connection db,
      String bucket,
      Path file,
      List<MetadataTables.Column> expected,
      List<Problem> problems,
      List<String> notes)
      throws SQLException {
    String name = file.toString();
    if (!Files.isRegularFile(file)) {
      problems.add(new Problem(name, 0, 0, "", "file not found"));
      return null;
    }
    String source = "read_parquet(" + DuckDb.literal(file) + ")";
    Map<String, String> actual = new LinkedHashMap<>();
    try (Statement statement = db.createStatement();
        ResultSet rs = statement.executeQuery("DESCRIBE SELECT * FROM " + source)) {
      while (rs.next()) {
        actual.put(rs.getString(1).toLowerCase(Locale.ROOT), rs.getString(2));
      }
    } catch (SQLException e) {
      problems.add(new Problem(name, 0, 0, "", "not a readable Parquet file: " + firstLine(e)));
      return null;
    }
    int before = problems.size();
    List<String> selected = new ArrayList<>();
    for (MetadataTables.Column column : expected) {
      String type = actual.get(column.name());
      String ident = DuckDb.identifier(column.name());
      if (type == null) {
        problems.add(
            new Problem(
                name,
                0,
                0,
                column.name(),
                "missing column '" + column.name() + "' (expected type " + column.type() + ")"));
      } else if (type.equals(column.type())) {
        selected.add(ident);
      } else if (compatible(column.type(), type)) {
        selected.add("CAST(" + ident + " AS " + column.type() + ") AS " + ident);
      } else {
        problems.add(
            new Problem(
                name,
                0,
                0,
                column.name(),
                "column '" + column.name() + "' has type " + type + "; expected " + column.type()));
      }
    }
    Set<String> known =
        expected.stream().map(MetadataTables.Column::name).collect(Collectors.toSet());
    List<String> extra = actual.keySet().stream().filter(c -> !known.contains(c)).toList();
    if (!extra.isEmpty()) {
      notes.add(name + ": ignored columns not in the table: " + String.join(", ", extra));
    }
    if (problems.size() > before) {
      return null;
    }
    try (Statement statement = db.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT DISTINCT bucket FROM "
                    + source
                    + " WHERE bucket IS DISTINCT FROM "
                    + DuckDb.literal(bucket)
                    + " LIMIT 5")) {
      List<String> others = new ArrayList<>();
      while (rs.next()) {
        others.add(String.valueOf(rs.getString(1)));
      }
      if (!others.isEmpty()) {
        problems.add(
            new Problem(
                name,
                0,
                0,
                "bucket",
                "rows of other buckets (" + String.join(", ", others) + "); expected " + bucket));
        return null;
      }
    }
    return "SELECT " + String.join(", ", selected) + " FROM " + source;
  }

  private static boolean compatible(String expected, String actual) {
    return switch (expected) {
      case "TIMESTAMP" -> TIMESTAMPS.contains(actual);
      case "BIGINT" -> INTEGERS.contains(actual);
      default -> false;
    };
  }

  private static String firstLine(SQLException e) {
    String message = String.valueOf(e.getMessage());
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
