package dev.quarry.schedule;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What the daemon does with a slot it missed: the playbook's previous run was still going, every
 * worker was busy, or the daemon was not running.
 */
public enum Misfire {
  /** Fire once as soon as possible, however many slots were missed (Quartz's FIRE_ONCE_NOW). */
  RUN_ONCE,
  /** Wait for the next slot (Quartz's DO_NOTHING). */
  SKIP;

  /** The name the CLI shows and accepts: {@code run-once}, {@code skip}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * @throws IllegalArgumentException naming the valid labels
   */
  public static Misfire of(String label) {
    for (Misfire m : values()) {
      if (m.label().equals(label.trim().toLowerCase(Locale.ROOT))) {
        return m;
      }
    }
    throw new IllegalArgumentException(
        "unknown misfire policy '"
            + label
            + "'; valid: "
            + Arrays.stream(values()).map(Misfire::label).collect(Collectors.joining(", ")));
  }
}
