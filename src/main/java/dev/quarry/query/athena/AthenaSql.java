package dev.quarry.query.athena;

import static java.util.Objects.requireNonNull;

import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.query.BoundQuery;
import dev.quarry.query.SqlToken;
import dev.quarry.query.SqlToken.Kind;
import dev.quarry.query.SqlTokenizer;
import dev.quarry.query.TaskIdentity;
import dev.quarry.query.TrinoSql;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Turns a {@link BoundQuery} into what StartQueryExecution takes: the text with each {@code :name}
 * replaced by a positional {@code ?}, and one execution parameter per {@code ?}, in order (a name
 * used twice is bound twice).
 *
 * <p>Athena's rules for execution parameters: parameters are positional {@code ?}, valued in order
 * of appearance; each value is a SQL literal, so a string must be in single quotes ({@code
 * 'rain'}), while numbers and booleans are written plain and typed values carry their type's
 * literal prefix ({@code DATE '2024-03-25'}, {@code TIMESTAMP '2024-03-25 10:11:12.345'}); a value
 * is 1 to 1024 characters. Athena accepts {@code ?} only in a WHERE clause of a SELECT (also INSERT
 * INTO, CTAS, UNLOAD); elsewhere Athena refuses the query and the user sees its message.
 */
final class AthenaSql {
  static final int MAX_PARAMETER_LENGTH = 1024;

  /** The column {@link Prepared#distinctTasks} adds: how many rows a task's row stands for. */
  static final String COPIES = "quarry_copies";

  private static final Set<String> QUERY_STARTS = Set.of("select", "with", "values", "table", "(");
  private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("uuuu-MM-dd");
  private static final DateTimeFormatter MILLIS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSS");
  private static final DateTimeFormatter MICROS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS");
  private static final DateTimeFormatter NANOS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSSSSS");

  private AthenaSql() {}

  /**
   * @param sql one query, without trailing semicolons, placeholders as {@code ?}
   * @param parameters one literal per {@code ?}, in order
   */
  record Prepared(String sql, List<String> parameters) {
    Prepared {
      requireNonNull(sql, "sql is null");
      parameters = List.copyOf(parameters);
    }

    /**
     * The query wrapped so that Athena plans it and returns its columns without reading data. The
     * prefix has no line break, so Athena's line numbers stay the query's.
     */
    Prepared describing() {
      return new Prepared("SELECT * FROM (" + sql + "\n) LIMIT 0", parameters);
    }

    /**
     * The query wrapped so that Athena keeps one row per task and counts the rows it stood for in
     * {@code quarry_copies}: a window partitioned by the task's fields, which Athena spreads over
     * its workers, so the result file, not this process, holds the work. Which duplicate is kept is
     * Athena's choice. The prefix has no line break, so Athena's line numbers stay the query's.
     */
    Prepared distinctTasks(TaskIdentity identity) {
      String partition =
          switch (identity) {
            case BUCKET_KEY -> "\"bucket\", \"key\"";
            case BUCKET_KEY_VERSION -> "\"bucket\", \"key\", \"version_id\"";
          };
      return new Prepared(
          "SELECT * FROM (SELECT quarry_q.*, count(*) OVER (PARTITION BY "
              + partition
              + ") AS "
              + COPIES
              + ", row_number() OVER (PARTITION BY "
              + partition
              + ") AS quarry_nth FROM ("
              + sql
              + "\n) quarry_q) WHERE quarry_nth = 1",
          parameters);
    }
  }

  /**
   * @throws QuarryException (user) if the text is not one query, uses a bare {@code ?}, or lacks a
   *     parameter's value
   */
  static Prepared prepare(BoundQuery query) {
    List<SqlToken> tokens = SqlTokenizer.tokenize(query.sql());
    int end = SqlTokenizer.singleQueryEnd(tokens, QUERY_STARTS);
    // Athena would refuse it after a StartQueryExecution: refuse it here, with its line, first
    TrinoSql.parseQuery(query.sql());
    StringBuilder sql = new StringBuilder();
    List<String> parameters = new ArrayList<>();
    Set<String> missing = new LinkedHashSet<>();
    for (int i = 0; i < end; i++) {
      SqlToken token = tokens.get(i);
      if (token.isSymbol("?")) {
        throw QuarryException.user(
            ErrorCode.QUERY_INVALID,
            "line "
                + SqlTokenizer.lineOf(query.sql(), token.offset())
                + ": a bare '?' placeholder; name parameters (:name) and give their values");
      }
      if (token.is(Kind.PARAMETER)) {
        String name = token.parameterName();
        if (!query.parameters().containsKey(name)) {
          missing.add(name);
          continue;
        }
        sql.append('?');
        parameters.add(checkedLiteral(name, query.parameters().get(name)));
      } else {
        sql.append(token.text());
      }
    }
    if (!missing.isEmpty()) {
      Map<String, Object> given = query.parameters();
      throw QuarryException.user(
          ErrorCode.PARAMETER_MISSING,
          "the query uses "
              + missing.stream().map(m -> ":" + m).collect(Collectors.joining(", "))
              + " but no value was given for "
              + (missing.size() == 1 ? "it" : "them")
              + (given.isEmpty() ? "" : "; given: " + String.join(", ", given.keySet())));
    }
    return new Prepared(sql.toString(), parameters);
  }

  private static String checkedLiteral(String name, Object value) {
    String literal;
    try {
      literal = literal(value);
    } catch (IllegalArgumentException e) {
      throw QuarryException.user(
          ErrorCode.PARAMETER_INVALID, "parameter :" + name + " " + e.getMessage());
    }
    if (literal.length() > MAX_PARAMETER_LENGTH) {
      throw QuarryException.user(
          ErrorCode.PARAMETER_INVALID,
          "parameter :"
              + name
              + " is "
              + literal.length()
              + " characters as a SQL literal; Athena takes at most "
              + MAX_PARAMETER_LENGTH);
    }
    return literal;
  }

  /**
   * The SQL literal Athena's execution parameters take for a value.
   *
   * @throws IllegalArgumentException for a type parameters cannot have
   */
  static String literal(Object value) {
    if (value == null) {
      return "NULL";
    }
    if (value instanceof String v) {
      return "'" + v.replace("'", "''") + "'";
    }
    if (value instanceof Long || value instanceof Integer) {
      return value.toString();
    }
    if (value instanceof BigDecimal v) {
      // a plain decimal literal is a DECIMAL in Trino; never an exponent
      return v.toPlainString();
    }
    if (value instanceof Double v) {
      if (v.isNaN() || v.isInfinite()) {
        throw new IllegalArgumentException("is " + v + ", which has no SQL literal");
      }
      // the exponent makes it a DOUBLE literal, as a JDBC double would be
      String text = Double.toString(v);
      return text.contains("E") ? text : text + "E0";
    }
    if (value instanceof Boolean v) {
      return v ? "true" : "false";
    }
    if (value instanceof LocalDateTime v) {
      int nanos = v.getNano();
      DateTimeFormatter format =
          nanos % 1_000_000 == 0 ? MILLIS : nanos % 1_000 == 0 ? MICROS : NANOS;
      return "TIMESTAMP '" + format.format(v) + "'";
    }
    if (value instanceof LocalDate v) {
      return "DATE '" + DATE.format(v) + "'";
    }
    throw new IllegalArgumentException(
        "has a value of type "
            + value.getClass().getSimpleName()
            + "; supported: string, integer, number, boolean, timestamp, date");
  }
}
