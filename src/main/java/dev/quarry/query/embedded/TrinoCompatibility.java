package dev.quarry.query.embedded;

import static java.util.Objects.requireNonNull;

import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.metadata.MetadataTables;
import dev.quarry.query.TrinoSql;
import io.trino.grammar.sql.SqlBaseParser;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.antlr.v4.runtime.tree.ParseTree;
import org.antlr.v4.runtime.tree.TerminalNode;
import org.duckdb.DuckDBColumnType;
import org.duckdb.DuckDBFunctions;
import org.duckdb.DuckDBScalarFunctionBuilder;

/**
 * The Athena (Trino) functions whose DuckDB counterpart has another name or other semantics, in one
 * table: {@link #RULES}. Most are DuckDB temporary macros under Trino's own name ({@link
 * Rule#macro}, bodies in {@link #MACROS}): a temporary macro shadows the built-in of that name,
 * also after {@code USE} of another catalog (checked on DuckDB 1.5.6), so the query text keeps
 * Trino's names and DuckDB's messages show them. A few are renamed in the text ({@link Rule#mapTo})
 * where a macro cannot stand in, each saying why; the rest are refused ({@link Rule#refuse})
 * because their DuckDB namesake would silently compute something else. Functions absent from the
 * table run as DuckDB has them (most of Trino's string, math and aggregate functions have the same
 * name and meaning).
 *
 * <p>To add a function: one line in {@link #RULES}, and its macro in {@link #MACROS}; a test
 * against the value Trino documents.
 *
 * <p>Besides function names, {@link #rewrite} turns map subscripts {@code m['k']} into {@code
 * quarry_map_subscript(m, 'k')}, which fails like Trino on a missing key (see {@link
 * EmbeddedEngine}), and array subscripts {@code a[i]} into {@code quarry_array_subscript(a, i)},
 * which fails like Trino out of range (DuckDB gives NULL, and counts negative indices from the
 * end), and leaves everything else byte for byte: line numbers in DuckDB's messages are the query's
 * own.
 */
final class TrinoCompatibility {
  /** What the engine does with a Trino function. */
  record Rule(String trinoName, String duckdbName, String refusal) {
    Rule {
      requireNonNull(trinoName, "trinoName is null");
    }

    /** A macro of that name in {@link #MACROS}: the text is left as it is. */
    static Rule macro(String trinoName) {
      return new Rule(trinoName, trinoName, null);
    }

    /** Renamed in the text, for a function no macro can stand in for (say why beside it). */
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

    boolean renamed() {
      return !refused() && !duckdbName.equals(trinoName);
    }
  }

  private static final String FORMAT_DATETIME = "format_datetime";
  private static final String CARDINALITY = "cardinality";

  static final List<Rule> RULES =
      List.of(
          // Trino: NULL when the key is absent or the index beyond the array; index 0 fails
          Rule.macro("element_at"),
          Rule.macro("cardinality"),
          Rule.macro("regexp_like"),
          Rule.macro("split"),
          // a lambda cannot be a macro's argument in DuckDB ("Invalid lambda expression")
          Rule.mapTo("transform", "list_transform"),
          Rule.macro("sequence"),
          Rule.macro("approx_distinct"),
          Rule.macro("from_iso8601_timestamp"),
          Rule.macro("from_iso8601_date"),
          Rule.macro("from_unixtime"),
          Rule.macro("to_unixtime"),
          Rule.macro("date_add"),
          // DuckDB's date_diff counts unit boundaries crossed; date_sub counts whole units, as
          // Trino
          Rule.macro("date_diff"),
          // Trino: NULL if any argument is NULL; DuckDB's concat skips NULLs
          Rule.macro("concat"),
          // DuckDB reads date(x) as its own function even beside a temporary macro of that name
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
          // a literal pattern of numeric fields is translated (JodaPattern); anything else is not
          Rule.refuse(
              FORMAT_DATETIME,
              "Trino's format_datetime takes Joda-Time patterns that DuckDB does not have; only a"
                  + " literal pattern of the numeric fields y, M, d, H, h, m, s, SSS and quoted"
                  + " text runs here; use CAST(ts AS VARCHAR), date_trunc or year()/month()/day()"),
          Rule.refuse(
              "parse_datetime",
              "Trino's parse_datetime takes Joda-Time patterns that DuckDB does not have; use"
                  + " CAST(s AS TIMESTAMP) or from_iso8601_timestamp(s)"));

