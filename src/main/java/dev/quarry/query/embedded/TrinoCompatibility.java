package dev.quarry.query.embedded;

import static java.util.Objects.requireNonNull;

import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.query.TrinoSql;
import io.trino.grammar.sql.SqlBaseParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.antlr.v4.runtime.tree.ParseTree;
import org.antlr.v4.runtime.tree.TerminalNode;

/**
 * The Athena (Trino) functions whose DuckDB counterpart has another name or other semantics, in one
 * table: {@link #RULES}. A rule either maps the function to a DuckDB built-in or a macro created at
 * connect time ({@link Rule#mapTo}), or refuses it ({@link Rule#refuse}) because its DuckDB
 * namesake would silently compute something else. Functions absent from the table run as DuckDB has
 * them (most of Trino's string, math and aggregate functions have the same name and meaning).
 *
 * <p>To add a function: one line in {@link #RULES}, and a macro in {@link #MACROS} if it maps to
 * one; a test against the value Trino documents.
 *
 * <p>Besides function names, {@link #rewrite} turns map subscripts {@code m['k']} into {@code
 * quarry_map_subscript(m, 'k')}, which fails like Trino on a missing key (see {@link
 * EmbeddedEngine}), and leaves everything else byte for byte: line numbers in DuckDB's messages are
 * the query's own.
 */
final class TrinoCompatibility {
  /** What the engine does with a Trino function. */
  record Rule(String trinoName, String duckdbName, String refusal) {
    Rule {
      requireNonNull(trinoName, "trinoName is null");
    }

    static Rule mapTo(String trinoName, String duckdbName) {
      return new Rule(trinoName, duckdbName, null);
    }

    /**
     * @param why what differs, and the portable form to write instead
     */
    static Rule refuse(String trinoName, String why) {
      return new Rule(trinoName, null, why);
    }

    boolean refused() {
      return refusal != null;
    }
  }

  static final List<Rule> RULES =
      List.of(
          // Trino: NULL when the key is absent; DuckDB's element_at returns a list
          Rule.mapTo("element_at", "quarry_element_at"),
          Rule.mapTo("regexp_like", "regexp_matches"),
          Rule.mapTo("transform", "list_transform"),
          // both inclusive of the stop value
          Rule.mapTo("sequence", "generate_series"),
          Rule.mapTo("approx_distinct", "approx_count_distinct"),
          Rule.mapTo("from_iso8601_timestamp", "quarry_from_iso8601_timestamp"),
          Rule.mapTo("from_iso8601_date", "quarry_from_iso8601_date"),
          Rule.mapTo("from_unixtime", "quarry_from_unixtime"),
          Rule.mapTo("to_unixtime", "quarry_to_unixtime"),
          Rule.mapTo("date_add", "quarry_date_add"),
          // DuckDB's date_diff counts unit boundaries crossed; date_sub counts whole units, as
          // Trino
          Rule.mapTo("date_diff", "quarry_date_diff"),
          // Trino: NULL if any argument is NULL; DuckDB's concat skips NULLs
          Rule.mapTo("concat", "quarry_concat"),
          Rule.mapTo("date", "quarry_date"),
          Rule.refuse(
              "format",
              "Trino's format uses Java's %s patterns, DuckDB's uses {} placeholders, so the same"
                  + " call gives other text; use || and CAST(x AS VARCHAR) to build the string"),
          Rule.refuse(
              "date_format",
              "Trino's date_format takes MySQL patterns (%i = minutes) and DuckDB's strftime"
                  + " others (%M = minutes), so the same pattern gives other text; use"
                  + " CAST(ts AS VARCHAR), CAST(ts AS DATE), date_trunc or year()/month()/day()"),
          Rule.refuse(
              "date_parse",
              "Trino's date_parse takes MySQL patterns that DuckDB's strptime reads differently;"
                  + " use CAST(s AS TIMESTAMP) or from_iso8601_timestamp(s) for ISO 8601 text"),
          Rule.refuse(
              "format_datetime",
              "Trino's format_datetime takes Joda-Time patterns that DuckDB does not have; use"
                  + " CAST(ts AS VARCHAR), date_trunc or year()/month()/day()"),
          Rule.refuse(
              "parse_datetime",
              "Trino's parse_datetime takes Joda-Time patterns that DuckDB does not have; use"
                  + " CAST(s AS TIMESTAMP) or from_iso8601_timestamp(s)"));

