package dev.quarry.query.athena;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class QueryStatsTest {
  @Test
  void costIsBytesScannedInTerabytesTimesThePrice() {
    assertThat(QueryStats.cost(1_000_000_000_000L, new BigDecimal("5.00")))
        .isEqualByComparingTo("5.00");
    assertThat(QueryStats.cost(10_000_000L, new BigDecimal("5.00")))
        .isEqualByComparingTo("0.00005");
    assertThat(QueryStats.cost(0, new BigDecimal("5.00"))).isEqualByComparingTo("0");
    assertThat(QueryStats.cost(2_500_000_000_000L, new BigDecimal("6.25")))
        .isEqualByComparingTo("15.625");
  }
}