  private static final Map<String, Rule> BY_NAME =
      RULES.stream().collect(Collectors.toMap(Rule::trinoName, Function.identity()));

  /**
   * Trino's whole-unit names, as DuckDB's date functions take them; sub-day units fail on a DATE.
   */
  private static final String DATE_ADD_CASES =
      "CASE WHEN typeof(ts) = 'DATE' AND lower(unit) IN ('millisecond', 'second', 'minute',"
          + " 'hour') THEN error(chr(39) || unit || chr(39) || ' is not a valid DATE field')"
          + " ELSE CASE lower(unit)"
          + " WHEN 'millisecond' THEN ts + to_milliseconds(n)"
          + " WHEN 'second' THEN ts + to_seconds(n)"
          + " WHEN 'minute' THEN ts + to_minutes(n)"
          + " WHEN 'hour' THEN ts + to_hours(n)"
          + " WHEN 'day' THEN ts + to_days(n)"
          + " WHEN 'week' THEN ts + to_weeks(n)"
          + " WHEN 'month' THEN ts + to_months(n)"
          + " WHEN 'quarter' THEN ts + to_months(3 * n)"
          + " WHEN 'year' THEN ts + to_years(n)"
          + " ELSE error('date_add: unknown unit ' || unit) END END";

  /**
   * Casts a timestamp to the type of its second argument (DATE, TIMESTAMP or TIMESTAMP WITH TIME
   * ZONE), a Java function with one overload per type: a macro's result type cannot depend on its
   * argument's, and DuckDB's {@code DATE + INTERVAL} is a TIMESTAMP where Trino's {@code date_add}
   * on a DATE is a DATE.
   */
  static final String AS_TYPE_OF = "quarry_as_type_of";

  /** Trino's messages for array subscripts out of range. */
  private static final String ARRAY_BOUNDS =
      "CASE WHEN a IS NULL OR i IS NULL THEN NULL"
          + " WHEN i = 0 THEN error('SQL array indices start at 1')"
          + " WHEN i < 0 THEN error('Array subscript is negative: ' || i)"
          + " WHEN i > len(a) THEN error('Array subscript must be less than or equal to array"
          + " length: ' || i || ' > ' || len(a)) ELSE a[i] END";