  private static final Map<String, Rule> BY_NAME =
      RULES.stream().collect(Collectors.toMap(Rule::trinoName, Function.identity()));

  /** Trino's whole-unit names, as DuckDB's date functions take them. */
  private static final String DATE_ADD_CASES =
      "CASE lower(unit)"
          + " WHEN 'millisecond' THEN ts + to_milliseconds(n)"
          + " WHEN 'second' THEN ts + to_seconds(n)"
          + " WHEN 'minute' THEN ts + to_minutes(n)"
          + " WHEN 'hour' THEN ts + to_hours(n)"
          + " WHEN 'day' THEN ts + to_days(n)"
          + " WHEN 'week' THEN ts + to_weeks(n)"
          + " WHEN 'month' THEN ts + to_months(n)"
          + " WHEN 'quarter' THEN ts + to_months(3 * n)"
          + " WHEN 'year' THEN ts + to_years(n)"
          + " ELSE error('date_add: unknown unit ' || unit) END";

  /** The macros the rules map to, created at connect time. */
  static final List<String> MACROS =
      List.of(
          "CREATE MACRO quarry_element_at(container, k) AS container[k]",
          // Trino raises on a missing key (see EmbeddedEngine); a NULL map or key gives NULL
          "CREATE MACRO quarry_map_subscript(m, k) AS CASE WHEN m IS NULL OR k IS NULL THEN NULL"
              + " WHEN map_contains(m, k) THEN m[k] ELSE error('Key not present in map: ' || k"
              + " || ' (Athena fails the same way; element_at(map, key) gives NULL instead)')"
              + " END",
          // the UTC instant as a zone-less timestamp, comparable with the tables' columns
          "CREATE MACRO quarry_from_iso8601_timestamp(s) AS"
              + " CAST(CAST(s AS TIMESTAMPTZ) AS TIMESTAMP)",
          "CREATE MACRO quarry_from_iso8601_date(s) AS CAST(s AS DATE)",
          "CREATE MACRO quarry_from_unixtime(s) AS"
              + " make_timestamp(CAST(round(CAST(s AS DOUBLE) * 1000000) AS BIGINT))",
          "CREATE MACRO quarry_to_unixtime(ts) AS epoch_us(ts) / 1000000.0",
          "CREATE MACRO quarry_date_add(unit, n, ts) AS " + DATE_ADD_CASES,
          "CREATE MACRO quarry_date_diff(unit, a, b) AS date_sub(lower(unit), a, b)",
          "CREATE MACRO quarry_date(x) AS CAST(x AS DATE)",
          concatMacro());

  private static final String MAP_SUBSCRIPT = "quarry_map_subscript";

  /** The map columns of the metadata tables: a subscript on them is a map subscript. */
  private static final Set<String> MAP_COLUMNS = Set.of("object_tags", "user_metadata");

  private TrinoCompatibility() {}

  static String macrosAsOneSql() {
    return String.join(";\n", MACROS);
  }

  /** The DuckDB name a message may show for a Trino function, to translate messages back. */
  static Map<String, String> duckdbToTrinoNames() {
    Map<String, String> names = new java.util.LinkedHashMap<>();
    for (Rule rule : RULES) {
      if (!rule.refused() && rule.duckdbName().startsWith("quarry_")) {
        names.put(rule.duckdbName(), rule.trinoName());
      }
    }
    names.put(MAP_SUBSCRIPT, "map subscript []");
    return names;
  }

  /** The query as DuckDB runs it, with its parameters in the order of the {@code ?} marks. */
  record Rendered(String sql, List<String> parameterOrder) {}

