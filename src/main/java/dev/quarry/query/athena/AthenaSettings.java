package dev.quarry.query.athena;

import static java.util.Objects.requireNonNull;

import dev.quarry.config.QuarryConfig;
import dev.quarry.query.MetadataTable;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Where and how the Athena engine runs its queries.
 *
 * @param workgroup the Athena workgroup; its settings may override the output location
 * @param catalog the catalog the S3 Metadata tables are in
 * @param database the namespace plain table names resolve in, such as {@code b_starwatcher}; empty
 *     means queries name it themselves
 * @param outputLocation {@code s3://bucket/prefix/} for the result files; empty means the
 *     workgroup's result location
 * @param pollStart the first wait between two GetQueryExecution calls; it doubles up to {@code
 *     pollMax}
 * @param timeout how long a query may take before it is stopped
 * @param pricePerTerabyte US dollars per TB (10^12 bytes) scanned, for the cost estimate
 * @param tableNames the names plain {@code journal} and {@code inventory} stand for in {@code
 *     database}, where they differ (a V1 metadata configuration names its journal table itself)
 */
public record AthenaSettings(
    String workgroup,
    String catalog,
    Optional<String> database,
    Optional<String> outputLocation,
    Duration pollStart,
    Duration pollMax,
    Duration timeout,
    BigDecimal pricePerTerabyte,
    Map<MetadataTable, String> tableNames) {
  public static final String DEFAULT_WORKGROUP = "primary";
  public static final String DEFAULT_CATALOG = "s3tablescatalog/aws-s3";
  public static final BigDecimal DEFAULT_PRICE_PER_TERABYTE = new BigDecimal("5.00");

  public AthenaSettings {
    requireNonNull(workgroup, "workgroup is null");
    requireNonNull(catalog, "catalog is null");
    requireNonNull(database, "database is null");
    requireNonNull(outputLocation, "outputLocation is null");
    requireNonNull(pollStart, "pollStart is null");
    requireNonNull(pollMax, "pollMax is null");
    requireNonNull(timeout, "timeout is null");
    requireNonNull(pricePerTerabyte, "pricePerTerabyte is null");
    tableNames = Map.copyOf(requireNonNull(tableNames, "tableNames is null"));
    outputLocation = outputLocation.map(AthenaSettings::folder);
    if (pollStart.isNegative() || pollStart.isZero() || pollMax.compareTo(pollStart) < 0) {
      throw new IllegalArgumentException(
          "poll intervals must be positive, start <= max: " + pollStart + ", " + pollMax);
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
  }

  /**
   * Defaults: workgroup {@code primary}, catalog {@code s3tablescatalog/aws-s3}, polls from 250 ms
   * doubling to 5 s, a 30 minute timeout, $5.00 per TB.
   */
  public static AthenaSettings defaults() {
    return new AthenaSettings(
        DEFAULT_WORKGROUP,
        DEFAULT_CATALOG,
        Optional.empty(),
        Optional.empty(),
        Duration.ofMillis(250),
        Duration.ofSeconds(5),
        Duration.ofMinutes(30),
        DEFAULT_PRICE_PER_TERABYTE,
        Map.of());
  }

  /** The defaults, with what the configuration sets. */
  public static AthenaSettings from(QuarryConfig.Athena config) {
    AthenaSettings d = defaults();
    return new AthenaSettings(
        config.workgroup().orElse(d.workgroup),
        config.catalog().orElse(d.catalog),
        config.database(),
        config.outputLocation(),
        d.pollStart,
        d.pollMax,
        d.timeout,
        d.pricePerTerabyte,
        d.tableNames);
  }

  public AthenaSettings withWorkgroup(String workgroup) {
    return new AthenaSettings(
        workgroup,
        catalog,
        database,
        outputLocation,
        pollStart,
        pollMax,
        timeout,
        pricePerTerabyte,
        tableNames);
  }

  public AthenaSettings withDatabase(String database) {
    return new AthenaSettings(
        workgroup,
        catalog,
        Optional.of(database),
        outputLocation,
        pollStart,
        pollMax,
        timeout,
        pricePerTerabyte,
        tableNames);
  }

  public AthenaSettings withCatalog(String catalog) {
    return new AthenaSettings(
        workgroup,
        catalog,
        database,
        outputLocation,
        pollStart,
        pollMax,
        timeout,
        pricePerTerabyte,
        tableNames);
  }

  /** With plain {@code journal} / {@code inventory} standing for these names. */
  public AthenaSettings withTableNames(Map<MetadataTable, String> tableNames) {
    return new AthenaSettings(
        workgroup,
        catalog,
        database,
        outputLocation,
        pollStart,
        pollMax,
        timeout,
        pricePerTerabyte,
        tableNames);
  }

  public AthenaSettings withOutputLocation(String outputLocation) {
    return new AthenaSettings(
        workgroup,
        catalog,
        database,
        Optional.of(outputLocation),
        pollStart,
        pollMax,
        timeout,
        pricePerTerabyte,
        tableNames);
  }

  public AthenaSettings withPolling(Duration pollStart, Duration pollMax) {
    return new AthenaSettings(
        workgroup,
        catalog,
        database,
        outputLocation,
        pollStart,
        pollMax,
        timeout,
        pricePerTerabyte,
        tableNames);
  }

  public AthenaSettings withTimeout(Duration timeout) {
    return new AthenaSettings(
        workgroup,
        catalog,
        database,
        outputLocation,
        pollStart,
        pollMax,
        timeout,
        pricePerTerabyte,
        tableNames);
  }

  public AthenaSettings withPricePerTerabyte(BigDecimal pricePerTerabyte) {
    return new AthenaSettings(
        workgroup,
        catalog,
        database,
        outputLocation,
        pollStart,
        pollMax,
        timeout,
        pricePerTerabyte,
        tableNames);
  }

  private static String folder(String location) {
    S3Location.parse(location);
    return location.endsWith("/") ? location : location + "/";
  }
}
