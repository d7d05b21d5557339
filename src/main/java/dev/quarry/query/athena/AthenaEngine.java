package dev.quarry.query.athena;

import static java.util.Objects.requireNonNull;

import dev.quarry.config.QuarryConfig;
import dev.quarry.config.S3Clients;
import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.metadata.MetadataTables;
import dev.quarry.query.BoundQuery;
import dev.quarry.query.CurrentState;
import dev.quarry.query.MetadataTable;
import dev.quarry.query.ObjectRow;
import dev.quarry.query.PlainTables;
import dev.quarry.query.QueryEngine;
import dev.quarry.query.QueryStatistics;
import dev.quarry.query.Selection;
import dev.quarry.query.TaskIdentity;
import dev.quarry.query.athena.AthenaSql.Prepared;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.athena.AthenaClient;
import software.amazon.awssdk.services.athena.model.ColumnInfo;
import software.amazon.awssdk.services.athena.model.QueryExecution;
import software.amazon.awssdk.services.athena.model.QueryExecutionState;
import software.amazon.awssdk.services.athena.model.QueryExecutionStatistics;
import software.amazon.awssdk.services.athena.model.StartQueryExecutionRequest;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Runs playbook queries on Amazon Athena, over the S3 Metadata tables in {@code
 * s3tablescatalog/aws-s3}.
 *
 * <p>A query runs with StartQueryExecution in the configured workgroup, catalog and database, its
 * {@code :name} parameters sent as positional execution parameters (see {@link AthenaSql}; values
 * are never spliced into the text). The engine polls GetQueryExecution, waiting from {@link
 * AthenaSettings#pollStart()} and doubling up to {@link AthenaSettings#pollMax()}; a query still
 * running after {@link AthenaSettings#timeout()} is stopped and reported. Bytes scanned and the
 * implied cost of the last query are in {@link #lastStats()}.
 *
 * <p>Results are read from the CSV file Athena writes to the result location ({@code
 * <output>/<query-id>.csv}, the location GetQueryExecution reports, so a workgroup that enforces
 * its own location is honoured) and streamed record by record: memory stays flat whatever the
 * number of rows, and no time is spent paging GetQueryResults 1,000 rows at a time.
 *
 * <p>{@link #columns} has no cheap DESCRIBE on Athena: it runs {@code SELECT * FROM (<query>) LIMIT
 * 0}, which Athena plans (resolving every table, column and function, so errors show) without
 * reading data, and takes the names from the result's metadata.
 */
public final class AthenaEngine implements QueryEngine {
  private static final int NO_COLUMN = -1;

  private final AthenaClient athena;
  private final S3Client s3;
  private final AthenaSettings settings;
  private volatile QueryStats lastStats;
  private QueryStatistics total = QueryStatistics.NONE;

  /** An engine that uses, and closes, the given clients. */
  public AthenaEngine(AthenaClient athena, S3Client s3, AthenaSettings settings) {
    this.athena = requireNonNull(athena, "athena is null");
    this.s3 = requireNonNull(s3, "s3 is null");
    this.settings = requireNonNull(settings, "settings is null");
  }

  /** An engine with clients for the configured region, credentials and endpoint. */
  public static AthenaEngine create(QuarryConfig config, AthenaSettings settings) {
    AthenaClient athena = AthenaClients.create(config);
    try {
      return new AthenaEngine(athena, S3Clients.create(config, 4), settings);
    } catch (RuntimeException e) {
      athena.close();
      throw e;
    }
  }

  @Override
  public String name() {
    return "athena";
  }

  public AthenaSettings settings() {
    return settings;
  }

  /** What the last query that reached Athena cost; empty before the first one. */
  public Optional<QueryStats> lastStats() {
    return Optional.ofNullable(lastStats);
  }

  /** Every query that reached Athena and finished, successful or not, added up. */
  @Override
  public synchronized Optional<QueryStatistics> statistics() {
    return Optional.of(total);
  }

  private synchronized void count(QueryStats stats) {
    total =
        total.plus(
            new QueryStatistics(
                1,
                stats.bytesScanned(),
                stats.costUsd(),
                stats.engineTime(),
                List.of(stats.queryExecutionId())));
  }

  @Override
  public List<String> columns(BoundQuery query) {
    Execution execution = execute(AthenaSql.prepare(renamed(query)).describing(), query.sql());
    List<ColumnInfo> metadata = columnInfo(execution);
    if (!metadata.isEmpty()) {
      return metadata.stream().map(ColumnInfo::name).toList();
    }
    return read(execution, ResultCsv::header);
  }

  @Override
  public Selection objects(BoundQuery query, TaskIdentity identity, Consumer<ObjectRow> sink) {
    requireNonNull(identity, "identity is null");
    requireNonNull(sink, "sink is null");
    Execution execution =
        execute(AthenaSql.prepare(renamed(query)).distinctTasks(identity), query.sql());
    return read(execution, csv -> stream(csv, sink));
  }

  @Override
  public void rows(BoundQuery query, RowVisitor visitor) {
    requireNonNull(visitor, "visitor is null");
    Execution execution = execute(AthenaSql.prepare(renamed(query)), query.sql());
    List<ColumnInfo> metadata = columnInfo(execution);
    read(
        execution,
        csv -> {
          List<String> names = csv.header();
          List<String> types =
              metadata.size() == names.size()
                  ? metadata.stream().map(ColumnInfo::type).toList()
                  : Collections.nCopies(names.size(), null);
          visitor.columns(names);
          for (List<String> row = csv.next(); row != null; row = csv.next()) {
            List<Object> values = new ArrayList<>(names.size());
            for (int i = 0; i < names.size(); i++) {
              values.add(AthenaValues.convert(types.get(i), i < row.size() ? row.get(i) : null));
            }
            visitor.row(Collections.unmodifiableList(values));
          }
          return null;
        });
  }

  @Override
  public void close() {
    try {
      athena.close();
    } finally {
      s3.close();
    }
  }

  // ---------------------------------------------------------------- running a query

  /**
   * The query with current_state expanded over plain journal / inventory, and those standing for
   * the configured table names.
   */
  private BoundQuery renamed(BoundQuery query) {
    String sql =
        CurrentState.expand(
            query.sql(),
            settings.tableNames().getOrDefault(MetadataTable.JOURNAL, MetadataTables.JOURNAL));
    return settings.tableNames().isEmpty() && sql.equals(query.sql())
        ? query
        : new BoundQuery(PlainTables.rename(sql, settings.tableNames()), query.parameters());
  }

  private record Execution(String id, S3Location result) {}

  private Execution execute(Prepared prepared, String userSql) {
    StartQueryExecutionRequest.Builder request =
        StartQueryExecutionRequest.builder()
            .queryString(prepared.sql())
            .workGroup(settings.workgroup())
            .queryExecutionContext(
                c -> c.catalog(settings.catalog()).database(settings.database().orElse(null)));
    settings.outputLocation().ifPresent(o -> request.resultConfiguration(r -> r.outputLocation(o)));
    if (!prepared.parameters().isEmpty()) {
      request.executionParameters(prepared.parameters());
    }
    String id;
    try {
      id = athena.startQueryExecution(request.build()).queryExecutionId();
    } catch (SdkException e) {
      throw AthenaFailures.call("start the query", e);
    }
    return await(id, userSql);
  }

  private Execution await(String id, String userSql) {
    long start = System.nanoTime();
    long deadline = start + settings.timeout().toNanos();
    Duration delay = settings.pollStart();
    while (true) {
      QueryExecution execution = describe(id);
      QueryExecutionState state = execution.status() == null ? null : execution.status().state();
      if (state == null) {
        throw QuarryException.external(
            ErrorCode.ATHENA_FAILED, "Athena gave no state for query " + id, null);
      }
      boolean finished =
          switch (state) {
            case QUEUED, RUNNING -> false;
            case SUCCEEDED, FAILED, CANCELLED -> true;
            case UNKNOWN_TO_SDK_VERSION ->
                throw QuarryException.external(
                    ErrorCode.ATHENA_FAILED,
                    "Athena query "
                        + id
                        + " is in a state this Quarry does not know: "
                        + execution.status().stateAsString(),
                    null);
          };
      if (finished) {
        return finish(id, execution, state, userSql);
      }
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0) {
        boolean stopped = stop(id);
        throw AthenaFailures.timedOut(
            id, Duration.ofNanos(System.nanoTime() - start), state.toString(), stopped);
      }
      sleep(id, Duration.ofNanos(Math.min(delay.toNanos(), remaining)));
      delay = delay.multipliedBy(2);
      if (delay.compareTo(settings.pollMax()) > 0) {
        delay = settings.pollMax();
      }
    }
  }

  private Execution finish(
      String id, QueryExecution execution, QueryExecutionState state, String userSql) {
    S3Location result = resultLocation(id, execution);
    QueryExecutionStatistics statistics = execution.statistics();
    long bytes =
        statistics == null || statistics.dataScannedInBytes() == null
            ? 0
            : statistics.dataScannedInBytes();
    long engineMillis =
        statistics == null || statistics.engineExecutionTimeInMillis() == null
            ? 0
            : statistics.engineExecutionTimeInMillis();
    lastStats =
        new QueryStats(
            id,
            result == null ? "" : result.toString(),
            bytes,
            QueryStats.cost(bytes, settings.pricePerTerabyte()),
            Duration.ofMillis(engineMillis));
    count(lastStats);
    return switch (state) {
      case SUCCEEDED -> {
        if (result == null) {
          throw QuarryException.external(
              ErrorCode.ATHENA_FAILED,
              "Athena query "
                  + id
                  + " succeeded without a result location; set athena-output or a result"
                  + " location in workgroup "
                  + settings.workgroup(),
              null);
        }
        yield new Execution(id, result);
      }
      case FAILED -> throw AthenaFailures.failed(id, execution.status(), userSql);
      case CANCELLED -> throw AthenaFailures.cancelled(id, execution.status());
      case QUEUED, RUNNING, UNKNOWN_TO_SDK_VERSION ->
          throw new IllegalStateException("not finished: " + state);
    };
  }

  /** Where the result file is: as Athena reports it, else where the settings put it. */
  private S3Location resultLocation(String id, QueryExecution execution) {
    String reported =
        execution.resultConfiguration() == null
            ? null
            : execution.resultConfiguration().outputLocation();
    String location =
        reported != null && !reported.isBlank()
            ? reported
            : settings.outputLocation().map(o -> o + id + ".csv").orElse(null);
    if (location == null) {
      return null;
    }
    try {
      return S3Location.parse(location);
    } catch (IllegalArgumentException e) {
      throw QuarryException.external(
          ErrorCode.ATHENA_FAILED, "Athena reported an odd result location: " + location, e);
    }
  }

  private QueryExecution describe(String id) {
    try {
      return athena.getQueryExecution(r -> r.queryExecutionId(id)).queryExecution();
    } catch (SdkException e) {
      throw AthenaFailures.call("report on query " + id, e);
    }
  }

  /** Stops a query; false if Athena could not be told. */
  private boolean stop(String id) {
    try {
      athena.stopQueryExecution(r -> r.queryExecutionId(id));
      return true;
    } catch (SdkException e) {
      return false;
    }
  }

  private void sleep(String id, Duration duration) {
    try {
      Thread.sleep(Math.max(1, duration.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      boolean stopped = stop(id);
      throw new QuarryException(
          ErrorCode.ATHENA_FAILED,
          "interrupted while Athena query "
              + id
              + " ran; "
              + (stopped ? "it was stopped" : "stopping it failed: stop it in the Athena console"),
          e);
    }
  }

  /** The result's column names and types; one small call, no rows read. */
  private List<ColumnInfo> columnInfo(Execution execution) {
    try {
      var resultSet =
          athena.getQueryResults(r -> r.queryExecutionId(execution.id()).maxResults(1)).resultSet();
      return resultSet == null || resultSet.resultSetMetadata() == null
          ? List.of()
          : resultSet.resultSetMetadata().columnInfo();
    } catch (SdkException e) {
      throw AthenaFailures.call("describe the result of query " + execution.id(), e);
    }
  }

  // ---------------------------------------------------------------- reading the result file

  private <T> T read(Execution execution, Function<ResultCsv, T> reader) {
    S3Location location = execution.result();
    ResponseInputStream<GetObjectResponse> in;
    try {
      in = s3.getObject(r -> r.bucket(location.bucket()).key(location.key()));
    } catch (NoSuchKeyException e) {
      throw QuarryException.external(
          ErrorCode.ATHENA_FAILED,
          "the result of Athena query " + execution.id() + " is not at " + location,
          e);
    } catch (SdkException e) {
      throw QuarryException.external(
          ErrorCode.ATHENA_FAILED,
          "cannot read the result of Athena query "
              + execution.id()
              + " at "
              + location
              + ": "
              + e.getMessage(),
          e);
    }
    T value;
    try {
      value = reader.apply(new ResultCsv(in, location.toString()));
    } catch (RuntimeException | Error e) {
      // closing would read the rest of a possibly huge file to reuse the connection
      in.abort();
      throw e;
    }
    try {
      in.close();
    } catch (IOException e) {
      // everything was read; the connection is the HTTP client's to discard
    }
    return value;
  }

  private static Selection stream(ResultCsv csv, Consumer<ObjectRow> sink) {
    List<String> header = csv.header();
    int bucket = indexOf(header, "bucket");
    int key = indexOf(header, "key");
    int version = indexOf(header, "version_id");
    int size = indexOf(header, "size");
    int storageClass = indexOf(header, "storage_class");
    int copies = indexOf(header, AthenaSql.COPIES);
    // Athena joins no inventory for them: only what the query selects is known
    int encryption = indexOf(header, "encryption_status");
    int kmsKey = indexOf(header, "kms_key_arn");
    int lockMode = indexOf(header, "object_lock_mode");
    int legalHold = indexOf(header, "object_lock_legal_hold_status");
    boolean lockKnown = lockMode != NO_COLUMN || legalHold != NO_COLUMN;
    if (bucket == NO_COLUMN || key == NO_COLUMN) {
      throw QuarryException.user(
          ErrorCode.QUERY_RESULT_INVALID,
          "the query must return the columns bucket and key (and version_id for versioned"
              + " actions); it returns: "
              + (header.isEmpty() ? "(nothing)" : String.join(", ", header)));
    }
    long count = 0;
    long duplicates = 0;
    for (List<String> row = csv.next(); row != null; row = csv.next()) {
      count++;
      sink.accept(
          ObjectRow.selected(
                  count,
                  at(row, bucket),
                  at(row, key),
                  emptyToNull(at(row, version)),
                  toLong(at(row, size), count),
                  emptyToNull(at(row, storageClass)))
              .withEncryption(
                  emptyToNull(at(row, encryption)),
                  emptyToNull(at(row, kmsKey)),
                  lockKnown
                      ? ObjectRow.locked(
                          emptyToNull(at(row, lockMode)), emptyToNull(at(row, legalHold)))
                      : null));
      // a result without the column (a canned one) has one row per task
      Long rows = copies == NO_COLUMN ? null : toLong(at(row, copies), count);
      duplicates += rows == null ? 0 : rows - 1;
    }
    return new Selection(count, duplicates);
  }

  private static int indexOf(List<String> header, String name) {
    for (int i = 0; i < header.size(); i++) {
      if (header.get(i) != null && header.get(i).toLowerCase(Locale.ROOT).equals(name)) {
        return i;
      }
    }
    return NO_COLUMN;
  }

  private static String at(List<String> row, int index) {
    return index == NO_COLUMN || index >= row.size() ? null : row.get(index);
  }

  private static String emptyToNull(String value) {
    return value == null || value.isEmpty() ? null : value;
  }

  private static Long toLong(String value, long row) {
    if (value == null || value.isEmpty()) {
      return null;
    }
    try {
      return Long.valueOf(value.strip());
    } catch (NumberFormatException e) {
      throw QuarryException.user(
          ErrorCode.QUERY_RESULT_INVALID,
          "row " + row + ": the size column is not a number: '" + value + "'");
    }
  }
}
