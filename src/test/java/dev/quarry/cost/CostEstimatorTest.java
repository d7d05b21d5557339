package dev.quarry.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.action.Action;
import dev.quarry.action.ActionRegistry;
import dev.quarry.action.OperationView;
import dev.quarry.action.PutTagsAction;
import dev.quarry.action.RestoreAction;
import dev.quarry.error.QuarryException;
import dev.quarry.playbook.PlaybookLoader;
import dev.quarry.query.QueryStatistics;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CostEstimatorTest {
  // round figures, so that every expected cost below can be checked by hand
  private static final String PRICES =
      """
      region: test-region-1
      currency: USD
      as-of: "2026-01-02"
      source: made up for the test
      batch-operations: { per-job: 0.25, per-million-objects: 1.00 }
      requests: { put-copy-post-list: 0.005, get-and-other: 0.0004, delete: 0 }
      restore:
        GLACIER:
          STANDARD: { per-thousand-requests: 0.05, per-gb: 0.01 }
          BULK: { per-thousand-requests: 0, per-gb: 0 }
        DEEP_ARCHIVE:
          BULK: { per-thousand-requests: 0.025, per-gb: 0.0025 }
      storage: { standard-per-gb-month: 0.03 }
      lambda: { per-million-requests: 0.20 }
      athena: { per-tb-scanned: 5.00, minimum-bytes-per-query: 10000000 }
      """;
  private static final long GIB = 1L << 30;

  @TempDir Path dir;

  private PriceList prices() throws Exception {
    return PriceList.forEnvironment(
        Map.of(PriceList.ENVIRONMENT, Files.writeString(dir.resolve("p.yaml"), PRICES).toString()));
  }

  private static CostEstimator.Work work(
      Action action,
      long objects,
      List<CostEstimator.ClassGroup> classes,
      String engine,
      Optional<QueryStatistics> stats) {
    return new CostEstimator.Work(
        action, OperationView.of(action.jobOperation("b")), objects, 1, classes, engine, stats);
  }

  private static BigDecimal cost(CostEstimate.Option option, String itemStart) {
    return option.lines().stream()
        .filter(l -> l.item().startsWith(itemStart))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no line " + itemStart + " in " + option))
        .cost();
  }

  @Test
  void restoreFromDeepArchiveCountsFeesRequestsRetrievalAndTheRestoredCopy() throws Exception {
    // given 2,000,000 Deep Archive objects of 1,000 GiB in all, restored in bulk for 3 days
    RestoreAction restore =
        new RestoreAction(RestoreAction.Archive.GLACIER, 3, RestoreAction.Tier.BULK);
    CostEstimator.Work work =
        work(
            restore,
            2_000_000,
            List.of(new CostEstimator.ClassGroup("DEEP_ARCHIVE", 2_000_000, 1_000 * GIB)),
            "embedded",
            Optional.empty());

    // when
    CostEstimate estimate = new CostEstimator(prices()).estimate(work);

    // then: $0.25 + 2 x $1.00 + 2,000 x $0.025 + 1,000 GB x $0.0025 + 1,000 GB x 3/30 x $0.03
    CostEstimate.Option batch = estimate.batch();
    assertThat(cost(batch, "Batch Operations jobs")).isEqualByComparingTo("0.25");
    assertThat(cost(batch, "Batch Operations objects")).isEqualByComparingTo("2");
    assertThat(cost(batch, "restore requests, DEEP_ARCHIVE BULK")).isEqualByComparingTo("50");
    assertThat(cost(batch, "retrieval, DEEP_ARCHIVE BULK")).isEqualByComparingTo("2.5");
    assertThat(cost(batch, "restored copies for 3 days")).isEqualByComparingTo("3");
    assertThat(batch.total()).isEqualByComparingTo("57.75");
    // past the local executor's range: no direct option
    assertThat(estimate.direct()).isEmpty();
    assertThat(estimate.prices().region()).isEqualTo("test-region-1");
    assertThat(estimate.prices().asOf()).isEqualTo("2026-01-02");
    assertThat(estimate.query().kind()).isEqualTo(CostEstimate.QueryCostKind.LOCAL);
  }

  @Test
  void aSmallTaggingSetCostsLessThroughDirectCallsThanAsAJob() throws Exception {
    // given 10,000 objects whose tags are merged (the local task reads them first)
    PutTagsAction tags = new PutTagsAction(Map.of("k", "v"), PutTagsAction.Mode.MERGE);

    // when
    CostEstimate estimate =
        new CostEstimator(prices())
            .estimate(work(tags, 10_000, List.of(), "embedded", Optional.empty()));

    // then the job: $0.25 + $0.01 + 10 x $0.005; direct: 10 x $0.0004 + 10 x $0.005
    assertThat(estimate.batch().total()).isEqualByComparingTo("0.31");
    CostEstimate.Option direct = estimate.direct().orElseThrow();
    assertThat(cost(direct, "GET-class")).isEqualByComparingTo("0.004");
    assertThat(direct.total()).isEqualByComparingTo("0.054");
  }

  @Test
  void athenaBytesScannedArePricedWithTheMinimumAndUnknownWhenNotReported() throws Exception {
    Action tags = new PutTagsAction(Map.of("k", "v"), PutTagsAction.Mode.REPLACE);
    CostEstimator estimator = new CostEstimator(prices());

    // when two queries scanned 1 MB in all (under twice the 10 MB minimum), then 2 TB
    CostEstimate small =
        estimator.estimate(
            work(
                tags,
                1,
                List.of(),
                "athena",
                Optional.of(new QueryStatistics(2, 1_000_000, BigDecimal.ZERO, Duration.ZERO))));
    CostEstimate large =
        estimator.estimate(
            work(
                tags,
                1,
                List.of(),
                "athena",
                Optional.of(
                    new QueryStatistics(1, 2_000_000_000_000L, BigDecimal.ZERO, Duration.ZERO))));
    CostEstimate unknown = estimator.estimate(work(tags, 1, List.of(), "athena", Optional.empty()));

    // then
    assertThat(small.query().cost().orElseThrow()).isEqualByComparingTo("0.0001");
    assertThat(large.query().cost().orElseThrow()).isEqualByComparingTo("10");
    assertThat(large.query().bytesScanned()).contains(2_000_000_000_000L);
    assertThat(unknown.query().kind()).isEqualTo(CostEstimate.QueryCostKind.UNKNOWN);
    assertThat(unknown.query().cost()).isEmpty();
    assertThat(unknown.notes()).anyMatch(n -> n.contains("cost is unknown"));
  }

  @Test
  void everyRegisteredActionHasItsRequestsPriced() throws Exception {
    // given every action's example playbook options
    CostEstimator estimator = new CostEstimator(prices());
    for (var definition : ActionRegistry.definitions()) {
      Path example =
          Path.of(
              ActionRegistry.class.getResource("examples/" + definition.type() + ".yaml").toURI());
      Action action =
          ActionRegistry.create(
              new PlaybookLoader().load(example).orThrow().action().orElseThrow());

      // when
      CostEstimate estimate =
          estimator.estimate(
              work(
                  action,
                  1_000,
                  List.of(new CostEstimator.ClassGroup("GLACIER", 1_000, GIB)),
                  "embedded",
                  Optional.empty()));

      // then more than the Batch Operations fees are counted
      assertThat(estimate.notes())
          .as(definition.type())
          .noneMatch(n -> n.startsWith("no request estimate"));
      assertThat(estimate.batch().lines()).as(definition.type()).hasSizeGreaterThan(2);
    }
  }

  @Test
  void aPriceFileMissingFiguresNamesEachOne() throws Exception {
    // given a file without Batch Operations prices or a date
    Path file =
        Files.writeString(
            dir.resolve("bad.yaml"),
            PRICES.replace("as-of: \"2026-01-02\"\n", "").replaceAll("batch-operations:.*\n", ""));

    // then
    assertThatThrownBy(() -> PriceList.load(file))
        .isInstanceOf(QuarryException.class)
        .hasMessageContaining("as-of: missing")
        .hasMessageContaining("batch-operations.per-job: missing")
        .hasMessageContaining("batch-operations.per-million-objects: missing");
  }

  @Test
  void theBundledPricesLoadWithTheirRegionAndDate() {
    PriceList bundled = PriceList.bundled();

    assertThat(bundled.region()).isEqualTo("us-east-1");
    assertThat(bundled.asOf()).matches("\\d{4}-\\d{2}-\\d{2}");
    assertThat(bundled.restore()).containsKeys("GLACIER", "DEEP_ARCHIVE");
  }
}
