package dev.quarry.playbook;

import static java.util.Objects.requireNonNull;

import java.time.ZoneId;

/**
 * When a playbook runs by itself: a Quartz cron expression, evaluated in a time zone (UTC by
 * default).
 */
public record Schedule(String cron, ZoneId timezone) {
  public Schedule {
    requireNonNull(cron, "cron is null");
    requireNonNull(timezone, "timezone is null");
  }
}
