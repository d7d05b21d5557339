package dev.quarry.query.athena;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.Locale;

/**
 * Athena's result file holds text; this gives a value the Java type {@link
 * dev.quarry.query.QueryEngine.RowVisitor} promises for its column type (from the result's
 * metadata). Types without a Java counterpart there (map, array, row, json, varbinary, time,
 * interval) stay text, in Athena's own rendering. A text that does not parse as its declared type
 * also stays text rather than failing an ad-hoc query.
 */
final class AthenaValues {
  private static final DateTimeFormatter TIMESTAMP =
      new DateTimeFormatterBuilder()
          .appendPattern("uuuu-MM-dd HH:mm:ss")
          .optionalStart()
          .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
          .optionalEnd()
          .toFormatter(Locale.ROOT);

  private AthenaValues() {}

  static Object convert(String type, String text) {
    if (text == null || type == null) {
      return text;
    }
    String base = type.toLowerCase(Locale.ROOT).strip();
    String name = base.split("[( ]", 2)[0];
    try {
      return switch (name) {
        case "bigint" -> Long.valueOf(text);
        case "integer", "int", "smallint", "tinyint" -> Integer.valueOf(text);
        case "double", "real", "float" -> Double.valueOf(text);
        case "decimal" -> new BigDecimal(text);
        case "boolean" -> Boolean.valueOf(text);
        case "date" -> LocalDate.parse(text);
        case "timestamp" -> base.contains("with time zone") ? withZone(text) : timestamp(text);
        default -> text;
      };
    } catch (NumberFormatException | DateTimeParseException e) {
      return text;
    }
  }

  private static LocalDateTime timestamp(String text) {
    return LocalDateTime.parse(text, TIMESTAMP);
  }

  /** {@code 2024-03-25 10:11:12.345 UTC} (or a zone id or offset) as the UTC local time. */
  private static Object withZone(String text) {
    int space = text.lastIndexOf(' ');
    if (space < 0) {
      return text;
    }
    try {
      ZoneId zone = ZoneId.of(text.substring(space + 1));
      return timestamp(text.substring(0, space))
          .atZone(zone)
          .withZoneSameInstant(ZoneOffset.UTC)
          .toLocalDateTime();
    } catch (java.time.DateTimeException e) {
      return text;
    }
  }
}
