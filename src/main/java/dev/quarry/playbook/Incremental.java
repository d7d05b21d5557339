package dev.quarry.playbook;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.LocalDateTime;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An incremental journal playbook ({@code incremental:}): each run binds {@code :since} and {@code
 * :until} to a window that starts where the last submitted run ended, minus {@link #lookback}.
 *
 * @param watermark the timestamp column the query compares with {@code :since} and {@code :until}
 * @param lookback how late a row may arrive and still be expected: the window reaches this far back
 * @param reconcile how far back each run also looks for rows that no run handled: late rows, which
 *     are processed and counted rather than lost
 * @param start the first run's {@code :since} (UTC)
 */
public record Incremental(
    String watermark, Duration lookback, Duration reconcile, LocalDateTime start) {
  /** The parameters an incremental run binds itself. */
  public static final String SINCE = "since";

  public static final String UNTIL = "until";

  /** The journal's own timestamps, which a query may filter on without returning them. */
  public static final Set<String> JOURNAL_TIMESTAMPS =
      Set.of("record_timestamp", "last_modified_date");

  /** A day: rows later than that are rare; the ledger keeps what runs handled that long. */
  public static final Duration DEFAULT_RECONCILE = Duration.ofHours(24);

  /** Without {@code start}, the first run reads the journal from its beginning. */
  public static final LocalDateTime DEFAULT_START = LocalDateTime.of(1970, 1, 1, 0, 0);

  private static final Pattern DURATION = Pattern.compile("([0-9]+)([smhd])");

  public Incremental {
    requireNonNull(watermark, "watermark is null");
    requireNonNull(lookback, "lookback is null");
    requireNonNull(reconcile, "reconcile is null");
    requireNonNull(start, "start is null");
  }

  /**
   * {@code 15m}, {@code 24h}: a whole number and a unit (s, m, h, d).
   *
   * @throws IllegalArgumentException otherwise
   */
  public static Duration parseDuration(String text) {
    Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a duration: a whole number and a unit (s, m, h or d), e.g. 15m");
    }
    long n;
    try {
      n = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' is too long a duration", e);
    }
    return switch (m.group(2)) {
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }
}