  /**
   * The macros, created on each connection the engine opens. Temporary macros shadow DuckDB's
   * built-ins of the same name wherever the session's catalog is.
   */
  static final List<String> MACROS =
      List.of(
          // on a list, index 0 fails and beyond the end is NULL; typeof spares a map the
          // comparison of its key with 0 (a string key would fail to cast)
          "CREATE OR REPLACE TEMP MACRO element_at(container, k) AS CASE WHEN typeof(container)"
              + " LIKE '%[]' AND CAST(k AS VARCHAR) = '0' THEN error('SQL array indices start at"
              + " 1') ELSE container[k] END",
          // of an array or a map: DuckDB's cardinality takes only maps and len only lists, and a
          // macro's body is bound whole, so the count goes through the value's JSON form
          "CREATE OR REPLACE TEMP MACRO cardinality(x) AS CAST(CASE json_type(to_json(x)) WHEN"
              + " 'ARRAY' THEN json_array_length(to_json(x)) ELSE len(json_keys(to_json(x))) END"
              + " AS BIGINT)",
          "CREATE OR REPLACE TEMP MACRO regexp_like(s, pattern) AS regexp_matches(s, pattern)",
          // Trino: at most lim elements, the last holding the rest; lim must be positive
          "CREATE OR REPLACE TEMP MACRO split(s, d) AS string_split(s, d), (s, d, lim) AS CASE"
              + " WHEN lim <= 0 THEN error('Limit must be positive') WHEN len(string_split(s, d))"
              + " <= lim THEN string_split(s, d) ELSE list_concat(string_split(s, d)[1:lim - 1],"
              + " [array_to_string(string_split(s, d)[lim:], d)]) END",
          // both inclusive of the stop value; Trino steps down when start > stop
          "CREATE OR REPLACE TEMP MACRO sequence(a, b) AS generate_series(a, b, CASE WHEN a <= b"
              + " THEN 1 ELSE -1 END), (a, b, step) AS generate_series(a, b, step)",
          "CREATE OR REPLACE TEMP MACRO approx_distinct(x) AS approx_count_distinct(x)",
          // the UTC instant as a zone-less timestamp, comparable with the tables' columns
          "CREATE OR REPLACE TEMP MACRO from_iso8601_timestamp(s) AS"
              + " CAST(CAST(s AS TIMESTAMPTZ) AS TIMESTAMP)",
          "CREATE OR REPLACE TEMP MACRO from_iso8601_date(s) AS CAST(s AS DATE)",
          "CREATE OR REPLACE TEMP MACRO from_unixtime(s) AS"
              + " make_timestamp(CAST(round(CAST(s AS DOUBLE) * 1000000) AS BIGINT))",
          "CREATE OR REPLACE TEMP MACRO to_unixtime(ts) AS epoch_us(ts) / 1000000.0",
          "CREATE OR REPLACE TEMP MACRO date_add(unit, n, ts) AS "
              + AS_TYPE_OF
              + "("
              + DATE_ADD_CASES
              + ", ts)",
          "CREATE OR REPLACE TEMP MACRO date_diff(unit, a, b) AS date_sub(lower(unit), a, b)",
          "CREATE OR REPLACE TEMP MACRO quarry_date(x) AS CAST(x AS DATE)",
          "CREATE OR REPLACE TEMP MACRO quarry_array_subscript(a, i) AS " + ARRAY_BOUNDS,
          concatMacro());

  private static final String MAP_SUBSCRIPT = "quarry_map_subscript";
  private static final String ARRAY_SUBSCRIPT = "quarry_array_subscript";

  /** Trino fails on a missing key (see EmbeddedEngine); a NULL map or key gives NULL. */
  private static final String MAP_SUBSCRIPT_MACRO =
      "CREATE OR REPLACE TEMP MACRO quarry_map_subscript(m, k) AS CASE WHEN m IS NULL OR k IS"
          + " NULL THEN NULL WHEN map_contains(m, k) THEN m[k] ELSE error('Key not present in"
          + " map: ' || k || ' (Athena fails the same way; element_at(map, key) gives NULL"
          + " instead)') END";

  /**
   * cardinality of a value known to be a map (a map column of the tables, a map built in place):
   * the {@code cardinality} macro counts arrays and maps through their JSON form, 2.4 times slower
   * than this over a 10M-row inventory (docs/PERFORMANCE.md, section 5).
   */
  private static final String MAP_CARDINALITY = "quarry_map_cardinality";

  private static final String MAP_CARDINALITY_MACRO =
      "CREATE OR REPLACE TEMP MACRO " + MAP_CARDINALITY + "(m) AS CAST(len(map_keys(m)) AS BIGINT)";

  /** The map columns of the metadata tables: a subscript on them is a map subscript. */
  private static final Set<String> MAP_COLUMNS = Set.of("object_tags", "user_metadata");

  private TrinoCompatibility() {}

