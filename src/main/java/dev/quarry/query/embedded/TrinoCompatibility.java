package dev.quarry.query.embedded;

import static java.util.Objects.requireNonNull;

import dev.quarry.error.QuarryException;
import dev.quarry.query.SqlToken;
import dev.quarry.query.SqlToken.Kind;
import dev.quarry.query.SqlTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

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

  /** Words that end an expression's left context, never a function name before a '('. */
  private static final Set<String> KEYWORDS =
      Set.of(
          "and",
          "or",
          "not",
          "in",
          "on",
          "where",
          "select",
          "by",
          "then",
          "else",
          "when",
          "as",
          "exists",
          "from",
          "join",
          "having",
          "case",
          "is",
          "like",
          "between",
          "array",
          "values",
          "return",
          "with",
          "using",
          "distinct",
          "all",
          "any",
          "some");

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
   * parameters to {@code ?}. Never adds or removes a line break.
   *
   * @throws QuarryException (user) naming a refused function and its line
   */
  static Rendered rewrite(String sql) {
    List<SqlToken> tokens = SqlTokenizer.tokenize(sql);
    List<SqlToken> out = new ArrayList<>();
    List<String> parameters = new ArrayList<>();
    rewrite(sql, tokens, 0, tokens.size(), out, parameters);
    StringBuilder text = new StringBuilder();
    out.forEach(t -> text.append(t.text()));
    return new Rendered(text.toString(), List.copyOf(parameters));
  }

  private static void rewrite(
      String sql,
      List<SqlToken> tokens,
      int from,
      int to,
      List<SqlToken> out,
      List<String> parameters) {
    for (int i = from; i < to; i++) {
      SqlToken token = tokens.get(i);
      if (token.is(Kind.PARAMETER)) {
        parameters.add(token.parameterName());
        out.add(new SqlToken(Kind.SYMBOL, "?", token.offset()));
      } else if (token.is(Kind.WORD) && isFunctionCall(tokens, i)) {
        Rule rule = BY_NAME.get(token.text().toLowerCase(Locale.ROOT));
        if (rule == null) {
          out.add(token);
        } else if (rule.refused()) {
          throw QuarryException.user(
              "function "
                  + rule.trinoName()
                  + "() at line "
                  + SqlTokenizer.lineOf(sql, token.offset())
                  + " is not supported by the embedded engine: "
                  + rule.refusal()
                  + ".");
        } else {
          out.add(new SqlToken(Kind.WORD, rule.duckdbName(), token.offset()));
        }
      } else if (token.isSymbol("[") && isMapSubscript(tokens, i, out)) {
        int close = matching(tokens, i, "[", "]");
        List<SqlToken> base = popPrimary(out);
        List<SqlToken> key = new ArrayList<>();
        rewrite(sql, tokens, i + 1, close, key, parameters);
        out.add(new SqlToken(Kind.WORD, MAP_SUBSCRIPT, token.offset()));
        out.add(new SqlToken(Kind.SYMBOL, "(", token.offset()));
        out.addAll(base);
        out.add(new SqlToken(Kind.SYMBOL, ",", token.offset()));
        out.add(new SqlToken(Kind.WHITESPACE, " ", token.offset()));
        out.addAll(key);
        out.add(new SqlToken(Kind.SYMBOL, ")", token.offset()));
        i = close;
      } else {
        out.add(token);
      }
    }
  }

  private static boolean isFunctionCall(List<SqlToken> tokens, int i) {
    int next = nextSignificant(tokens, i + 1);
    int previous = previousSignificant(tokens, i - 1);
    return next < tokens.size()
        && tokens.get(next).isSymbol("(")
        // a qualified name (schema.f, alias.column) is not one of Trino's functions
        && (previous < 0 || !tokens.get(previous).isSymbol("."));
  }

  /**
   * A subscript with a string key (literal or parameter), or on one of the tables' map columns.
   * Arrays are indexed by numbers, and keep DuckDB's subscript.
   */
  private static boolean isMapSubscript(List<SqlToken> tokens, int open, List<SqlToken> out) {
    int last = lastSignificant(out);
    if (last < 0) {
      return false;
    }
    SqlToken before = out.get(last);
    boolean afterPrimary =
        (before.is(Kind.WORD) && !KEYWORDS.contains(before.text().toLowerCase(Locale.ROOT)))
            || before.is(Kind.QUOTED_IDENTIFIER)
            || before.isSymbol(")");
    if (!afterPrimary) {
      return false;
    }
    int close = matching(tokens, open, "[", "]");
    if (close >= tokens.size()) {
      return false;
    }
    List<SqlToken> key =
        tokens.subList(open + 1, close).stream().filter(t -> !t.isTrivia()).toList();
    if (key.size() == 1 && (key.get(0).is(Kind.STRING) || key.get(0).is(Kind.PARAMETER))) {
      return true;
    }
    String name = before.text().replace("\"", "").toLowerCase(Locale.ROOT);
    return MAP_COLUMNS.contains(name);
  }

  /** Removes from {@code out} the primary expression that ends it, and returns it. */
  private static List<SqlToken> popPrimary(List<SqlToken> out) {
    int end = lastSignificant(out);
    int start = end;
    if (out.get(end).isSymbol(")")) {
      int depth = 0;
      for (int i = end; i >= 0; i--) {
        if (out.get(i).isSymbol(")")) {
          depth++;
        } else if (out.get(i).isSymbol("(") && --depth == 0) {
          start = i;
          break;
        }
      }
      int name = previousSignificant(out, start - 1);
      if (name >= 0
          && out.get(name).is(Kind.WORD)
          && !KEYWORDS.contains(out.get(name).text().toLowerCase(Locale.ROOT))) {
        start = name;
      }
    }
    // a qualified name: alias.column, "schema"."table".column
    while (true) {
      int dot = previousSignificant(out, start - 1);
      if (dot < 0 || !out.get(dot).isSymbol(".")) {
        break;
      }
      int qualifier = previousSignificant(out, dot - 1);
      if (qualifier < 0
          || !(out.get(qualifier).is(Kind.WORD) || out.get(qualifier).is(Kind.QUOTED_IDENTIFIER))) {
        break;
      }
      start = qualifier;
    }
    // trivia between the primary and '[' goes inside the call: line breaks are kept
    List<SqlToken> primary = new ArrayList<>(out.subList(start, out.size()));
    out.subList(start, out.size()).clear();
    return primary;
  }

  private static int matching(List<SqlToken> tokens, int open, String opening, String closing) {
    int depth = 0;
    for (int i = open; i < tokens.size(); i++) {
      if (tokens.get(i).isSymbol(opening)) {
        depth++;
      } else if (tokens.get(i).isSymbol(closing) && --depth == 0) {
        return i;
      }
    }
    return tokens.size();
  }

  private static int nextSignificant(List<SqlToken> tokens, int from) {
    int i = from;
    while (i < tokens.size() && tokens.get(i).isTrivia()) {
      i++;
    }
    return i;
  }

  private static int previousSignificant(List<SqlToken> tokens, int from) {
    int i = from;
    while (i >= 0 && tokens.get(i).isTrivia()) {
      i--;
    }
    return i;
  }

  private static int lastSignificant(List<SqlToken> tokens) {
    return previousSignificant(tokens, tokens.size() - 1);
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
