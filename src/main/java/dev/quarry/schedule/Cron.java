package dev.quarry.schedule;

import java.text.ParseException;
import org.quartz.CronExpression;

/**
 * Quartz cron expressions, as playbooks write them ({@code "0 0 6 * * ?"}: seconds, minutes, hours,
 * day of month, month, day of week, optional year). Quartz stays inside this package (house rule
 * 7), so the rest of Quarry checks an expression here.
 */
public final class Cron {
  private Cron() {}

  /**
   * Checks a Quartz cron expression.
   *
   * @throws IllegalArgumentException with Quartz's explanation, fit for the user
   */
  public static void validate(String expression) {
    try {
      CronExpression.validateExpression(expression);
    } catch (ParseException e) {
      throw new IllegalArgumentException(
          "invalid Quartz cron expression '"
              + expression
              + "': "
              + e.getMessage()
              + " (fields: second minute hour day-of-month month day-of-week [year], e.g. '0 0 6 * *"
              + " ?')",
          e);
    } catch (RuntimeException e) {
      // Quartz reports some malformed expressions with unchecked exceptions
      throw new IllegalArgumentException(
          "invalid Quartz cron expression '" + expression + "': " + e, e);
    }
  }
}
