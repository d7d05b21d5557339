package dev.quarry.query.athena;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;

class AthenaValuesTest {
  @Test
  void textBecomesTheTypeTheMetadataDeclares() {
    assertThat(AthenaValues.convert("varchar", "x")).isEqualTo("x");
    assertThat(AthenaValues.convert("bigint", "12345678901")).isEqualTo(12345678901L);
    assertThat(AthenaValues.convert("integer", "7")).isEqualTo(7);
    assertThat(AthenaValues.convert("double", "1.5")).isEqualTo(1.5d);
    assertThat(AthenaValues.convert("decimal(10,2)", "1.50")).isEqualTo(new BigDecimal("1.50"));
    assertThat(AthenaValues.convert("boolean", "true")).isEqualTo(true);
    assertThat(AthenaValues.convert("date", "2025-03-04")).isEqualTo(LocalDate.of(2025, 3, 4));
    assertThat(AthenaValues.convert("timestamp", "2025-03-04 05:06:07.123"))
        .isEqualTo(LocalDateTime.of(2025, 3, 4, 5, 6, 7, 123_000_000));
    assertThat(AthenaValues.convert("timestamp(6)", "2025-03-04 05:06:07"))
        .isEqualTo(LocalDateTime.of(2025, 3, 4, 5, 6, 7));
    assertThat(
            AthenaValues.convert(
                "timestamp with time zone", "2025-03-04 05:06:07.000 Europe/Paris"))
        .isEqualTo(LocalDateTime.of(2025, 3, 4, 4, 6, 7));
  }

  @Test
  void nullsMapsAndUnparsableTextStayAsTheyAre() {
    assertThat(AthenaValues.convert("bigint", null)).isNull();
    assertThat(AthenaValues.convert("map", "{a=b}")).isEqualTo("{a=b}");
    assertThat(AthenaValues.convert("bigint", "n/a")).isEqualTo("n/a");
    assertThat(AthenaValues.convert(null, "7")).isEqualTo("7");
  }
}
