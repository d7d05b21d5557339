package dev.quarry.app;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;

/**
 * Run ids: the UTC start time then a random suffix, e.g. {@code 20261121T201500Z-3f9a1c}. They sort
 * by time, are safe in paths and S3 keys, and fit CreateJob's 64-character ClientRequestToken.
 */
public final class RunIds {
  private static final DateTimeFormatter FORMAT =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final SecureRandom RANDOM = new SecureRandom();

  private RunIds() {}

  public static String next(Clock clock) {
    byte[] suffix = new byte[3];
    RANDOM.nextBytes(suffix);
    return FORMAT.format(clock.instant()) + "-" + HexFormat.of().formatHex(suffix);
  }
}
