package dev.quarry.playbook;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** The types a playbook parameter can have, and how a value given as text becomes one. */
public enum ParameterType {
  STRING(String.class),
  INTEGER(Long.class),
  NUMBER(BigDecimal.class),
  BOOLEAN(Boolean.class),
  /** A UTC timestamp without zone, as the metadata tables store them. */
  TIMESTAMP(LocalDateTime.class),
  DATE(LocalDate.class);

  private final Class<?> javaType;

  ParameterType(Class<?> javaType) {
    this.javaType = javaType;
  }

  public Class<?> javaType() {
    return javaType;
  }

  public String yamlName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * Converts a value given as text (a {@code --param} flag, a YAML scalar).
   *
   * @throws IllegalArgumentException with a message fit for the user
   */
  public Object parse(String text) {
    switch (this) {
      case STRING:
        return text;
      case INTEGER:
        try {
          return Long.valueOf(text.trim());
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("'" + text + "' is not an integer");
        }
      case NUMBER:
        try {
          return new BigDecimal(text.trim());
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("'" + text + "' is not a number");
        }
      case BOOLEAN:
        if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
          return Boolean.valueOf(text);
        }
        throw new IllegalArgumentException("'" + text + "' is not true or false");
      case TIMESTAMP:
        return parseTimestamp(text.trim());
      case DATE:
        try {
          return LocalDate.parse(text.trim());
        } catch (DateTimeParseException e) {
          throw new IllegalArgumentException("'" + text + "' is not a date (YYYY-MM-DD)");
        }
    }
    throw new AssertionError(this);
  }

  private static LocalDateTime parseTimestamp(String text) {
    try {
      // an explicit offset is converted to UTC, the zone the metadata tables use
      return OffsetDateTime.parse(text).withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
    } catch (DateTimeParseException withoutOffset) {
      try {
        return LocalDateTime.parse(text.replace(' ', 'T'));
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(
            "'" + text + "' is not a timestamp (ISO 8601, e.g. 2026-11-01T00:00:00Z)");
      }
    }
  }
}