  /**
   * Creates the macros and functions the rewritten queries call, on a connection of the engine.
   *
   * @throws SQLException if DuckDB refuses one (a bug)
   */
  static void install(Connection connection) throws SQLException {
    registerAsTypeOf(
        connection,
        DuckDBColumnType.TIMESTAMP,
        DuckDBColumnType.DATE,
        value -> ((LocalDateTime) value).toLocalDate());
    registerAsTypeOf(
        connection, DuckDBColumnType.TIMESTAMP, DuckDBColumnType.TIMESTAMP, value -> value);
    // current_timestamp is one: date_add('day', -7, current_timestamp) stays a timestamp with zone
    registerAsTypeOf(
        connection,
        DuckDBColumnType.TIMESTAMP_WITH_TIME_ZONE,
        DuckDBColumnType.TIMESTAMP_WITH_TIME_ZONE,
        value -> value);
    try (Statement s = connection.createStatement()) {
      s.execute(MAP_SUBSCRIPT_MACRO);
      s.execute(MAP_CARDINALITY_MACRO);
      for (String macro : MACROS) {
        s.execute(macro);
      }
    }
  }

  private static void registerAsTypeOf(
      Connection connection,
      DuckDBColumnType from,
      DuckDBColumnType to,
      Function<Object, Object> cast)
      throws SQLException {
    try (DuckDBScalarFunctionBuilder function = DuckDBFunctions.scalarFunction()) {
      function
          .withName(AS_TYPE_OF)
          .withParameters(from, to)
          .withReturnType(to)
          .withNullInNullOut()
          .withFunction((BiFunction<Object, Object, Object>) (value, like) -> cast.apply(value))
          .register(connection);
    }
  }

