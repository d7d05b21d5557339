package dev.quarry.query;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * What queries cost on an engine that bills them (Athena): how many ran, the bytes they scanned and
 * the price that implies.
 *
 * @param bytesScanned as the engine reports it
 * @param costUsd the estimate the engine derives from it (Athena: per TB scanned, without its
 *     per-query minimum)
 * @param engineTime the engine's own execution time
 * @param queryIds the engine's ids of the queries, in the order they ran (Athena's query execution
 *     ids), so a run can name the queries its manifest came from
 */
public record QueryStatistics(
    int queries,
    long bytesScanned,
    BigDecimal costUsd,
    Duration engineTime,
    java.util.List<String> queryIds) {
  public static final QueryStatistics NONE =
      new QueryStatistics(0, 0, BigDecimal.ZERO, Duration.ZERO);

  public QueryStatistics {
    requireNonNull(costUsd, "costUsd is null");
    requireNonNull(engineTime, "engineTime is null");
    queryIds = java.util.List.copyOf(queryIds);
  }

  /** Statistics of queries whose ids are not known. */
  public QueryStatistics(int queries, long bytesScanned, BigDecimal costUsd, Duration engineTime) {
    this(queries, bytesScanned, costUsd, engineTime, java.util.List.of());
  }

  public QueryStatistics plus(QueryStatistics other) {
    return new QueryStatistics(
        queries + other.queries,
        bytesScanned + other.bytesScanned,
        costUsd.add(other.costUsd),
        engineTime.plus(other.engineTime),
        java.util.stream.Stream.concat(queryIds.stream(), other.queryIds.stream()).toList());
  }

  /** What was spent since {@code earlier}, a statistics of the same engine. */
  public QueryStatistics minus(QueryStatistics earlier) {
    return new QueryStatistics(
        queries - earlier.queries,
        bytesScanned - earlier.bytesScanned,
        costUsd.subtract(earlier.costUsd),
        engineTime.minus(earlier.engineTime),
        // the same engine's ids only grow: what ran since is what follows the earlier ones
        queryIds.subList(Math.min(earlier.queryIds.size(), queryIds.size()), queryIds.size()));
  }
}
