package dev.quarry.query.embedded;

import static java.util.Objects.requireNonNull;

import dev.quarry.config.QuarryConfig;
import dev.quarry.error.ErrorCode;
import dev.quarry.error.KnownFailures;
import dev.quarry.error.QuarryException;
import dev.quarry.io.StorageErrors;
import dev.quarry.metadata.MetadataTables;
import dev.quarry.metadata.RefreshState;
import dev.quarry.metadata.Warehouse;
import dev.quarry.query.BoundQuery;
import dev.quarry.query.CurrentState;
import dev.quarry.query.ManifestRequest;
import dev.quarry.query.ObjectRow;
import dev.quarry.query.QueryEngine;
import dev.quarry.query.Selection;
import dev.quarry.query.SelectionSummary;
import dev.quarry.query.SqlToken;
import dev.quarry.query.SqlToken.Kind;
import dev.quarry.query.SqlTokenizer;
import dev.quarry.query.TaskIdentity;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Runs Athena SQL over the local warehouse with an in-memory DuckDB. The warehouse appears under
 * AWS's names, so a query written for Athena runs unchanged: {@code
 * "s3tablescatalog/aws-s3"."b_<bucket>"."journal"} and {@code ."inventory"}, the two-part {@code
 * "b_<bucket>"."journal"}, and plain {@code journal} / {@code inventory} in the default namespace
 * (given, or the only one). Each namespace also has a {@code "journal$properties"} (key, value),
 * standing for the Iceberg properties table AWS's reconciliation query reads: its {@code
 * aws.s3metadata.oldest-uncoalesced-record-timestamp} is the last refresh's time (empty before one,
 * so the query's own default applies). Plain {@code current_state} is expanded as on Athena ({@link
 * CurrentState}).
 *
 * <p>Nothing is downloaded: extensions are neither installed nor loaded on demand; Parquet and JSON
 * are built in. ICU is used when present (it is, in the JDBC driver) to pin the session zone to
 * UTC; without it DuckDB's timestamps with zone are UTC anyway. Once set up, the connection may
 * read only the warehouse's folder and its configuration is locked, so a query cannot reach other
 * files or change the settings below.
 *
 * <p>Compatibility with Athena (Trino), decided so that a local result never silently differs from
 * Athena's; the function rules are in {@link TrinoCompatibility}:
 *
 * <ul>
 *   <li><b>Map subscript</b> {@code object_tags['k']}: Trino fails the query with "Key not present
 *       in map" when a row's map lacks the key; DuckDB 1.5 returns NULL. Returning NULL would let a
 *       playbook pass locally and fail on Athena, or (under {@code NOT}/{@code IS NULL}) select
 *       other rows, so the engine fails like Trino, naming the key and pointing to {@code
 *       element_at(map, key)}, which gives NULL in both engines. A NULL map gives NULL. Applies to
 *       subscripts with a string literal or parameter key, to the tables' map columns and to maps
 *       built in place ({@code map(...)}).
 *   <li><b>Array subscript</b> {@code a[i]}: 1-based, and out of range (0, negative, beyond the
 *       end) the query fails with Trino's message, where DuckDB gives NULL or counts from the end;
 *       {@code element_at(array, i)} is NULL beyond the end, as in Trino.
 *   <li><b>Division</b>: DuckDB's {@code integer_division} is on, so {@code 7/2 = 3} and {@code
 *       -7/2 = -3} (truncation, as Trino) while {@code 7.0/2 = 3.5}. Known difference: division by
 *       zero gives NULL in DuckDB where Trino fails.
 *   <li><b>Timestamps</b>: the session zone is UTC, as Athena's. The tables' timestamps have no
 *       zone and hold UTC; {@code current_timestamp - interval '7' day} and {@code
 *       from_iso8601_timestamp(...)} compare with them as instants. {@code from_iso8601_timestamp}
 *       returns the UTC instant as a zone-less timestamp (Trino returns it with its zone;
 *       comparisons agree). Timestamps with zone are returned as UTC {@link LocalDateTime}.
 *   <li><b>{@code date_diff}</b> counts whole units (DuckDB's {@code date_sub}), not boundaries;
 *       {@code date_add} of a DATE is a DATE, as Trino's.
 *   <li><b>{@code concat}</b> is NULL when an argument is NULL, as Trino (DuckDB skips NULLs).
 *   <li>Functions that would silently compute something else ({@code format}, {@code date_format},
 *       {@code date_parse}, ...) are refused with a user error naming the function and the portable
 *       form.
 * </ul>
 *
 * <p>Named parameters {@code :name} are bound as JDBC parameters, never spliced into the text.
 */
public final class EmbeddedEngine implements QueryEngine {
  private static final String CATALOG = MetadataTables.CATALOG;
  private static final Set<String> QUERY_STARTS =
      Set.of("select", "with", "values", "from", "table", "(", "describe", "show", "summarize");
  private static final Pattern LINE = Pattern.compile("LINE (\\d+):");
  private static final Pattern MISSING_SCHEMA =
      Pattern.compile("because schema \"([^\"]+)\" does not exist");

  /**
   * {@link dev.quarry.manifest.KeyCodec#encode}: DuckDB's {@code url_encode} escapes every UTF-8
   * byte but RFC 3986's unreserved ones, in upper-case hex, as KeyCodec does; KeyCodec keeps {@code
   * /}. Every {@code %} of the result starts an escape, so {@code %2F} is only ever a slash. A key
   * of unreserved characters and slashes only (most keys) is its own encoding: searching it for
   * another character is cheaper than encoding it (docs/PERFORMANCE.md, section 1).
   */
  static final String ENCODE_KEY_MACRO =
      "CREATE TEMP MACRO quarry_encode_key(k) AS CASE WHEN NOT regexp_matches(k,"
          + " '[^A-Za-z0-9._~/-]') THEN k ELSE replace(url_encode(k), '%2F', '/') END";

  /**
   * Bucket and version values that both CSV writers print bare: neither quotes them, so DuckDB's
   * output is Commons CSV's. Anything else (never seen from S3) takes the streaming path.
   */
  private static final String BARE = "'[A-Za-z0-9._~+=-][A-Za-z0-9._~+=/-]*'";

  private static final Set<String> INTEGER_TYPES =
      Set.of("BIGINT", "INTEGER", "SMALLINT", "TINYINT", "UINTEGER", "USMALLINT", "UTINYINT");

  private static final String PENDING_PREFIX =
      "Attempting to execute an unsuccessful or closed pending query result";

  private final Warehouse warehouse;
  private final List<String> namespaces;
  private final Optional<String> defaultNamespace;
  private final QuarryConfig.Embedded limits;
  private final SpillDirectory spill;
  private final Path staging;
  private final Connection connection;

  /**
   * Namespaces whose committed inventory, the files its view reads, was counted one row per
   * (bucket, key) when it was written ({@link RefreshState#inventoryOneRowPerKey}): filled while
   * the views are made, read only after.
   */
  private final Set<String> oneRowPerKey = new HashSet<>();

  /** An engine whose default namespace is the warehouse's only one, if it has exactly one. */
  public EmbeddedEngine(Warehouse warehouse) {
    this(warehouse, Optional.empty());
  }

  /**
   * An engine with the default bounds, spilling beside the warehouse ({@code <state-dir>/tmp} when
   * the warehouse is the state directory's).
   */
  public EmbeddedEngine(Warehouse warehouse, Optional<String> defaultNamespace) {
    this(
        warehouse,
        defaultNamespace,
        QuarryConfig.Embedded.DEFAULTS,
        warehouse.root().toAbsolutePath().normalize().resolveSibling("tmp").resolve("duckdb"));
  }

  /**
   * @param defaultNamespace the namespace plain {@code journal} / {@code inventory} name: a
   *     namespace ({@code b_starwatcher}) or a bucket whose namespace is {@code b_<bucket>}; empty
   *     means the warehouse's only namespace, if it has exactly one
   * @param limits DuckDB's memory and spill bounds
   * @param spillRoot where this engine's spill directory is made (and killed processes' swept)
   * @throws QuarryException (user) if the default namespace is not in the warehouse
   */
  public EmbeddedEngine(
      Warehouse warehouse,
      Optional<String> defaultNamespace,
      QuarryConfig.Embedded limits,
      Path spillRoot) {
    this.warehouse = requireNonNull(warehouse, "warehouse is null");
    requireNonNull(defaultNamespace, "defaultNamespace is null");
    this.limits = requireNonNull(limits, "limits is null");
    requireNonNull(spillRoot, "spillRoot is null");
    this.namespaces = warehouse.namespaces();
    this.defaultNamespace =
        defaultNamespace.isPresent()
            ? Optional.of(resolveNamespace(defaultNamespace.get()))
            : namespaces.size() == 1 ? Optional.of(namespaces.get(0)) : Optional.empty();
    this.spill = SpillDirectory.create(spillRoot);
    this.staging = spill.path().resolve("manifest");
    try {
      Files.createDirectories(staging);
      this.connection = open();
    } catch (IOException e) {
      spill.close();
      throw StorageErrors.of("cannot create", staging, e, "or set state-dir elsewhere");
    } catch (RuntimeException e) {
      spill.close();
      throw e;
    }
  }

  @Override
  public String name() {
    return "embedded";
  }

  /** The warehouse's namespaces, sorted. */
  public List<String> namespaces() {
    return namespaces;
  }

  public Optional<String> defaultNamespace() {
    return defaultNamespace;
  }

  @Override
  public List<String> columns(BoundQuery query) {
    Prepared prepared = prepare(query);
    return describe(prepared, query).stream().map(Column::name).toList();
  }

  @Override
  public Selection objects(BoundQuery query, TaskIdentity identity, Consumer<ObjectRow> sink) {
    requireNonNull(identity, "identity is null");
    Prepared prepared = prepare(query);
    List<Column> columns = describe(prepared, query);
    checkColumns(columns, identity);
    // the rows alone() checks and the rows streamed here are two evaluations of the query: carry
    // only where both return the same rows (writeManifest checks the very rows it writes instead)
    Shape shape =
        sameRowsEachTime(prepared.sql())
            ? carry(
                new Shape(prepared, columns, Optional.empty()),
                query,
                identity,
                List.of("size", "storage_class", "encryption_status", "kms_key_arn"))
            : new Shape(prepared, columns, Optional.empty());
    if (shape.carriedFrom().isPresent()
        && !alone(
            "(" + knownSql(shape.prepared().sql(), shape.columns()) + ")",
            shape.prepared().parameterOrder(),
            query,
            shape.carriedFrom().get(),
            identity)) {
      shape = new Shape(prepared, columns, Optional.empty());
    }
    prepared = shape.prepared();
    columns = shape.columns();
    // carried rows that are alone are distinct tasks in the query's order: nothing to group or sort
    String sql =
        shape.carriedFrom().isPresent()
            ? aloneRowsSql(prepared.sql(), columns)
            : objectsSql(prepared.sql(), columns, identity, true);
    boolean lockKnown =
        indexOf(columns, "object_lock_mode") >= 0
            || indexOf(columns, "object_lock_legal_hold_status") >= 0;
    long count = 0;
    long duplicates = 0;
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      bind(statement, prepared.parameterOrder(), query.parameters(), false);
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          count++;
          sink.accept(
              ObjectRow.selected(
                      count,
                      rs.getString(1),
                      rs.getString(2),
                      rs.getString(3),
                      toLong(rs.getObject(4), count),
                      rs.getString(5))
                  .withEncryption(
                      rs.getString(8),
                      rs.getString(9),
                      lockKnown ? ObjectRow.locked(rs.getString(10), rs.getString(11)) : null));
          duplicates += rs.getLong(6) - 1;
        }
      }
    } catch (SQLException e) {
      throw translate(e, query.sql());
    }
    return new Selection(count, duplicates);
  }

  /**
   * The selection is materialised once in a Parquet file beside the staged manifest, written with
   * {@code COPY ... TO} and counted with a few aggregates over it; only the totals and the sample
   * cross JDBC.
   */
  @Override
  public Optional<SelectionSummary> writeManifest(BoundQuery query, ManifestRequest request) {
    requireNonNull(request, "request is null");
    return writeManifest(query, request, true);
  }

  /**
   * @param mayCarry whether size and class may be carried through a plain scan of the inventory;
   *     when the staged rows show the carry wrong (a selected row is not its task's only row), the
   *     manifest is written again without it
   */
  private Optional<SelectionSummary> writeManifest(
      BoundQuery query, ManifestRequest request, boolean mayCarry) {
    Prepared prepared = prepare(query);
    List<Column> columns = describe(prepared, query);
    checkColumns(columns, request.identity());
    Shape original = new Shape(prepared, columns, Optional.empty());
    Shape shape =
        mayCarry
            ? carry(original, query, request.identity(), List.of("size", "storage_class"))
            : original;
    prepared = shape.prepared();
    columns = shape.columns();
    int size = indexOf(columns, "size");
    if (size >= 0 && !INTEGER_TYPES.contains(columns.get(size).type())) {
      // the streaming path reads such sizes (text, decimals) as it always has
      return Optional.empty();
    }
    boolean known = size >= 0 && indexOf(columns, "storage_class") >= 0;
    String id = UUID.randomUUID().toString();
    Path staged = staging.resolve(id + ".csv");
    Path selected = staging.resolve(id + ".parquet");
    Path distinct = staging.resolve(id + ".distinct.parquet");
    Path classes = staging.resolve(id + ".classes.csv");
    // the split's files while they are in the staging folder, removed if they stay there
    List<Path> written = new ArrayList<>();
    try {
      // on disk, not in a table: a temporary table of millions of keys outgrew the memory limit.
      // With size and class known, the rows are written as the query returns them (DuckDB keeps
      // insertion order, so a row's place in the file is its place in the query) and
      // de-duplicated only if a count of distinct task hashes shows duplicates; else the rows are
      // de-duplicated and the inventory joined for what the query lacks (objectsSql).
      // each key encoded once, here: the manifest, the class file and a split's parts read it
      String stage =
          known
              ? "SELECT *, quarry_encode_key(k) AS ek FROM ("
                  + knownSql(prepared.sql(), columns)
                  + ") quarry_r"
              : "SELECT *, quarry_encode_key(k) AS ek FROM ("
                  + objectsSql(prepared.sql(), columns, request.identity(), false)
                  + ") quarry_r(b, k, v, s, sc, copies, ord)";
      try (PreparedStatement create =
          connection.prepareStatement(
              "COPY ("
                  + stage
                  + ") TO "
                  + quoteString(selected.toString())
                  + " (FORMAT parquet)")) {
        bind(create, prepared.parameterOrder(), query.parameters(), false);
        create.execute();
      }
      try (Statement s = connection.createStatement()) {
        s.execute(
            "CREATE OR REPLACE TEMP VIEW quarry_m AS SELECT "
                + (known
                    ? "b, k, v, s, sc, ek, 1::BIGINT AS copies, file_row_number + 1 AS ord"
                    : "*")
                + " FROM read_parquet("
                + quoteString(selected.toString())
                + (known ? ", file_row_number = true" : "")
                + ")");
        if (shape.carriedFrom().isPresent()
            && !alone(
                "quarry_m", List.of(), query, shape.carriedFrom().get(), request.identity())) {
          return writeManifest(query, request, false);
        }
        // carried rows that are alone are distinct tasks: no count needed
        // the staged rows numbered 1, 2, ... in their file: the first rows are the sample
        boolean numberedInFile = known;
        if (known
            && shape.carriedFrom().isEmpty()
            && !plainScanOfOneRowPerKey(prepared.sql())
            && hasDuplicates(s, request.identity())) {
          numberedInFile = false;
          String taskKey =
              switch (request.identity()) {
                case BUCKET_KEY_VERSION -> "b, k, v";
                case BUCKET_KEY -> "b, k";
              };
          s.execute(
              "COPY (WITH f AS (SELECT min(ord) AS first, count(*) AS copies FROM quarry_m GROUP"
                  + " BY "
                  + taskKey
                  + ") SELECT m.b, m.k, m.v, m.s, m.sc, m.ek, f.copies, m.ord FROM quarry_m m JOIN f"
                  + " ON m.ord = f.first ORDER BY m.ord) TO "
                  + quoteString(distinct.toString())
                  + " (FORMAT parquet)");
          s.execute(
              "CREATE OR REPLACE TEMP VIEW quarry_m AS SELECT * FROM read_parquet("
                  + quoteString(distinct.toString())
                  + ")");
        }
        // every count of the plan in one scan of the staged rows (issue 9: each was a scan)
        Aggregates totals = aggregates(s, request);
        if (totals.invalid() > 0) {
          return Optional.empty();
        }
        long objects = totals.objects();
        long duplicates = totals.duplicates();
        long bytes = totals.bytes();
        long unknownSizes = totals.unknownSizes();
        long overCopyLimit = totals.overCopyLimit();
        s.execute(
            "COPY (SELECT b, ek"
                + (request.withVersionIds() ? ", coalesce(v, 'null')" : "")
                + " FROM quarry_m) TO "
                + quoteString(staged.toString())
                + " (FORMAT csv, HEADER false, DELIMITER ',', QUOTE '\"', ESCAPE '\"')");
        if (request.storageClassFile().isPresent()) {
          // the same encoding and quoting as StorageClassFile.Writer; empty fields for NULLs
          s.execute(
              "COPY (SELECT b, ek, "
                  + (request.withVersionIds() ? "v" : "NULL")
                  + ", sc FROM quarry_m) TO "
                  + quoteString(classes.toString())
                  + " (FORMAT csv, HEADER false, DELIMITER ',', QUOTE '\"', ESCAPE '\"')");
        }
        List<SelectionSummary.Group> storageClasses = totals.storageClasses();
        List<SelectionSummary.Group> buckets = totals.buckets();
        List<SelectionSummary.Group> prefixes = totals.prefixes();
        List<ObjectRow> sample = new ArrayList<>();
        try (ResultSet rs =
            s.executeQuery(
                "SELECT b, k, v, s, sc FROM quarry_m"
                    + (numberedInFile ? " WHERE ord <= " + request.sampleSize() : "")
                    + " ORDER BY ord LIMIT "
                    + request.sampleSize())) {
          while (rs.next()) {
            sample.add(
                ObjectRow.selected(
                    sample.size() + 1,
                    rs.getString(1),
                    rs.getString(2),
                    rs.getString(3),
                    toLong(rs.getObject(4), sample.size() + 1),
                    rs.getString(5)));
          }
        }
        Optional<ObjectRow> overCopyLimitSample = Optional.empty();
        if (overCopyLimit > 0) {
          try (ResultSet rs =
              s.executeQuery(
                  "SELECT b, k, v, s, sc, ord FROM quarry_m WHERE s > "
                      + SelectionSummary.COPY_LIMIT_BYTES
                      + " ORDER BY ord LIMIT 1")) {
            rs.next();
            overCopyLimitSample =
                Optional.of(
                    ObjectRow.selected(
                        rs.getLong(6),
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        toLong(rs.getObject(4), rs.getLong(6)),
                        rs.getString(5)));
          }
        }
        Optional<SelectionSummary.WrittenParts> parts = Optional.empty();
        if (request.parts().isPresent()) {
          parts = writeParts(s, request, id, written, totals.partGroups());
        }
        Files.move(staged, request.file(), StandardCopyOption.REPLACE_EXISTING);
        if (request.storageClassFile().isPresent()) {
          Files.move(
              classes, request.storageClassFile().get(), StandardCopyOption.REPLACE_EXISTING);
        }
        return Optional.of(
            new SelectionSummary(
                new Selection(objects, duplicates),
                bytes,
                unknownSizes,
                storageClasses,
                buckets,
                prefixes,
                sample,
                overCopyLimit,
                overCopyLimitSample,
                parts));
      }
    } catch (SQLException e) {
      throw translate(e, query.sql());
    } catch (IOException e) {
      throw StorageErrors.of(
          "cannot write manifest", request.file(), e, "or set manifests-dir elsewhere");
    } finally {
      try (Statement s = connection.createStatement()) {
        s.execute("DROP VIEW IF EXISTS quarry_m");
      } catch (SQLException ignored) {
        // the view goes with the connection; the query's own error matters more
      }
      try {
        Files.deleteIfExists(staged);
        Files.deleteIfExists(selected);
        Files.deleteIfExists(distinct);
        Files.deleteIfExists(classes);
        for (Path p : written) {
          Files.deleteIfExists(p);
        }
      } catch (IOException ignored) {
        // the spill directory, and this file with it, is removed when the engine closes
      }
    }
  }

  /**
   * Writes the split's files from the staged rows ({@code quarry_m}), each filtered in the rows'
   * order with the manifest's own encoding, then moves them to the request's folder. Nothing is
   * written where the caller needs no split (one part, nothing left out) or refuses one (a split by
   * class over rows without a class).
   */
  private Optional<SelectionSummary.WrittenParts> writeParts(
      Statement s, ManifestRequest request, String id, List<Path> written, List<PartGroup> groups)
      throws SQLException, IOException {
    ManifestRequest.Parts wanted = request.parts().orElseThrow();
    String out = leftOutSql(request);
    String partBucket = partBucketSql(request);
    String partClass = partClassSql(request);
    boolean unknown =
        groups.stream()
            .anyMatch(g -> !g.out() && g.storageClass().equals(request.unknownStorageClass()));
    long inParts = groups.stream().filter(g -> !g.out()).count();
    if ((wanted.byClass() && unknown)
        || (inParts <= 1 && groups.stream().noneMatch(PartGroup::out))) {
      return Optional.empty();
    }
    Files.createDirectories(wanted.dir());
    String csv = " (FORMAT csv, HEADER false, DELIMITER ',', QUOTE '\"', ESCAPE '\"')";
    String version = request.withVersionIds() ? ", coalesce(v, 'null')" : "";
    List<SelectionSummary.Part> parts = new ArrayList<>();
    List<SelectionSummary.Group> leftOutClasses = new ArrayList<>();
    int n = 0;
    for (PartGroup g : groups) {
      if (g.out()) {
        leftOutClasses.add(new SelectionSummary.Group(g.storageClass(), g.objects(), g.bytes()));
        continue;
      }
      String where =
          " FROM quarry_m WHERE NOT ("
              + out
              + ") AND "
              + partBucket
              + " = "
              + quoteString(g.bucket())
              + " AND "
              + partClass
              + " = "
              + quoteString(g.storageClass());
      Path manifest = stagedFile(id + ".part-" + n + ".csv", written);
      s.execute(
          "COPY (SELECT b, ek"
              + version
              + where
              + ") TO "
              + quoteString(manifest.toString())
              + csv);
      // the same encoding and quoting as StorageClassFile.Writer; empty fields for NULLs
      Path classes = stagedFile(id + ".part-" + n + ".classes.csv", written);
      s.execute(
          "COPY (SELECT b, ek, "
              + (request.withVersionIds() ? "v" : "NULL")
              + ", sc"
              + where
              + ") TO "
              + quoteString(classes.toString())
              + csv);
      Path manifestTarget = wanted.dir().resolve(n + ".csv");
      Path classesTarget = wanted.dir().resolve(n + ".classes.csv");
      Files.move(manifest, manifestTarget, StandardCopyOption.REPLACE_EXISTING);
      Files.move(classes, classesTarget, StandardCopyOption.REPLACE_EXISTING);
      parts.add(
          new SelectionSummary.Part(
              g.bucket(), g.storageClass(), manifestTarget, classesTarget, g.objects(), g.bytes()));
      n++;
    }
    Optional<Path> leftOut = Optional.empty();
    if (!leftOutClasses.isEmpty()) {
      Path file = stagedFile(id + ".left-out.csv", written);
      s.execute(
          "COPY (SELECT b, ek"
              + version
              + " FROM quarry_m WHERE "
              + out
              + ") TO "
              + quoteString(file.toString())
              + csv);
      Path target = wanted.dir().resolve("left-out.csv");
      Files.move(file, target, StandardCopyOption.REPLACE_EXISTING);
      leftOut = Optional.of(target);
    }
    return Optional.of(new SelectionSummary.WrittenParts(parts, leftOut, leftOutClasses));
  }

  /** A group of {@link #writeParts}: a part's bucket and class, or a left-out class. */
  private record PartGroup(
      boolean out, String bucket, String storageClass, long objects, long bytes) {}

  /**
   * The counts of {@link #aggregates}; {@code invalid} rows send the plan to the streaming path.
   */
  private record Aggregates(
      long objects,
      long duplicates,
      long bytes,
      long unknownSizes,
      long invalid,
      long overCopyLimit,
      List<SelectionSummary.Group> storageClasses,
      List<SelectionSummary.Group> buckets,
      List<SelectionSummary.Group> prefixes,
      List<PartGroup> partGroups) {}

  /** A staged row's storage class, the request's name for an unknown one where it has none. */
  private static String classSql(ManifestRequest request) {
    return "coalesce(sc, " + quoteString(request.unknownStorageClass()) + ")";
  }

  /**
   * The bucket and the class that name a staged row's part ({@code ''} where the split does not go
   * by it): {@link #aggregates} groups by them and {@link #writeParts} selects each group's rows by
   * them, so both must read the same expressions.
   */
  private static String partBucketSql(ManifestRequest request) {
    return request.parts().map(ManifestRequest.Parts::byBucket).orElse(false) ? "b" : "''";
  }

  private static String partClassSql(ManifestRequest request) {
    return request.parts().map(ManifestRequest.Parts::byClass).orElse(false)
        ? classSql(request)
        : "''";
  }

  /** Whether a staged row goes to the left-out manifest: its class is one the split leaves out. */
  private static String leftOutSql(ManifestRequest request) {
    Set<String> leftOut = request.parts().map(ManifestRequest.Parts::leftOut).orElse(Set.of());
    return leftOut.isEmpty()
        ? "false"
        : classSql(request)
            + " IN ("
            + leftOut.stream()
                .sorted()
                .map(EmbeddedEngine::quoteString)
                .collect(Collectors.joining(", "))
            + ")";
  }

  /**
   * The totals, the groups by class, bucket and prefix and the split's groups of the staged rows
   * ({@code quarry_m}) from one scan: one grouping set each. The prefixes are named as {@link
   * dev.quarry.app.PlanStats} names them: the first {@code maxPrefixes} distinct prefixes by first
   * row keep their names, the rest are summed under {@code otherPrefixes}.
   */
  private static Aggregates aggregates(Statement s, ManifestRequest request) throws SQLException {
    String cls = classSql(request);
    String out = leftOutSql(request);
    // grouping(c, b, o, p): a bit for each column the row's set does not group by
    int all = 15;
    int byC = 7;
    int byB = 11;
    int byParts = 13;
    int byP = 14;
    String sql =
        "WITH quarry_g AS (SELECT b, s, copies, ord, "
            + cls
            + " AS c, CASE WHEN strpos(k, '/') > 0 THEN substr(k, 1, strpos(k, '/')) ELSE k END"
            + " AS p, "
            + out
            + " AS o, CASE WHEN "
            + out
            + " THEN '' ELSE "
            + partBucketSql(request)
            + " END AS pb, CASE WHEN "
            + out
            + " THEN "
            + cls
            + " ELSE "
            + partClassSql(request)
            + " END AS pc, b IS NULL OR k IS NULL OR k = '' OR NOT regexp_full_match(b, "
            + BARE
            + ") OR (v IS NOT NULL AND NOT regexp_full_match(v, "
            + BARE
            + ")) AS bad FROM quarry_m), quarry_a AS MATERIALIZED (SELECT grouping(c, b, o, p) AS"
            + " gid, c, b, o, pb, pc, p, count(*) AS n, coalesce(sum(s), 0)::BIGINT AS bytes,"
            + " min(ord) AS first, coalesce(sum(copies), 0)::BIGINT - count(*) AS dups, count(*)"
            + " FILTER (s IS NULL) AS nulls, count(*) FILTER (bad) AS bad, count(*) FILTER (s > "
            + SelectionSummary.COPY_LIMIT_BYTES
            + ") AS over FROM quarry_g GROUP BY GROUPING SETS ((), (c), (b), (o, pb, pc), (p)))"
            + " SELECT gid, c, b, o, pb, pc, n, bytes, dups, nulls, bad, over FROM quarry_a"
            + " WHERE gid <> "
            + byP
            + " UNION ALL SELECT "
            + byP
            + ", NULL, name, NULL, NULL, NULL, sum(n)::BIGINT, sum(bytes)::BIGINT, 0, 0, 0, 0"
            + " FROM (SELECT CASE WHEN row_number() OVER (ORDER BY first) <= "
            + request.maxPrefixes()
            + " THEN p ELSE "
            + quoteString(request.otherPrefixes())
            + " END AS name, n, bytes FROM quarry_a WHERE gid = "
            + byP
            + ") GROUP BY name";
    long objects = 0;
    long duplicates = 0;
    long bytes = 0;
    long unknownSizes = 0;
    long invalid = 0;
    long overCopyLimit = 0;
    List<SelectionSummary.Group> storageClasses = new ArrayList<>();
    List<SelectionSummary.Group> buckets = new ArrayList<>();
    List<SelectionSummary.Group> prefixes = new ArrayList<>();
    List<PartGroup> partGroups = new ArrayList<>();
    try (ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        int gid = rs.getInt(1);
        long n = rs.getLong(7);
        long groupBytes = rs.getLong(8);
        if (gid == all) {
          objects = n;
          bytes = groupBytes;
          duplicates = rs.getLong(9);
          unknownSizes = rs.getLong(10);
          invalid = rs.getLong(11);
          overCopyLimit = rs.getLong(12);
        } else if (gid == byC) {
          storageClasses.add(new SelectionSummary.Group(rs.getString(2), n, groupBytes));
        } else if (gid == byB) {
          // a null bucket is an invalid row: the caller then takes the streaming path
          String bucket = rs.getString(3);
          if (bucket != null) {
            buckets.add(new SelectionSummary.Group(bucket, n, groupBytes));
          }
        } else if (gid == byParts) {
          partGroups.add(
              new PartGroup(rs.getBoolean(4), rs.getString(5), rs.getString(6), n, groupBytes));
        } else if (gid == byP) {
          String name = rs.getString(3);
          if (name != null) {
            prefixes.add(new SelectionSummary.Group(name, n, groupBytes));
          }
        } else {
          throw new IllegalStateException("unexpected grouping " + gid);
        }
      }
    }
    return new Aggregates(
        objects,
        duplicates,
        bytes,
        unknownSizes,
        invalid,
        overCopyLimit,
        storageClasses,
        buckets,
        prefixes,
        partGroups);
  }

  /** A file DuckDB may write, in the staging folder, removed by the caller unless moved. */
  private Path stagedFile(String name, List<Path> written) {
    Path file = staging.resolve(name);
    written.add(file);
    return file;
  }

  /**
   * Whether {@code sql} is a plain scan of an inventory recorded one row per (bucket, key): its
   * rows are then distinct tasks, under either identity, and need no count of distinct hashes.
   */
  private boolean plainScanOfOneRowPerKey(String sql) {
    return plainScan(sql).map(p -> recordedOneRowPerKey(p.table())).orElse(false);
  }

  /**
   * Whether two staged rows are one task: fewer distinct task hashes than rows. A hash collision
   * only costs the exact de-duplication, which then finds none.
   */
  private static boolean hasDuplicates(Statement s, TaskIdentity identity) throws SQLException {
    String task =
        switch (identity) {
          case BUCKET_KEY_VERSION -> "b, k, v";
          case BUCKET_KEY -> "b, k";
        };
    try (ResultSet rs =
        s.executeQuery("SELECT count(*) - count(DISTINCT hash(" + task + ")) FROM quarry_m")) {
      rs.next();
      return rs.getLong(1) > 0;
    }
  }

  /** The query's bucket, key, version, size and class, as text but the size, in its order. */
  private static String knownSql(String sql, List<Column> columns) {
    List<String> aliases = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      aliases.add("quarry_c" + i);
    }
    int version = indexOf(columns, "version_id");
    return "SELECT "
        + varchar(indexOf(columns, "bucket"))
        + " AS b, "
        + varchar(indexOf(columns, "key"))
        + " AS k, "
        + varchar(version)
        + " AS v, quarry_c"
        + indexOf(columns, "size")
        + " AS s, "
        + varchar(indexOf(columns, "storage_class"))
        + " AS sc FROM ("
        + sql
        + "\n) quarry_q("
        + String.join(", ", aliases)
        + ")";
  }

  private static List<SelectionSummary.Group> groups(Statement s, String sql) throws SQLException {
    List<SelectionSummary.Group> groups = new ArrayList<>();
    try (ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        groups.add(new SelectionSummary.Group(rs.getString(1), rs.getLong(2), rs.getLong(3)));
      }
    }
    return groups;
  }

  /**
   * A query's SQL and the columns it returns.
   *
   * @param carriedFrom the table size and class were carried from, whose rows {@link #alone} must
   *     confirm; empty when the query is the user's own
   */
  private record Shape(Prepared prepared, List<Column> columns, Optional<String> carriedFrom) {
    Shape {
      requireNonNull(prepared, "prepared is null");
      requireNonNull(columns, "columns is null");
      requireNonNull(carriedFrom, "carriedFrom is null");
    }
  }

  private static final Set<String> CLAUSES_AFTER_FROM = Set.of("where", "order", "limit");

  /**
   * Words after which two evaluations of one query may return different rows: a LIMIT or a sample
   * picks among ties (DuckDB's threads break them differently each run), a random or clock function
   * changes between runs.
   */
  private static final Set<String> UNSTABLE_WORDS =
      Set.of(
          "limit",
          "offset",
          "fetch",
          "tablesample",
          "sample",
          "random",
          "rand",
          "uuid",
          "gen_random_uuid",
          "now",
          "current_timestamp",
          "current_time",
          "current_date",
          "localtimestamp",
          "localtime");

  /** Whether every evaluation of {@code sql} returns the same rows, as far as its words tell. */
  static boolean sameRowsEachTime(String sql) {
    return SqlTokenizer.tokenize(sql).stream()
        .filter(t -> t.is(Kind.WORD))
        .noneMatch(t -> UNSTABLE_WORDS.contains(t.text().toLowerCase(Locale.ROOT)));
  }

  /**
   * The query with the wanted columns it lacks read from its own rows, when it is a plain scan of
   * {@code inventory} ({@code SELECT column, ... FROM inventory [WHERE ...] [ORDER BY ...] [LIMIT
   * ...]}, every selected item a bare column): each row then carries its own size and class instead
   * of joining the inventory again (issue 9: the join was most of the plan's time and memory).
   * Anything else, or a rewrite DuckDB refuses, keeps the query as it is. A carried row is right
   * only if it is its task's one row in the table (a versioned bucket's older row must not stand
   * for the current version): the caller confirms that with {@link #alone}.
   */
  private Shape carry(Shape shape, BoundQuery query, TaskIdentity identity, List<String> wanted) {
    List<String> missing = wanted.stream().filter(w -> indexOf(shape.columns(), w) < 0).toList();
    if (missing.isEmpty()) {
      return shape;
    }
    String sql = shape.prepared().sql();
    Optional<PlainScan> scan = plainScan(sql);
    if (scan.isEmpty()) {
      return shape;
    }
    String table = scan.get().table();
    int from = scan.get().from();
    Prepared carried =
        new Prepared(
            sql.substring(0, from) + ", " + String.join(", ", missing) + " " + sql.substring(from),
            shape.prepared().parameterOrder());
    try {
      return new Shape(carried, describe(carried, query), Optional.of(table));
    } catch (QuarryException e) {
      return shape;
    }
  }

  /** Where a plain scan's {@code FROM} starts, and the table it names as the query spells it. */
  private record PlainScan(int from, String table) {}

  /**
   * The table of a plain scan of {@code inventory} ({@code SELECT column, ... FROM inventory [WHERE
   * ...] [ORDER BY ...] [LIMIT ...]}, every selected item a bare column), if {@code sql} is one.
   */
  private static Optional<PlainScan> plainScan(String sql) {
    List<SqlToken> tokens = SqlTokenizer.tokenize(sql).stream().filter(t -> !t.isTrivia()).toList();
    if (tokens.isEmpty() || !tokens.get(0).isWord("select")) {
      return Optional.empty();
    }
    int i = 1;
    boolean expectItem = true;
    for (; i < tokens.size() && !tokens.get(i).isWord("from"); i++) {
      SqlToken t = tokens.get(i);
      boolean bare =
          (t.is(Kind.WORD) && !t.isWord("distinct") && !t.isWord("all"))
              || t.is(Kind.QUOTED_IDENTIFIER);
      if (expectItem ? !bare : !t.isSymbol(",")) {
        return Optional.empty();
      }
      expectItem = !expectItem;
    }
    if (expectItem || i + 1 >= tokens.size()) {
      return Optional.empty();
    }
    SqlToken from = tokens.get(i);
    int next = i + 1;
    if (!MetadataTables.INVENTORY.equals(identifier(tokens.get(next)))) {
      // two- and three-part names: "b_x".inventory, "s3tablescatalog/aws-s3"."b_x".inventory
      int dots = 0;
      while (next + 2 < tokens.size()
          && tokens.get(next + 1).isSymbol(".")
          && identifier(tokens.get(next)) != null
          && dots < 2) {
        next += 2;
        dots++;
      }
      if (dots == 0 || !MetadataTables.INVENTORY.equals(identifier(tokens.get(next)))) {
        return Optional.empty();
      }
    }
    if (next + 1 < tokens.size()) {
      SqlToken after = tokens.get(next + 1);
      if (!after.is(Kind.WORD)
          || !CLAUSES_AFTER_FROM.contains(after.text().toLowerCase(Locale.ROOT))) {
        return Optional.empty();
      }
      for (SqlToken t : tokens.subList(next + 1, tokens.size())) {
        // a subquery, a set operation or a grouping would change what a row is
        if (t.isWord("select")
            || t.isWord("group")
            || t.isWord("union")
            || t.isWord("except")
            || t.isWord("intersect")
            || t.isWord("qualify")
            || t.isWord("having")
            || t.isWord("window")
            || t.isWord("join")) {
          return Optional.empty();
        }
      }
    }
    SqlToken last = tokens.get(next);
    return Optional.of(
        new PlainScan(
            from.offset(),
            sql.substring(tokens.get(i + 1).offset(), last.offset() + last.text().length())));
  }

  /**
   * Whether every selected row (b, k, v of {@code rows}, a subset of {@code table}'s rows: a plain
   * scan) is the only row of its task in the table: as many table rows share a selected task's hash
   * as rows were selected, and no two selected rows share one. Only the selected hashes are held,
   * and the table is scanned once for its key columns: counting the distinct tasks of the whole
   * table instead took minutes and all of DuckDB's memory at 10M rows (issue 9). A hash collision
   * can only make it answer no, which costs the inventory join, never a wrong size.
   */
  private boolean alone(
      String rows,
      List<String> parameterOrder,
      BoundQuery query,
      String table,
      TaskIdentity identity) {
    if (recordedOneRowPerKey(table)) {
      // every row of the table is its object's only one, so every selected row is too
      return true;
    }
    String task =
        switch (identity) {
          case BUCKET_KEY_VERSION -> "bucket, key, version_id";
          case BUCKET_KEY -> "bucket, key";
        };
    String selected =
        switch (identity) {
          case BUCKET_KEY_VERSION -> "b, k, v";
          case BUCKET_KEY -> "b, k";
        };
    try (PreparedStatement statement =
        connection.prepareStatement(
            "WITH quarry_h AS MATERIALIZED (SELECT hash("
                + selected
                + ") AS h FROM "
                + rows
                + " quarry_r) SELECT (SELECT count(*) FROM quarry_h), (SELECT count(DISTINCT h)"
                + " FROM quarry_h), (SELECT count(*) FROM "
                + table
                + " WHERE hash("
                + task
                + ") IN (SELECT h FROM quarry_h))")) {
      bind(statement, parameterOrder, query.parameters(), false);
      try (ResultSet rs = statement.executeQuery()) {
        return rs.next() && rs.getLong(1) == rs.getLong(2) && rs.getLong(1) == rs.getLong(3);
      }
    } catch (SQLException e) {
      return false;
    }
  }

  /**
   * Whether {@code table} (a plain scan's table name, as {@link #carry} found it: {@code
   * inventory}, {@code ns.inventory} or {@code catalog.ns.inventory}) names an inventory recorded
   * one row per (bucket, key). A name this cannot place answers no: the check then runs.
   */
  private boolean recordedOneRowPerKey(String table) {
    List<String> parts = new ArrayList<>();
    for (SqlToken t : SqlTokenizer.tokenize(table)) {
      if (t.isTrivia() || t.isSymbol(".")) {
        continue;
      }
      String part = identifier(t);
      if (part == null) {
        return false;
      }
      parts.add(part);
    }
    // plain inventory is the default namespace's: the connection USEs it
    String namespace =
        switch (parts.size()) {
          case 1 -> defaultNamespace.orElse(null);
          case 2 -> parts.get(0);
          case 3 -> CATALOG.equals(parts.get(0)) ? parts.get(1) : null;
          default -> null;
        };
    return namespace != null
        && MetadataTables.INVENTORY.equals(parts.get(parts.size() - 1))
        && oneRowPerKey.contains(namespace);
  }

  private static void checkColumns(List<Column> columns, TaskIdentity identity) {
    if (indexOf(columns, "bucket") < 0 || indexOf(columns, "key") < 0) {
      throw QuarryException.user(
          ErrorCode.QUERY_RESULT_INVALID,
          "the query must return the columns bucket and key (and version_id for versioned"
              + " actions); it returns: "
              + columns.stream().map(Column::name).collect(Collectors.joining(", ")));
    }
    if (identity == TaskIdentity.BUCKET_KEY_VERSION && indexOf(columns, "version_id") < 0) {
      throw new IllegalArgumentException("a query without version_id has no version identity");
    }
  }

  @Override
  public void rows(BoundQuery query, RowVisitor visitor) {
    Prepared prepared = prepare(query);
    try (PreparedStatement statement = connection.prepareStatement(prepared.sql())) {
      bind(statement, prepared.parameterOrder(), query.parameters(), false);
      try (ResultSet rs = statement.executeQuery()) {
        ResultSetMetaData md = rs.getMetaData();
        int n = md.getColumnCount();
        List<String> names = new ArrayList<>(n);
        List<String> types = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
          names.add(md.getColumnName(i));
          types.add(md.getColumnTypeName(i));
        }
        visitor.columns(List.copyOf(names));
        while (rs.next()) {
          List<Object> values = new ArrayList<>(n);
          for (int i = 1; i <= n; i++) {
            values.add(JdbcValues.read(rs, i, types.get(i - 1)));
          }
          visitor.row(java.util.Collections.unmodifiableList(values));
        }
      }
    } catch (SQLException e) {
      throw translate(e, query.sql());
    }
  }

  @Override
  public void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      throw new QuarryException(ErrorCode.INTERNAL_ERROR, "cannot close DuckDB", e);
    } finally {
      spill.close();
    }
  }

  // ---------------------------------------------------------------- connection and catalog

  private Connection open() {
    Properties properties = new Properties();
    // nothing is fetched at run time: only what is compiled into the driver
    properties.setProperty("autoinstall_known_extensions", "false");
    properties.setProperty("autoload_known_extensions", "false");
    properties.setProperty("jdbc_stream_results", "true");
    Connection c;
    try {
      c = dev.quarry.io.DuckDbDriver.connect("jdbc:duckdb:", properties);
    } catch (SQLException e) {
      throw new QuarryException(
          ErrorCode.INTERNAL_ERROR, "cannot start DuckDB: " + e.getMessage(), e);
    }
    try (Statement s = c.createStatement()) {
      if (icuLoaded(c)) {
        s.execute("SET TimeZone = 'UTC'");
      }
      s.execute("SET integer_division = true");
      // bounded, and spilled under the state directory rather than ./.tmp; locked below
      s.execute("SET memory_limit = " + quoteString(limits.memoryLimit()));
      s.execute("SET temp_directory = " + quoteString(spill.path().toString()));
      s.execute("SET max_temp_directory_size = " + quoteString(limits.maxTempSize()));
      // DuckDB keeps what it reads from files in its buffer pool too, up to the memory limit; for
      // local files the page cache already does, and a plan's peak RSS grew with the rows it
      // staged and read back: 20M-row inventory, 684-705 MiB with it, 612-648 without, no more
      // CPU (docs/PERFORMANCE.md, section 8)
      s.execute("SET enable_external_file_cache = false");
      s.execute("ATTACH ':memory:' AS " + quoteIdentifier(CATALOG));
      for (String namespace : namespaces) {
        createNamespace(s, namespace);
      }
      // temporary macros are found whatever the current catalog, also after the USE below
      TrinoCompatibility.install(c);
      s.execute(
          "USE "
              + quoteIdentifier(CATALOG)
              + "."
              + quoteIdentifier(defaultNamespace.orElse("main")));
      s.execute(ENCODE_KEY_MACRO);
      String root = warehouse.root().toAbsolutePath().normalize().toString();
      // the one place DuckDB may write: manifests are staged there, then moved out (writeManifest)
      s.execute(
          "SET allowed_directories = ["
              + quoteString(root + "/")
              + ", "
              + quoteString(staging.toString() + "/")
              + "]");
      s.execute("SET enable_external_access = false");
      s.execute("SET lock_configuration = true");
      return c;
    } catch (SQLException e) {
      closeQuietly(c);
      throw QuarryException.user(
          ErrorCode.METADATA_MISSING,
          "cannot open the metadata warehouse at "
              + warehouse.root()
              + ": "
              + cleanMessage(e.getMessage())
              + " (rebuild it with quarry metadata refresh)");
    } catch (RuntimeException e) {
      closeQuietly(c);
      throw e;
    }
  }

  private static boolean icuLoaded(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT count(*) FROM duckdb_extensions() WHERE extension_name = 'icu' AND"
                    + " loaded")) {
      return rs.next() && rs.getLong(1) > 0;
    }
  }

  private void createNamespace(Statement s, String namespace) throws SQLException {
    String schema = quoteIdentifier(CATALOG) + "." + quoteIdentifier(namespace);
    s.execute("CREATE SCHEMA " + schema);
    Optional<RefreshState> state = warehouse.state(namespace);
    for (String table : List.of(MetadataTables.JOURNAL, MetadataTables.INVENTORY)) {
      List<Path> files = warehouse.parquetFiles(namespace, table);
      s.execute(
          "CREATE VIEW "
              + schema
              + "."
              + quoteIdentifier(table)
              + " AS "
              + tableSql(files, MetadataTables.columns(table)));
      // trusted only for the very files it was counted over (a commit may land in between)
      if (table.equals(MetadataTables.INVENTORY)
          && state.isPresent()
          && state.get().namesFiles()
          && Boolean.TRUE.equals(state.get().inventoryOneRowPerKey())
          && files.stream()
              .map(f -> f.getFileName().toString())
              .toList()
              .equals(state.get().files(table).stream().sorted().toList())) {
        oneRowPerKey.add(namespace);
      }
    }
    // the inventory is as fresh as the last refresh: journal rows after it are uncoalesced
    Optional<Instant> snapshot = state.map(RefreshState::lastRefresh).filter(t -> t != null);
    s.execute(
        "CREATE VIEW "
            + schema
            + "."
            + quoteIdentifier("journal$properties")
            + (snapshot.isPresent()
                ? " AS SELECT "
                    + quoteString(CurrentState.SNAPSHOT_PROPERTY)
                    + " AS key, "
                    + quoteString(Long.toString(snapshot.get().toEpochMilli()))
                    + " AS value"
                : " AS SELECT CAST(NULL AS VARCHAR) AS key, CAST(NULL AS VARCHAR) AS value LIMIT"
                    + " 0"));
  }

  /** The table's files with AWS's exact column types; no files gives an empty table. */
  private static String tableSql(List<Path> files, List<MetadataTables.Column> columns) {
    String projection =
        columns.stream()
            .map(
                c ->
                    (files.isEmpty() ? "NULL" : quoteIdentifier(c.name()))
                        + "::"
                        + c.type()
                        + " AS "
                        + quoteIdentifier(c.name()))
            .collect(Collectors.joining(", "));
    if (files.isEmpty()) {
      return "SELECT " + projection + " LIMIT 0";
    }
    String list =
        files.stream()
            .map(f -> quoteString(f.toAbsolutePath().normalize().toString()))
            .collect(Collectors.joining(", "));
    return "SELECT " + projection + " FROM read_parquet([" + list + "], union_by_name = true)";
  }

  private String resolveNamespace(String given) {
    if (namespaces.contains(given)) {
      return given;
    }
    if (namespaces.contains(MetadataTables.namespace(given))) {
      return MetadataTables.namespace(given);
    }
    throw unknownNamespace(given, 0, null);
  }

  private QuarryException unknownNamespace(String namespace, int offset, String sql) {
    return QuarryException.user(
        ErrorCode.METADATA_MISSING,
        "namespace '"
            + namespace
            + "'"
            + (sql == null ? "" : " (line " + SqlTokenizer.lineOf(sql, offset) + ")")
            + " is not in the warehouse at "
            + warehouse.root()
            + "; "
            + (namespaces.isEmpty()
                ? "it has no namespaces yet (build one with quarry metadata refresh)"
                : "namespaces: " + String.join(", ", namespaces)));
  }

  // ---------------------------------------------------------------- rewriting and binding

  private record Prepared(String sql, List<String> parameterOrder) {}

  private record Column(String name, String type) {}

  private Prepared prepare(BoundQuery query) {
    // the same expansion Athena gets (CurrentState), so both engines run one SQL
    String sql = CurrentState.expand(query.sql(), MetadataTables.JOURNAL);
    List<SqlToken> tokens = SqlTokenizer.tokenize(sql);
    int end = checkSingleQuery(tokens);
    checkNamespaces(tokens, sql);
    String text = sql.substring(0, end);
    TrinoCompatibility.Rendered rendered = TrinoCompatibility.rewrite(text);
    return new Prepared(rendered.sql(), rendered.parameterOrder());
  }

  /** Returns where the query ends, without its trailing semicolons. */
  private static int checkSingleQuery(List<SqlToken> tokens) {
    int end = SqlTokenizer.singleQueryEnd(tokens, QUERY_STARTS);
    SqlToken last = tokens.get(end - 1);
    return last.offset() + last.text().length();
  }

  /** Fails early, listing the namespaces, when a query names one the warehouse lacks. */
  private void checkNamespaces(List<SqlToken> tokens, String sql) {
    List<SqlToken> s = tokens.stream().filter(t -> !t.isTrivia()).toList();
    for (int i = 0; i + 2 < s.size(); i++) {
      if (!s.get(i + 1).isSymbol(".")) {
        continue;
      }
      String first = identifier(s.get(i));
      String second = identifier(s.get(i + 2));
      if (first == null || second == null || (i > 0 && s.get(i - 1).isSymbol("."))) {
        continue;
      }
      boolean threePart = first.equals(CATALOG) && i + 4 < s.size() && s.get(i + 3).isSymbol(".");
      if (threePart && !namespaces.contains(second)) {
        throw unknownNamespace(second, s.get(i + 2).offset(), sql);
      }
      boolean twoPart =
          !threePart
              && (second.equals(MetadataTables.JOURNAL) || second.equals(MetadataTables.INVENTORY))
              && first.startsWith("b_");
      if (twoPart && !namespaces.contains(first)) {
        throw unknownNamespace(first, s.get(i).offset(), sql);
      }
    }
  }

  private static String identifier(SqlToken token) {
    if (token.is(Kind.QUOTED_IDENTIFIER)) {
      String t = token.text();
      return t.substring(1, t.length() - (t.endsWith("\"") && t.length() > 1 ? 1 : 0))
          .replace("\"\"", "\"");
    }
    if (token.is(Kind.WORD)) {
      return token.text().toLowerCase(Locale.ROOT);
    }
    return null;
  }

  private static void bind(
      PreparedStatement statement,
      List<String> order,
      Map<String, Object> values,
      boolean nullForMissing)
      throws SQLException {
    List<String> missing =
        order.stream().distinct().filter(name -> !values.containsKey(name)).toList();
    if (!missing.isEmpty() && !nullForMissing) {
      throw QuarryException.user(
          ErrorCode.PARAMETER_MISSING,
          "the query uses "
              + missing.stream().map(m -> ":" + m).collect(Collectors.joining(", "))
              + " but no value was given for "
              + (missing.size() == 1 ? "it" : "them")
              + (values.isEmpty() ? "" : "; given: " + String.join(", ", values.keySet())));
    }
    for (int i = 0; i < order.size(); i++) {
      int index = i + 1;
      Object value = values.get(order.get(i));
      if (value == null) {
        statement.setNull(index, Types.NULL);
      } else if (value instanceof String v) {
        statement.setString(index, v);
      } else if (value instanceof Long v) {
        statement.setLong(index, v);
      } else if (value instanceof Integer v) {
        statement.setLong(index, v);
      } else if (value instanceof BigDecimal v) {
        statement.setBigDecimal(index, v);
      } else if (value instanceof Double v) {
        statement.setDouble(index, v);
      } else if (value instanceof Boolean v) {
        statement.setBoolean(index, v);
      } else if (value instanceof LocalDateTime v) {
        statement.setObject(index, v);
      } else if (value instanceof LocalDate v) {
        statement.setObject(index, v);
      } else {
        throw QuarryException.user(
            ErrorCode.PARAMETER_INVALID,
            "parameter :"
                + order.get(i)
                + " has a value of type "
                + value.getClass().getSimpleName()
                + "; supported: string, integer, number, boolean, timestamp, date");
      }
    }
  }

  private List<Column> describe(Prepared prepared, BoundQuery query) {
    // DESCRIBE plans the query without reading the tables; unbound parameters are NULL here
    try (PreparedStatement statement = connection.prepareStatement("DESCRIBE " + prepared.sql())) {
      bind(statement, prepared.parameterOrder(), query.parameters(), true);
      List<Column> columns = new ArrayList<>();
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          columns.add(new Column(rs.getString("column_name"), rs.getString("column_type")));
        }
      }
      return columns;
    } catch (SQLException e) {
      throw translate(e, query.sql());
    }
  }

  private static int indexOf(List<Column> columns, String name) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equalsIgnoreCase(name)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Wraps the query so DuckDB returns bucket, key, version_id, size, storage_class, the number of
   * rows that were this one task and the task's place, one row per task in the order of each task's
   * first row. Size and storage class the query lacks come from the inventories, joined inside
   * DuckDB (all namespaces: a row's bucket finds its own). The prefix has no line break, so
   * DuckDB's line numbers stay the query's.
   *
   * @param withEncryption whether to return, after those, encryption_status and kms_key_arn (the
   *     query's, else the inventory's) and the query's object_lock_mode and
   *     object_lock_legal_hold_status (the metadata tables have no Object Lock columns)
   */
  private String objectsSql(
      String sql, List<Column> columns, TaskIdentity identity, boolean withEncryption) {
    List<String> aliases = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      aliases.add("quarry_c" + i);
    }
    int version = indexOf(columns, "version_id");
    int size = indexOf(columns, "size");
    int storageClass = indexOf(columns, "storage_class");
    int encryption = indexOf(columns, "encryption_status");
    int kmsKey = indexOf(columns, "kms_key_arn");
    int lockMode = indexOf(columns, "object_lock_mode");
    int legalHold = indexOf(columns, "object_lock_legal_hold_status");
    boolean encryptionFromInventory = withEncryption && encryption < 0;
    String head = "WITH quarry_q(" + String.join(", ", aliases) + ") AS (";
    // materialised: read twice, and numbered once
    String numbered =
        "quarry_n AS MATERIALIZED (SELECT "
            + String.join(
                ", ",
                "CAST(quarry_c" + indexOf(columns, "bucket") + " AS VARCHAR) AS quarry_b",
                "CAST(quarry_c" + indexOf(columns, "key") + " AS VARCHAR) AS quarry_k",
                "CAST("
                    + (version < 0 ? "NULL" : "quarry_c" + version)
                    + " AS VARCHAR) AS quarry_v",
                (size < 0 ? "NULL" : "quarry_c" + size) + " AS quarry_s",
                "CAST("
                    + (storageClass < 0 ? "NULL" : "quarry_c" + storageClass)
                    + " AS VARCHAR) AS quarry_sc",
                varchar(encryption) + " AS quarry_e",
                varchar(encryption < 0 ? -1 : kmsKey) + " AS quarry_ka",
                varchar(lockMode) + " AS quarry_lm",
                varchar(legalHold) + " AS quarry_lh",
                "row_number() OVER () AS quarry_ord")
            + " FROM quarry_q)";
    // one row per task; the first row's values stand for its duplicates. Grouping only the
    // ordinals and joining the first rows back halves the time of arg_min over every column.
    String taskKey =
        switch (identity) {
          case BUCKET_KEY_VERSION -> "quarry_b, quarry_k, quarry_v";
          case BUCKET_KEY -> "quarry_b, quarry_k";
        };
    String distinct =
        "quarry_f AS (SELECT min(quarry_ord) AS quarry_first, count(*) AS quarry_copies FROM"
            + " quarry_n GROUP BY "
            + taskKey
            + "), quarry_d AS (SELECT n.quarry_b, n.quarry_k, n.quarry_v, n.quarry_s,"
            + " n.quarry_sc, n.quarry_e, n.quarry_ka, n.quarry_lm, n.quarry_lh, n.quarry_ord,"
            + " f.quarry_copies FROM quarry_n n JOIN quarry_f f ON"
            + " n.quarry_ord = f.quarry_first)";
    String extra = withEncryption ? ", quarry_e, quarry_ka, quarry_lm, quarry_lh" : "";
    if (size >= 0 && storageClass >= 0 && !encryptionFromInventory) {
      return head
          + sql
          + "\n), "
          + numbered
          + ", "
          + distinct
          + " SELECT quarry_b, quarry_k, quarry_v, quarry_s, quarry_sc, quarry_copies, quarry_ord"
          + extra
          + " FROM quarry_d ORDER BY quarry_ord";
    }
    String inventories =
        namespaces.isEmpty()
            ? "SELECT NULL::VARCHAR AS bucket, NULL::VARCHAR AS key, NULL::VARCHAR AS version_id,"
                + " NULL::VARCHAR AS sequence_number, NULL::BIGINT AS size, NULL::VARCHAR AS"
                + " storage_class, NULL::VARCHAR AS encryption_status, NULL::VARCHAR AS"
                + " kms_key_arn LIMIT 0"
            : namespaces.stream()
                .map(
                    ns ->
                        "SELECT bucket, key, version_id, sequence_number, size, storage_class,"
                            + " encryption_status, kms_key_arn FROM "
                            + quoteIdentifier(CATALOG)
                            + "."
                            + quoteIdentifier(ns)
                            + ".inventory")
                .collect(Collectors.joining(" UNION ALL "));
    // without version ids a row means the current version: the key's newest inventory row. Only
    // the selected tasks' inventory rows are grouped (by task), not the whole inventory: grouping
    // 10M inventory rows to join 3.7M of them outgrew the memory limit.
    String on =
        "i.bucket = d.quarry_b AND i.key = d.quarry_k"
            + (version < 0 ? "" : " AND i.version_id IS NOT DISTINCT FROM d.quarry_v");
    String lookup =
        "SELECT d.quarry_ord AS quarry_ord,"
            + " arg_max(i.size, coalesce(i.sequence_number, '')) AS size,"
            + " arg_max(i.storage_class, coalesce(i.sequence_number, '')) AS storage_class,"
            + " arg_max(i.encryption_status, coalesce(i.sequence_number, '')) AS"
            + " encryption_status,"
            + " arg_max(i.kms_key_arn, coalesce(i.sequence_number, '')) AS kms_key_arn"
            + " FROM quarry_d d JOIN ("
            + inventories
            + ") i ON "
            + on
            + " GROUP BY d.quarry_ord";
    return head
        + sql
        + "\n), "
        + numbered
        + ", "
        + distinct.replace("quarry_d AS (", "quarry_d AS MATERIALIZED (")
        + ", quarry_i AS ("
        + lookup
        + ") SELECT "
        + String.join(
            ", ",
            "d.quarry_b",
            "d.quarry_k",
            "d.quarry_v",
            size >= 0 ? "d.quarry_s" : "i.size",
            storageClass >= 0 ? "d.quarry_sc" : "i.storage_class",
            "d.quarry_copies",
            "d.quarry_ord")
        + (withEncryption
            ? ", "
                + (encryptionFromInventory
                    ? "i.encryption_status, i.kms_key_arn"
                    : "d.quarry_e, d.quarry_ka")
                + ", d.quarry_lm, d.quarry_lh"
            : "")
        + " FROM quarry_d d LEFT JOIN quarry_i i ON i.quarry_ord = d.quarry_ord"
        + " ORDER BY d.quarry_ord";
  }

  /**
   * {@link #objectsSql}'s columns for a query whose rows are known to be distinct tasks that carry
   * their own size, class and encryption: each row as it comes, one copy, no ordinal (unread).
   */
  private static String aloneRowsSql(String sql, List<Column> columns) {
    List<String> aliases = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      aliases.add("quarry_c" + i);
    }
    return "SELECT "
        + String.join(
            ", ",
            varchar(indexOf(columns, "bucket")),
            varchar(indexOf(columns, "key")),
            varchar(indexOf(columns, "version_id")),
            "quarry_c" + indexOf(columns, "size"),
            varchar(indexOf(columns, "storage_class")),
            "1::BIGINT",
            "NULL::BIGINT",
            varchar(indexOf(columns, "encryption_status")),
            varchar(indexOf(columns, "kms_key_arn")),
            varchar(indexOf(columns, "object_lock_mode")),
            varchar(indexOf(columns, "object_lock_legal_hold_status")))
        + " FROM ("
        + sql
        + "\n) quarry_q("
        + String.join(", ", aliases)
        + ")";
  }

  private static String varchar(int column) {
    return "CAST(" + (column < 0 ? "NULL" : "quarry_c" + column) + " AS VARCHAR)";
  }

  private static Long toLong(Object value, long row) {
    if (value == null) {
      return null;
    }
    if (value instanceof Number n) {
      return n.longValue();
    }
    try {
      return Long.valueOf(value.toString().trim());
    } catch (NumberFormatException e) {
      throw QuarryException.user(
          ErrorCode.QUERY_RESULT_INVALID,
          "row " + row + ": the size column is not a number: '" + value + "'");
    }
  }

  // ---------------------------------------------------------------- errors

  private QuarryException translate(SQLException e, String sql) {
    String message = cleanMessage(e.getMessage());
    Matcher schema = MISSING_SCHEMA.matcher(message);
    if (schema.find()) {
      return unknownNamespace(schema.group(1), 0, null);
    }
    StringBuilder text = new StringBuilder("query failed: ");
    String firstLine = message.lines().findFirst().orElse(message);
    text.append(message.split("\n\nLINE ")[0].strip());
    Matcher line = LINE.matcher(message);
    if (line.find()) {
      int n = Integer.parseInt(line.group(1));
      List<String> lines = sql.lines().toList();
      if (n >= 1 && n <= lines.size()) {
        text.append("\n  at line ").append(n).append(": ").append(lines.get(n - 1).strip());
      }
    }
    if (defaultNamespace.isEmpty()
        && (message.contains("Table with name journal does not exist")
            || message.contains("Table with name inventory does not exist"))) {
      text.append(
          "\n  plain journal / inventory need a default namespace (--bucket); namespaces: "
              + (namespaces.isEmpty() ? "(none)" : String.join(", ", namespaces)));
    }
    if (firstLine.startsWith("Out of Memory Error")) {
      return new QuarryException(ErrorCode.QUERY_MEMORY_EXCEEDED, outOfMemory(message), e);
    }
    ErrorCode code =
        firstLine.startsWith("IO Error")
            ? KnownFailures.code(e).orElse(ErrorCode.STORAGE_FAILED)
            : firstLine.startsWith("INTERNAL Error") || firstLine.startsWith("FATAL Error")
                ? ErrorCode.INTERNAL_ERROR
                : ErrorCode.QUERY_INVALID;
    return new QuarryException(code, text.toString(), e);
  }

  /** Which bound the query hit and how to raise it; DuckDB's own advice names its SQL settings. */
  private String outOfMemory(String message) {
    boolean spillFull = message.contains("max_temp_directory_size");
    String first = message.lines().findFirst().orElse(message);
    return "query failed: it needs more than "
        + (spillFull
            ? "duckdb-max-temp-size "
                + limits.maxTempSize()
                + " of spill space (in "
                + spill.path().getParent()
                + ") beyond duckdb-memory-limit "
                + limits.memoryLimit()
            : "duckdb-memory-limit " + limits.memoryLimit() + " of memory")
        + " ("
        + first.replaceFirst("^Out of Memory Error: ", "")
        + ")\n  narrow the query, or raise "
        + (spillFull
            ? "duckdb-max-temp-size (QUARRY_DUCKDB_MAX_TEMP_SIZE)"
            : "duckdb-memory-limit (QUARRY_DUCKDB_MEMORY_LIMIT)")
        + " in the profile of quarry.yaml";
  }

  /** DuckDB's own message, without the JDBC wrapper's and with Trino's function names. */
  private static String cleanMessage(String raw) {
    String message = raw == null ? "(no message)" : raw;
    int wrapped = message.indexOf(PENDING_PREFIX);
    if (wrapped >= 0) {
      int error = message.indexOf("Error: ", wrapped + PENDING_PREFIX.length());
      if (error >= 0) {
        message = message.substring(error + "Error: ".length());
      }
    }
    for (Map.Entry<String, String> name : TrinoCompatibility.duckdbToTrinoNames().entrySet()) {
      message = message.replace(name.getKey(), name.getValue());
    }
    return message;
  }

  // ---------------------------------------------------------------- quoting (DDL only)

  static String quoteIdentifier(String name) {
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  static String quoteString(String value) {
    return '\'' + value.replace("'", "''") + '\'';
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException ignored) {
      // the setup error is the one to report
    }
  }
}