  /**
   * Rewrites Trino SQL for DuckDB: function names per {@link #RULES}, map subscripts, named
   * parameters to {@code ?}. The query is read with Trino's grammar ({@link TrinoSql}), so a text
   * Athena would refuse is refused here too, and the rewrite touches only the tokens it changes:
   * never adds or removes a line break.
   *
   * @throws QuarryException (user) naming a refused function and its line, or where Athena could
   *     not parse the query
   */
  static Rendered rewrite(String sql) {
    TrinoSql parsed = TrinoSql.parseQuery(sql);
    TrinoSql.Rewriter rewriter = parsed.rewriter();
    List<String> parameters = new ArrayList<>();
    rewrite(parsed, parsed.tree(), rewriter, parameters);
    return new Rendered(rewriter.text(), List.copyOf(parameters));
  }

  private static void rewrite(
      TrinoSql parsed, ParseTree node, TrinoSql.Rewriter rewriter, List<String> parameters) {
    if (node instanceof SqlBaseParser.FunctionCallContext call
        && call.qualifiedName().identifier().size() == 1) {
      // a qualified name (schema.f) is not one of Trino's functions
      SqlBaseParser.IdentifierContext name = call.qualifiedName().identifier(0);
      Rule rule = BY_NAME.get(TrinoSql.identifier(name));
      if (rule != null && rule.refused()) {
        throw QuarryException.user(
            ErrorCode.QUERY_INVALID,
            "function "
                + rule.trinoName()
                + "() at line "
                + name.getStart().getLine()
                + " is not supported by the embedded engine: "
                + rule.refusal()
                + ".");
      }
      if (rule != null) {
        rewriter.replace(name.getStart(), rule.duckdbName());
      }
    } else if (node instanceof SqlBaseParser.SubscriptContext subscript
        && isMapSubscript(parsed, subscript)) {
      rewriter.insertBefore(subscript.value.getStart(), MAP_SUBSCRIPT + "(");
      rewriter.replace(((TerminalNode) subscript.getChild(1)).getSymbol(), ", ");
      rewriter.replace(subscript.getStop(), ")");
    } else if (node instanceof SqlBaseParser.ParameterContext parameter) {
      parsed
          .parameterAt(parameter.getStart())
          .ifPresent(
              name -> {
                parameters.add(name);
                rewriter.replace(parameter.getStart(), "?");
              });
    }
    for (int i = 0; i < node.getChildCount(); i++) {
      rewrite(parsed, node.getChild(i), rewriter, parameters);
    }
  }

  /**
   * A subscript with a string key (literal or parameter), or on one of the tables' map columns.
   * Arrays are indexed by numbers, and keep DuckDB's subscript.
   */
  private static boolean isMapSubscript(TrinoSql parsed, SqlBaseParser.SubscriptContext subscript) {
    ParseTree key = subscript.index;
    while (key.getChildCount() == 1 && !(key instanceof SqlBaseParser.PrimaryExpressionContext)) {
      key = key.getChild(0);
    }
    if (key instanceof SqlBaseParser.StringLiteralContext) {
      return true;
    }
    if (key instanceof SqlBaseParser.ParameterContext parameter
        && parsed.parameterAt(parameter.getStart()).isPresent()) {
      return true;
    }
    SqlBaseParser.PrimaryExpressionContext base = subscript.value;
    String column = null;
    if (base instanceof SqlBaseParser.ColumnReferenceContext reference) {
      column = TrinoSql.identifier(reference.identifier());
    } else if (base instanceof SqlBaseParser.DereferenceContext dereference) {
      column = TrinoSql.identifier(dereference.fieldName);
    }
    return column != null && MAP_COLUMNS.contains(column);
  }

  /** Trino's concat, NULL when any argument is NULL; overloads for 2 to 12 arguments. */
  private static String concatMacro() {
    List<String> overloads = new ArrayList<>();
    for (int n = 2; n <= 12; n++) {
      List<String> args = new ArrayList<>();
      for (int a = 1; a <= n; a++) {
        args.add("a" + a);
      }
      String anyNull = args.stream().map(a -> a + " IS NULL").collect(Collectors.joining(" OR "));
      overloads.add(
          "("
              + String.join(", ", args)
              + ") AS CASE WHEN "
              + anyNull
              + " THEN NULL ELSE concat("
              + String.join(", ", args)
              + ") END");
    }
    return "CREATE MACRO quarry_concat" + String.join(", ", overloads);
  }
}