  /** The DuckDB name a message may show for a Trino function, to translate messages back. */
  static Map<String, String> duckdbToTrinoNames() {
    Map<String, String> names = new java.util.LinkedHashMap<>();
    for (Rule rule : RULES) {
      if (rule.renamed() && rule.duckdbName().startsWith("quarry_")) {
        names.put(rule.duckdbName(), rule.trinoName());
      }
    }
    names.put(MAP_SUBSCRIPT, "map subscript []");
    names.put(MAP_CARDINALITY, "cardinality");
    names.put(ARRAY_SUBSCRIPT, "array subscript []");
    names.put(AS_TYPE_OF, "date_add");
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
      if (rule != null
          && rule.trinoName().equals(FORMAT_DATETIME)
          && formatDatetime(call, rewriter)) {
        rule = null;
      }
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
      if (rule != null && rule.renamed()) {
        rewriter.replace(name.getStart(), rule.duckdbName());
      }
      if (rule == null && TrinoSql.identifier(name).equals(STARTS_WITH)) {
        addPrefixRange(parsed, call, rewriter);
      }
      if (rule != null
          && rule.trinoName().equals(CARDINALITY)
          && call.expression().size() == 1
          && mapValued(primary(call.expression(0)))) {
        rewriter.replace(name.getStart(), MAP_CARDINALITY);
      }
    } else if (node instanceof SqlBaseParser.SubscriptContext subscript) {
      rewriter.insertBefore(
          subscript.value.getStart(),
          (isMapSubscript(parsed, subscript) ? MAP_SUBSCRIPT : ARRAY_SUBSCRIPT) + "(");
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

  private static final String STARTS_WITH = "starts_with";

  /** The tables' string columns: a prefix range on them compares strings, as starts_with does. */
  private static final Set<String> STRING_COLUMNS =
      MetadataTables.JOURNAL_COLUMNS.stream()
          .filter(c -> c.type().equals("VARCHAR"))
          .map(MetadataTables.Column::name)
          .collect(Collectors.toUnmodifiableSet());

  /**
   * {@code starts_with(col, 'p')} becomes {@code (starts_with(col, 'p') AND col >= 'p' AND col <
   * 'q')}, q the next string after every one starting with p ({@link #prefixUpperBound}). DuckDB
   * 1.5.6 prunes Parquet row groups by their min/max on a range (and on {@code LIKE 'p%'}, which it
   * turns into one), never on starts_with: over a key-sorted inventory the range skips every row
   * group outside the prefix (docs/PERFORMANCE.md, section 5). starts_with implies the range, so
   * the conjunction is the call itself, NULLs included; it stays, so the result never depends on
   * the bound. Only a column of the tables against a plain literal: an expression would be
   * evaluated twice, a parameter is known too late, a line break or comment would be copied.
   */
  private static void addPrefixRange(
      TrinoSql parsed, SqlBaseParser.FunctionCallContext call, TrinoSql.Rewriter rewriter) {
    // the call ends right after its second argument: no ORDER BY, FILTER or OVER
    if (call.expression().size() != 2
        || call.getStop().getTokenIndex() != call.expression(1).getStop().getTokenIndex() + 1
        || !call.getStop().getText().equals(")")) {
      return;
    }
    ParseTree column = primary(call.expression(0));
    String name =
        column instanceof SqlBaseParser.ColumnReferenceContext reference
            ? TrinoSql.identifier(reference.identifier())
            : column instanceof SqlBaseParser.DereferenceContext dereference
                ? TrinoSql.identifier(dereference.fieldName)
                : null;
    ParseTree prefix = primary(call.expression(1));
    if (name == null
        || !STRING_COLUMNS.contains(name)
        || !(prefix instanceof SqlBaseParser.StringLiteralContext literal)
        || !(literal.string() instanceof SqlBaseParser.BasicStringLiteralContext)) {
      return;
    }
    String quoted = literal.getStart().getText();
    String value = quoted.substring(1, quoted.length() - 1).replace("''", "'");
    SqlBaseParser.ExpressionContext argument = call.expression(0);
    String columnText =
        parsed.sql().substring(parsed.start(argument.getStart()), parsed.end(argument.getStop()));
    Optional<String> upper = prefixUpperBound(value);
    if (value.isEmpty()
        || value.indexOf('\0') >= 0
        || !validText(value)
        || columnText.contains("\n")
        || columnText.contains("\r")
        || columnText.contains("--")
        || columnText.contains("/*")
        // the rewrite never adds a line break: DuckDB's error positions stay the query's own
        || breaksLine(value)
        || upper.filter(TrinoCompatibility::breaksLine).isPresent()) {
      return;
    }
    rewriter.insertBefore(call.getStart(), "(");
    rewriter.replace(
        call.getStop(),
        ") AND "
            + columnText
            + " >= "
            + quoted
            + upper.map(u -> " AND " + columnText + " < '" + u.replace("'", "''") + "'").orElse("")
            + ")");
  }

  private static boolean breaksLine(String text) {
    return text.chars().anyMatch(c -> c == '\n' || c == '\r');
  }

  /** No lone surrogate: the text has a UTF-8 form (DuckDB's strings are UTF-8). */
  private static boolean validText(String text) {
    return text.codePoints()
        .noneMatch(c -> c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE);
  }

  /**
   * The least string greater than every string starting with {@code prefix}, in code point order,
   * which is UTF-8 byte order (DuckDB's and S3's): the prefix with its last code point raised by
   * one, skipping the surrogates; a last code point of U+10FFFF is dropped and the one before it
   * raised. Empty when every code point is U+10FFFF (no string is greater).
   */
  static Optional<String> prefixUpperBound(String prefix) {
    int[] codePoints = prefix.codePoints().toArray();
    for (int i = codePoints.length - 1; i >= 0; i--) {
      int next =
          codePoints[i] == Character.MIN_SURROGATE - 1
              ? Character.MAX_SURROGATE + 1
              : codePoints[i] + 1;
      if (next <= Character.MAX_CODE_POINT) {
        return Optional.of(new String(codePoints, 0, i) + Character.toString(next));
      }
    }
    return Optional.empty();
  }

  /**
   * Rewrites {@code format_datetime(ts, 'pattern')} to DuckDB's {@code strftime} when the pattern
   * is a literal that {@link JodaPattern} translates.
   *
   * @return whether it did
   */
  private static boolean formatDatetime(
      SqlBaseParser.FunctionCallContext call, TrinoSql.Rewriter rewriter) {
    if (call.expression().size() != 2) {
      return false;
    }
    ParseTree pattern = call.expression(1);
    while (pattern.getChildCount() == 1
        && !(pattern instanceof SqlBaseParser.StringLiteralContext)) {
      pattern = pattern.getChild(0);
    }
    if (!(pattern instanceof SqlBaseParser.StringLiteralContext literal)
        || !(literal.string() instanceof SqlBaseParser.BasicStringLiteralContext)) {
      return false;
    }
    String text = literal.getStart().getText();
    Optional<String> strftime =
        JodaPattern.toStrftime(text.substring(1, text.length() - 1).replace("''", "'"));
    if (strftime.isEmpty()) {
      return false;
    }
    rewriter.replace(call.qualifiedName().getStart(), "strftime");
    rewriter.replace(literal.getStart(), "'" + strftime.get().replace("'", "''") + "'");
    return true;
  }

  /**
   * A subscript with a string key (literal or parameter), on one of the tables' map columns, or on
   * a map built in place. Any other is an array subscript.
   */
  private static boolean isMapSubscript(TrinoSql parsed, SqlBaseParser.SubscriptContext subscript) {
    ParseTree key = primary(subscript.index);
    if (key instanceof SqlBaseParser.StringLiteralContext) {
      return true;
    }
    if (key instanceof SqlBaseParser.ParameterContext parameter
        && parsed.parameterAt(parameter.getStart()).isPresent()) {
      return true;
    }
    return mapValued(subscript.value);
  }

  /** The expression itself when it is a primary expression alone, e.g. a column or a call. */
  private static ParseTree primary(ParseTree expression) {
    ParseTree node = expression;
    while (node.getChildCount() == 1 && !(node instanceof SqlBaseParser.PrimaryExpressionContext)) {
      node = node.getChild(0);
    }
    return node;
  }

  /** One of the tables' map columns, or a map built in place by a function that returns one. */
  private static boolean mapValued(ParseTree node) {
    if (!(node instanceof SqlBaseParser.PrimaryExpressionContext base)) {
      return false;
    }
    String column = null;
    if (base instanceof SqlBaseParser.ColumnReferenceContext reference) {
      column = TrinoSql.identifier(reference.identifier());
    } else if (base instanceof SqlBaseParser.DereferenceContext dereference) {
      column = TrinoSql.identifier(dereference.fieldName);
    }
    if (base instanceof SqlBaseParser.FunctionCallContext call
        && call.qualifiedName().identifier().size() == 1
        && MAP_BUILDERS.contains(TrinoSql.identifier(call.qualifiedName().identifier(0)))) {
      return true;
    }
    return column != null && MAP_COLUMNS.contains(column);
  }

  /** Functions that return a map, so a subscript on their result is a map subscript. */
  private static final Set<String> MAP_BUILDERS =
      Set.of("map", "map_from_entries", "map_concat", "map_filter", "map_agg", "multimap_agg");

  /**
   * Trino's concat, NULL when any argument is NULL as {@code ||} is (DuckDB's concat skips NULLs),
   * of strings or of arrays; overloads for 2 to 12 arguments.
   */
  private static String concatMacro() {
    List<String> overloads = new ArrayList<>();
    for (int n = 2; n <= 12; n++) {
      List<String> args = new ArrayList<>();
      for (int a = 1; a <= n; a++) {
        args.add("a" + a);
      }
      overloads.add("(" + String.join(", ", args) + ") AS " + String.join(" || ", args));
    }
    return "CREATE OR REPLACE TEMP MACRO concat" + String.join(", ", overloads);
  }
}
