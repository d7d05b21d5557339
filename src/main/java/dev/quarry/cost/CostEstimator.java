package dev.quarry.cost;

import static java.util.Objects.requireNonNull;

import dev.quarry.action.Action;
import dev.quarry.action.OperationView;
import dev.quarry.action.PutTagsAction;
import dev.quarry.query.QueryStatistics;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Prices a plan's work from a {@link PriceList}: S3 Batch Operations' per-job and per-object fees,
 * the S3 requests each task makes (as the action's AWS operation and its local task make them),
 * restore retrieval by storage class, tier and bytes, and the query's bytes scanned.
 */
public final class CostEstimator {
  /**
   * Up to this many objects the local executor's direct calls are shown beside the Batch Operations
   * job: past it, one machine making the calls one by one is no longer a real choice.
   */
  public static final long DIRECT_MAX_OBJECTS = 1_000_000;

  private static final BigDecimal THOUSAND = BigDecimal.valueOf(1_000);
  private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);
  private static final BigDecimal GB = BigDecimal.valueOf(1L << 30);
  private static final BigDecimal TB = BigDecimal.TEN.pow(12);
  private static final BigDecimal DAYS_PER_MONTH = BigDecimal.valueOf(30);

  private final PriceList prices;

  public CostEstimator(PriceList prices) {
    this.prices = requireNonNull(prices, "prices is null");
  }

  /** Objects and bytes of one storage class. */
  public record ClassGroup(String storageClass, long objects, long bytes) {
    public ClassGroup {
      requireNonNull(storageClass, "storageClass is null");
    }
  }

  /** What a plan selected and would do. */
  public record Work(
      Action action,
      OperationView operation,
      long objects,
      int buckets,
      List<ClassGroup> storageClasses,
      String engine,
      Optional<QueryStatistics> queryStatistics) {
    public Work {
      requireNonNull(action, "action is null");
      requireNonNull(operation, "operation is null");
      storageClasses = List.copyOf(storageClasses);
      requireNonNull(engine, "engine is null");
      requireNonNull(queryStatistics, "queryStatistics is null");
    }
  }

  private enum RequestClass {
    PUT,
    GET,
    DELETE
  }

  /** One request a task makes, with the S3 price class it bills at. */
  private record Request(String name, RequestClass priceClass) {}

  public CostEstimate estimate(Work work) {
    List<String> notes = new ArrayList<>();
    long n = work.objects();
    List<CostEstimate.Line> batch = new ArrayList<>();
    // a copy in place names one target bucket: one job per bucket (see the plan's AWS limitations)
    int jobs = work.operation().name().equals("S3PutObjectCopy") ? Math.max(1, work.buckets()) : 1;
    batch.add(line("Batch Operations jobs", jobs, prices.batchPerJob(), BigDecimal.ONE, "per job"));
    batch.add(
        line(
            "Batch Operations objects",
            n,
            prices.batchPerMillionObjects(),
            MILLION,
            "per 1,000,000 objects"));
    List<CostEstimate.Line> direct = new ArrayList<>();
    String type = work.action().type();
    switch (type) {
      case "restore" -> {
        List<CostEstimate.Line> restore = restore(work, notes);
        batch.addAll(restore);
        direct.addAll(restore);
      }
      case "reencrypt", "revert-to-version" -> {
        // Batch Operations reads the source object's metadata and copies it; the local task
        // makes the same two calls (HeadObject, CopyObject)
        List<Request> copy =
            List.of(
                new Request("GET-class (read source)", RequestClass.GET),
                new Request("PUT-class (CopyObject)", RequestClass.PUT));
        batch.addAll(requests(copy, n));
        direct.addAll(requests(copy, n));
      }
      case "put-tags" -> {
        batch.addAll(
            requests(List.of(new Request("PUT-class (PutObjectTagging)", RequestClass.PUT)), n));
        List<Request> local = new ArrayList<>();
        if (work.action() instanceof PutTagsAction tags
            && tags.mode() == PutTagsAction.Mode.MERGE) {
          local.add(new Request("GET-class (GetObjectTagging, to merge)", RequestClass.GET));
        }
        local.add(new Request("PUT-class (PutObjectTagging)", RequestClass.PUT));
        direct.addAll(requests(local, n));
      }
      case "delete-tags" -> {
        List<Request> delete =
            List.of(new Request("DELETE (DeleteObjectTagging)", RequestClass.DELETE));
        batch.addAll(requests(delete, n));
        direct.addAll(requests(delete, n));
      }
      case "legal-hold" -> {
        List<Request> put =
            List.of(new Request("PUT-class (PutObjectLegalHold)", RequestClass.PUT));
        batch.addAll(requests(put, n));
        direct.addAll(requests(put, n));
      }
      case "retention" -> {
        List<Request> put =
            List.of(new Request("PUT-class (PutObjectRetention)", RequestClass.PUT));
        batch.addAll(requests(put, n));
        direct.addAll(requests(put, n));
      }
      case "compute-checksum" -> {
        // the checksum is computed over the object's bytes: one read of the whole object
        List<Request> read = List.of(new Request("GET-class (GetObject)", RequestClass.GET));
        batch.addAll(requests(read, n));
        direct.addAll(requests(read, n));
        notes.add(
            "compute-checksum reads every byte: retrieval fees of infrequent-access classes are"
                + " not counted");
      }
      case "replicate" -> {
        // each version is read from the source and written to the destination bucket
        List<Request> replicate =
            List.of(
                new Request("GET-class (read source)", RequestClass.GET),
                new Request("PUT-class (replica write)", RequestClass.PUT));
        batch.addAll(requests(replicate, n));
        direct.addAll(requests(replicate, n));
        notes.add(
            "replication's data transfer between regions and the destination's storage are not"
                + " counted");
      }
      case "rollback-deletes", "hide-keys" -> {
        // on AWS a Lambda per task lists the key's versions, then deletes its marker (rollback)
        // or adds one with a conditional DeleteObject (hide-keys)
        List<Request> rollback =
            List.of(
                new Request("LIST (ListObjectVersions)", RequestClass.PUT),
                new Request(
                    type.equals("hide-keys")
                        ? "DELETE (DeleteObject adding a marker)"
                        : "DELETE (DeleteObject of the marker)",
                    RequestClass.DELETE));
        batch.add(
            line(
                "Lambda invocations",
                n,
                prices.lambdaPerMillionRequests(),
                MILLION,
                "per 1,000,000 requests"));
        batch.addAll(requests(rollback, n));
        direct.addAll(requests(rollback, n));
        notes.add("the Lambda's duration (GB-seconds) is not estimated: it depends on its memory");
      }
      default ->
          notes.add(
              "no request estimate for action '"
                  + type
                  + "': only the Batch Operations fees are counted");
    }
    Optional<CostEstimate.Option> directOption =
        n <= DIRECT_MAX_OBJECTS
            ? Optional.of(CostEstimate.Option.of("local executor, direct API calls", direct))
            : Optional.empty();
    if (directOption.isPresent()) {
      notes.add(
          "direct calls from the local executor pay the same S3 request prices, without Batch"
              + " Operations' fees; data transfer out of AWS is not counted");
    }
    return new CostEstimate(
        new CostEstimate.Prices(
            prices.region(), prices.currency(), prices.asOf(), prices.file(), prices.source()),
        CostEstimate.Option.of("S3 Batch Operations", batch),
        directOption,
        query(work, notes),
        notes);
  }

  private List<CostEstimate.Line> restore(Work work, List<String> notes) {
    String tier = text(work, "GlacierJobTier").orElse("BULK");
    Optional<Integer> days = text(work, "ExpirationInDays").map(Integer::valueOf);
    List<CostEstimate.Line> lines = new ArrayList<>();
    long notArchived = 0;
    long restoredBytes = 0;
    for (ClassGroup group : work.storageClasses()) {
      PriceList.Retrieval retrieval =
          Optional.ofNullable(prices.restore().get(group.storageClass()))
              .map(tiers -> tiers.get(tier))
              .orElse(null);
      if (retrieval == null) {
        if (group.storageClass().startsWith("INTELLIGENT_TIERING")) {
          notes.add(
              group.objects()
                  + " Intelligent-Tiering objects: restore from its archive tiers is not priced"
                  + " here");
        } else {
          notArchived += group.objects();
        }
        continue;
      }
      lines.add(
          line(
              "restore requests, " + group.storageClass() + " " + tier,
              group.objects(),
              retrieval.perThousandRequests(),
              THOUSAND,
              "per 1,000 requests"));
      lines.add(
          line(
              "retrieval, " + group.storageClass() + " " + tier,
              gigabytes(group.bytes()),
              retrieval.perGb(),
              BigDecimal.ONE,
              "per GB"));
      restoredBytes += group.bytes();
    }
    if (notArchived > 0) {
      notes.add(
          notArchived
              + " selected objects are in no archive storage class the price file lists: their"
              + " restore is not priced (S3 refuses to restore an object that is not archived)");
    }
    if (days.isPresent() && restoredBytes > 0) {
      BigDecimal gbMonths =
          gigabytes(restoredBytes)
              .multiply(BigDecimal.valueOf(days.get()))
              .divide(DAYS_PER_MONTH, MathContext.DECIMAL64);
      lines.add(
          line(
              "restored copies for " + days.get() + " days (S3 Standard)",
              gbMonths,
              prices.standardPerGbMonth(),
              BigDecimal.ONE,
              "per GB-month"));
    }
    return lines;
  }

  private static Optional<String> text(Work work, String field) {
    return Optional.ofNullable(work.operation().parameters().get(field)).map(n -> n.asText());
  }

  private CostEstimate.QueryCost query(Work work, List<String> notes) {
    if (!work.engine().equals("athena")) {
      return new CostEstimate.QueryCost(
          CostEstimate.QueryCostKind.LOCAL, work.engine(), 0, Optional.empty(), Optional.empty());
    }
    if (work.queryStatistics().isEmpty()) {
      notes.add("Athena reported no bytes scanned for this plan: the query's cost is unknown");
      return new CostEstimate.QueryCost(
          CostEstimate.QueryCostKind.UNKNOWN, work.engine(), 0, Optional.empty(), Optional.empty());
    }
    QueryStatistics stats = work.queryStatistics().get();
    // Athena bills each query at least its minimum; with only the sum at hand, the minimum
    // applies to the sum of the queries
    long billed =
        Math.max(
            stats.bytesScanned(), (long) stats.queries() * prices.athenaMinimumBytesPerQuery());
    BigDecimal cost =
        BigDecimal.valueOf(billed)
            .multiply(prices.athenaPerTbScanned())
            .divide(TB, MathContext.DECIMAL64);
    return new CostEstimate.QueryCost(
        CostEstimate.QueryCostKind.MEASURED,
        work.engine(),
        stats.queries(),
        Optional.of(stats.bytesScanned()),
        Optional.of(cost));
  }

  private List<CostEstimate.Line> requests(List<Request> requests, long objects) {
    List<CostEstimate.Line> lines = new ArrayList<>();
    for (Request request : requests) {
      BigDecimal price =
          switch (request.priceClass()) {
            case PUT -> prices.putPerThousand();
            case GET -> prices.getPerThousand();
            case DELETE -> prices.deletePerThousand();
          };
      lines.add(line(request.name(), objects, price, THOUSAND, "per 1,000 requests"));
    }
    return lines;
  }

  private static BigDecimal gigabytes(long bytes) {
    return BigDecimal.valueOf(bytes).divide(GB, MathContext.DECIMAL64);
  }

  private static CostEstimate.Line line(
      String item, long quantity, BigDecimal price, BigDecimal per, String unit) {
    return line(item, BigDecimal.valueOf(quantity), price, per, unit);
  }

  private static CostEstimate.Line line(
      String item, BigDecimal quantity, BigDecimal price, BigDecimal per, String unit) {
    BigDecimal cost = quantity.multiply(price).divide(per, MathContext.DECIMAL64);
    return new CostEstimate.Line(item, quantity, price, unit, cost.stripTrailingZeros());
  }
}
