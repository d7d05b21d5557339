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
 */
public record QueryStatistics(
    int queries, long bytesScanned, BigDecimal costUsd, Duration engineTime) {
  public static final QueryStatistics NONE =
      new QueryStatistics(0, 0, BigDecimal.ZERO, Duration.ZERO);

  public QueryStatistics {
    requireNonNull(costUsd, "costUsd is null");
    requireNonNull(engineTime, "engineTime is null");
  }

  public QueryStatistics plus(QueryStatistics other) {
    return new QueryStatistics(
        queries + other.queries,
        bytesScanned + other.bytesScanned,
        costUsd.add(other.costUsd),
        engineTime.plus(other.engineTime));
  }

  /** What was spent since {@code earlier}, a statistics of the same engine. */
  public QueryStatistics minus(QueryStatistics earlier) {
    return new QueryStatistics(
        queries - earlier.queries,
        bytesScanned - earlier.bytesScanned,
        costUsd.subtract(earlier.costUsd),
        engineTime.minus(earlier.engineTime));
  }
}
