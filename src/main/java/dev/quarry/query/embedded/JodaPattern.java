package dev.quarry.query.embedded;

import java.util.Map;
import java.util.Optional;

/**
 * Translates a Joda-Time pattern, as Trino's {@code format_datetime} takes it, into DuckDB's {@code
 * strftime} format, for the numeric fields whose output the two agree on digit for digit. Text
 * fields (month and day names, era, half-day), zones and week-years are not translated: their
 * output depends on a locale or on rules DuckDB does not share, so the caller refuses them.
 */
final class JodaPattern {
  /** A run of one Joda letter, by its length, to strftime; a run not listed is refused. */
  private static final Map<String, String> FIELDS =
      Map.ofEntries(
          Map.entry("yyyy", "%Y"),
          Map.entry("yy", "%y"),
          Map.entry("MM", "%m"),
          Map.entry("M", "%-m"),
          Map.entry("dd", "%d"),
          Map.entry("d", "%-d"),
          Map.entry("HH", "%H"),
          Map.entry("H", "%-H"),
          Map.entry("hh", "%I"),
          Map.entry("h", "%-I"),
          Map.entry("mm", "%M"),
          Map.entry("m", "%-M"),
          Map.entry("ss", "%S"),
          Map.entry("s", "%-S"),
          Map.entry("SSS", "%g"),
          Map.entry("SSSSSS", "%f"));

  private JodaPattern() {}

  /**
   * @param joda the pattern's text (quotes of the SQL literal already removed)
   * @return the strftime format, or empty if the pattern has a field this does not translate
   */
  static Optional<String> toStrftime(String joda) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < joda.length()) {
      char c = joda.charAt(i);
      if (c == '\'') {
        // quoted text; '' is a quote, inside or outside quoted text
        int end = i + 1;
        StringBuilder text = new StringBuilder();
        while (true) {
          if (end >= joda.length()) {
            return Optional.empty();
          }
          if (joda.charAt(end) == '\'') {
            if (end + 1 < joda.length() && joda.charAt(end + 1) == '\'') {
              text.append('\'');
              end += 2;
              continue;
            }
            break;
          }
          text.append(joda.charAt(end++));
        }
        out.append(end == i + 1 ? "'" : text.toString().replace("%", "%%"));
        i = end + 1;
      } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
        int end = i;
        while (end < joda.length() && joda.charAt(end) == c) {
          end++;
        }
        String field = FIELDS.get(joda.substring(i, end));
        if (field == null) {
          return Optional.empty();
        }
        out.append(field);
        i = end;
      } else {
        out.append(c == '%' ? "%%" : String.valueOf(c));
        i++;
      }
    }
    return Optional.of(out.toString());
  }
}
