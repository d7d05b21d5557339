package dev.quarry.schedule;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CronTest {
  @Test
  void aQuartzExpressionIsValid() {
    // given
    String everyWeekdayAtSix = "0 0 6 ? * MON-FRI";

    // when / then
    assertThatCode(() -> Cron.validate(everyWeekdayAtSix)).doesNotThrowAnyException();
  }

  @Test
  void aUnixFiveFieldExpressionIsRefusedWithTheFieldsQuartzExpects() {
    // given
    String unix = "0 6 * * *";

    // when / then
    assertThatThrownBy(() -> Cron.validate(unix))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid Quartz cron expression '0 6 * * *': ")
        .hasMessageEndingWith(
            "(fields: second minute hour day-of-month month day-of-week [year], e.g. '0 0 6 * *"
                + " ?')");
  }
}
