package dev.quarry.cost;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;

/**
 * What a plan would cost, before anything runs: on AWS as one S3 Batch Operations job (its fees and
 * the S3 requests it makes), the query that selected the objects, and, for a set small enough, the
 * same work through the local executor's direct API calls. An estimate from list prices, never a
 * bill.
 *
 * @param prices where the prices came from, and their date and region
 * @param batch the work as S3 Batch Operations jobs
 * @param direct the same requests made one by one by the local executor (no Batch Operations fees);
 *     absent for sets too large for one machine to do
 * @param query what selecting the objects cost
 * @param notes what the estimate leaves out or assumes
 */
public record CostEstimate(
    Prices prices,
    Option batch,
    @JsonInclude(JsonInclude.Include.NON_ABSENT) Optional<Option> direct,
    QueryCost query,
    List<String> notes) {
  public CostEstimate {
    requireNonNull(prices, "prices is null");
    requireNonNull(batch, "batch is null");
    requireNonNull(direct, "direct is null");
    requireNonNull(query, "query is null");
    notes = List.copyOf(notes);
  }

  public record Prices(String region, String currency, String asOf, String file, String source) {
    public Prices {
      requireNonNull(region, "region is null");
      requireNonNull(currency, "currency is null");
      requireNonNull(asOf, "asOf is null");
      requireNonNull(file, "file is null");
      requireNonNull(source, "source is null");
    }
  }

  /** One way of doing the work: its priced lines and their sum. */
  public record Option(String name, List<Line> lines, BigDecimal total) {
    public Option {
      requireNonNull(name, "name is null");
      lines = List.copyOf(lines);
      requireNonNull(total, "total is null");
    }

    static Option of(String name, List<Line> lines) {
      return new Option(
          name, lines, lines.stream().map(Line::cost).reduce(BigDecimal.ZERO, BigDecimal::add));
    }
  }

  /**
   * @param quantity how many units (requests, objects, jobs, GB, GB-months)
   * @param price per {@code unit}
   * @param unit e.g. "per 1,000 requests"
   */
  public record Line(
      String item, BigDecimal quantity, BigDecimal price, String unit, BigDecimal cost) {
    public Line {
      requireNonNull(item, "item is null");
      requireNonNull(quantity, "quantity is null");
      requireNonNull(price, "price is null");
      requireNonNull(unit, "unit is null");
      requireNonNull(cost, "cost is null");
    }
  }

  /** How the query's cost is known. */
  public enum QueryCostKind {
    /** the embedded engine runs on this machine: nothing billed */
    LOCAL,
    /** the engine reported its bytes scanned */
    MEASURED,
    /** the engine bills queries but reported nothing */
    UNKNOWN
  }

  /**
   * @param bytesScanned as the engine reported them; absent unless measured
   * @param cost absent when unknown
   */
  public record QueryCost(
      QueryCostKind kind,
      String engine,
      int queries,
      @JsonInclude(JsonInclude.Include.NON_ABSENT) Optional<Long> bytesScanned,
      @JsonInclude(JsonInclude.Include.NON_ABSENT) Optional<BigDecimal> cost) {
    public QueryCost {
      requireNonNull(kind, "kind is null");
      requireNonNull(engine, "engine is null");
      requireNonNull(bytesScanned, "bytesScanned is null");
      requireNonNull(cost, "cost is null");
    }
  }
}
