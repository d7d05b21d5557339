package dev.quarry.query.athena;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Duration;

/**
 * What one Athena query cost, for the plan to print.
 *
 * @param resultLocation the result file, {@code s3://.../<query-id>.csv}
 * @param bytesScanned as Athena reports it (DataScannedInBytes)
 * @param costUsd {@code bytesScanned / 10^12 * price per TB}: Athena's per-TB price without its
 *     per-query minimum (10 MB, rounded up to the next MB), so an estimate
 * @param engineTime the engine's execution time as Athena reports it
 */
public record QueryStats(
    String queryExecutionId,
    String resultLocation,
    long bytesScanned,
    BigDecimal costUsd,
    Duration engineTime) {
  private static final BigDecimal TERABYTE = BigDecimal.TEN.pow(12);

  public QueryStats {
    requireNonNull(queryExecutionId, "queryExecutionId is null");
    requireNonNull(resultLocation, "resultLocation is null");
    requireNonNull(costUsd, "costUsd is null");
    requireNonNull(engineTime, "engineTime is null");
  }

  /** The cost of scanning {@code bytes} at {@code pricePerTerabyte} dollars per TB. */
  public static BigDecimal cost(long bytes, BigDecimal pricePerTerabyte) {
    return BigDecimal.valueOf(bytes)
        .multiply(pricePerTerabyte)
        .divide(TERABYTE, MathContext.DECIMAL64)
        .setScale(6, RoundingMode.HALF_UP);
  }
}
