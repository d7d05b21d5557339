package dev.quarry.query;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Runs SQL written for Athena over the S3 Metadata tables. Adapters: {@code embedded} (DuckDB over
 * a local warehouse) and {@code athena}.
 *
 * <p>Errors in the SQL itself are user errors ({@link dev.quarry.error.ErrorKind#USER}) carrying
 * the engine's message; an engine that cannot be reached is external.
 */
public interface QueryEngine extends AutoCloseable {
  /** The engine's name as a profile writes it: {@code embedded} or {@code athena}. */
  String name();

  /** The names of the columns the query returns, found without reading the tables' data. */
  List<String> columns(BoundQuery query);

  /**
   * Runs a playbook query and streams every selected object to {@code sink} once: rows with the
   * same {@code identity} are one task, the first one's values stand for the others. The
   * de-duplication happens inside the engine (DuckDB's or Athena's), so memory here does not grow
   * with the rows. The query returns {@code bucket} and {@code key}, optionally {@code version_id};
   * {@code size} and {@code storage_class} come from the query's own columns when it has them, else
   * from the engine's inventory where it has one.
   *
   * @param identity {@link TaskIdentity#BUCKET_KEY_VERSION} only for a query that returns {@code
   *     version_id}
   * @return how many distinct objects were streamed and how many duplicates removed
   */
  Selection objects(BoundQuery query, TaskIdentity identity, Consumer<ObjectRow> sink);

  /**
   * Writes the manifest of a playbook query itself, without the rows crossing into the JVM: the
   * same file, byte for byte, and the same totals as {@link #objects} streamed into {@link
   * dev.quarry.manifest.ManifestWriter} and counted row by row. Empty when this engine cannot, or
   * cannot for this query (a value the engine's CSV would quote differently, a row without a
   * bucket): the caller then streams {@link #objects}, which also reports such rows' errors.
   */
  default Optional<SelectionSummary> writeManifest(BoundQuery query, ManifestRequest request) {
    return Optional.empty();
  }

  /**
   * What every query this engine ran so far cost, for engines that bill queries (Athena); empty for
   * the others. Callers take the difference of two readings for the queries in between.
   */
  default Optional<QueryStatistics> statistics() {
    return Optional.empty();
  }

  /** Runs any query and streams its rows, for ad-hoc queries ({@code quarry query}). */
  void rows(BoundQuery query, RowVisitor visitor);

  /** Receives a result: the column names first, then each row's values in column order. */
  interface RowVisitor {
    void columns(List<String> names);

    /**
     * Values are String, Long, Integer, Double, BigDecimal, Boolean, LocalDateTime (UTC),
     * LocalDate, Map (a map column: {@code Map<String, String>}), List or null.
     */
    void row(List<Object> values);
  }

  @Override
  void close();
}
