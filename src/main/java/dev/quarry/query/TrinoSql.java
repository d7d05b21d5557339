package dev.quarry.query;

import static java.util.Objects.requireNonNull;

import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.query.SqlToken.Kind;
import io.trino.grammar.sql.SqlBaseLexer;
import io.trino.grammar.sql.SqlBaseParser;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.antlr.v4.runtime.BailErrorStrategy;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.DefaultErrorStrategy;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.atn.PredictionMode;
import org.antlr.v4.runtime.misc.ParseCancellationException;
import org.antlr.v4.runtime.tree.ParseTree;

/**
 * A query read with Trino's own grammar ({@code io.trino:trino-grammar}, the ANTLR lexer and parser
 * Athena's engine is generated from), so what Quarry reads from a query is what Athena reads: the
 * tables it names, its output columns, where its subscripts are. Quarry's named parameters ({@code
 * :name}) are not Trino syntax: each is read as Trino's {@code ?} padded with spaces to the same
 * length, so every token keeps its offset, line and column in the query's own text.
 */
public final class TrinoSql {
  private final String sql;
  private final String lexed;
  private final CommonTokenStream tokens;
  private final SqlBaseParser.QueryContext query;
  private final Map<Integer, String> parameters;

  private TrinoSql(
      String sql,
      String lexed,
      CommonTokenStream tokens,
      SqlBaseParser.QueryContext query,
      Map<Integer, String> parameters) {
    this.sql = sql;
    this.lexed = lexed;
    this.tokens = tokens;
    this.query = query;
    this.parameters = parameters;
  }

  /**
   * Parses a text that must be one query, as Athena runs it: a SELECT, WITH ... SELECT, VALUES or
   * TABLE, with trailing semicolons allowed.
   *
   * @throws QuarryException (user) with the line and column where Athena would fail to parse it, or
   *     naming the statement that is not a query
   */
  public static TrinoSql parseQuery(String sql) {
    requireNonNull(sql, "sql is null");
    List<SqlToken> words = SqlTokenizer.tokenize(sql);
    int end = words.size();
    while (end > 0 && (words.get(end - 1).isTrivia() || words.get(end - 1).isSymbol(";"))) {
      end--;
    }
    if (end == 0) {
      throw QuarryException.user(ErrorCode.QUERY_INVALID, "the query is empty");
    }
    StringBuilder lexed = new StringBuilder(sql.length());
    Map<Integer, String> parameters = new HashMap<>();
    for (int i = 0; i < end; i++) {
      SqlToken t = words.get(i);
      if (t.isSymbol(";")) {
        throw new Refused(
            sql,
            t.offset(),
            "the text holds more than one statement (a ';' before the end); run one query at a"
                + " time");
      }
      if (t.is(Kind.PARAMETER)) {
        parameters.put(t.offset(), t.parameterName());
        lexed.append('?').append(" ".repeat(t.text().length() - 1));
      } else {
        lexed.append(t.text());
      }
    }
    String text = lexed.toString();
    SqlBaseLexer lexer = new SqlBaseLexer(CharStreams.fromString(text));
    lexer.removeErrorListeners();
    lexer.addErrorListener(new Refusal(sql));
    CommonTokenStream stream = new CommonTokenStream(lexer);
    SqlBaseParser parser = new SqlBaseParser(stream);
    parser.removeErrorListeners();
    // Two stages, as Trino's own SqlParser: SLL prediction parses every query we have met and
    // spares ANTLR's full-context simulation, the cost of a cold parser (start-up, section 6 of
    // docs/PERFORMANCE.md); a query it cannot take is parsed again in full LL mode, whose errors
    // are the ones reported
    parser.getInterpreter().setPredictionMode(PredictionMode.SLL);
    parser.setErrorHandler(new BailErrorStrategy());
    SqlBaseParser.SingleStatementContext single;
    try {
      single = parser.singleStatement();
    } catch (ParseCancellationException sllFailed) {
      stream.seek(0);
      parser.reset();
      parser.addErrorListener(new Refusal(sql));
      parser.setErrorHandler(new DefaultErrorStrategy());
      parser.getInterpreter().setPredictionMode(PredictionMode.LL);
      single = parser.singleStatement();
    }
    SqlBaseParser.StatementContext statement = single.statement();
    // WITH SESSION and inline WITH FUNCTION are Trino's, not Athena's
    if (!(statement instanceof SqlBaseParser.StatementDefaultContext query)
        || query.rootQueryWithSession().SESSION() != null
        || !query.rootQueryWithSession().rootQuery().functionSpecification().isEmpty()) {
      Token first = statement.getStart();
      throw new Refused(
          sql,
          charOffset(text, first.getStartIndex()),
          "a "
              + first.getText().toUpperCase(Locale.ROOT)
              + " statement does not select objects; a playbook's query is one SELECT (or WITH"
              + " ... SELECT) query, the only statement Athena runs for a manifest");
    }
    return new TrinoSql(
        sql,
        text,
        stream,
        query.rootQueryWithSession().rootQuery().query(),
        Map.copyOf(parameters));
  }

  /** The query's text without trailing semicolons; parameters still as {@code :name}. */
  public String sql() {
    return sql.substring(0, lexed.length());
  }

  /** The token stream, for a rewriter that keeps every other byte of the text. */
  public CommonTokenStream tokens() {
    return tokens;
  }

  public SqlBaseParser.QueryContext tree() {
    return query;
  }

  /** The named parameter a {@code ?} token stands for; empty for a bare {@code ?}. */
  public Optional<String> parameterAt(Token token) {
    return Optional.ofNullable(parameters.get(start(token)));
  }

  /**
   * Where the token starts in the query's text, in chars. ANTLR's string streams count code points,
   * so after a character outside the BMP (an emoji in a key, two chars) its indices are behind the
   * text's.
   */
  public int start(Token token) {
    return charOffset(lexed, token.getStartIndex());
  }

  /** Where the token ends (exclusive) in the query's text, in chars. */
  public int end(Token token) {
    return charOffset(lexed, token.getStopIndex() + 1);
  }

  private static int charOffset(String text, int codePoints) {
    return text.offsetByCodePoints(0, codePoints);
  }

  /**
   * Every table the query reads, by its name's parts (quoted parts unquoted, others lower-cased),
   * in order of first mention; names of its own WITH queries are left out where they are in scope.
   */
  public List<List<String>> tablesRead() {
    Set<List<String>> found = new LinkedHashSet<>();
    collectTables(query, Set.of(), found);
    return List.copyOf(found);
  }

  private static void collectTables(ParseTree node, Set<String> ctes, Set<List<String>> found) {
    Set<String> inScope = ctes;
    if (node instanceof SqlBaseParser.QueryContext q && q.with() != null) {
      Set<String> names = new LinkedHashSet<>(ctes);
      for (SqlBaseParser.NamedQueryContext named : q.with().namedQuery()) {
        names.add(identifier(named.name));
      }
      inScope = names;
    }
    if (node instanceof SqlBaseParser.TableNameContext table) {
      List<String> parts = parts(table.qualifiedName());
      if (!(parts.size() == 1 && inScope.contains(parts.get(0)))) {
        found.add(parts);
      }
    }
    for (int i = 0; i < node.getChildCount(); i++) {
      collectTables(node.getChild(i), inScope, found);
    }
  }

  /**
   * Whether the query's result has the column {@code name}: present when its outermost SELECT list
   * (the first of a set operation, which names the columns) names it, false when the list names
   * every column and not this one, empty when it cannot tell ({@code *}, VALUES, TABLE).
   */
  public Optional<Boolean> returnsColumn(String name) {
    ParserRuleContext term = query.queryNoWith().queryTerm();
    while (term instanceof SqlBaseParser.SetOperationContext set) {
      term = set.left;
    }
    if (!(term instanceof SqlBaseParser.QueryTermDefaultContext primary)
        || !(primary.queryPrimary() instanceof SqlBaseParser.QueryPrimaryDefaultContext spec)) {
      return Optional.empty();
    }
    boolean star = false;
    for (SqlBaseParser.SelectItemContext item : spec.querySpecification().selectItem()) {
      if (item instanceof SqlBaseParser.SelectSingleContext single) {
        if (outputName(single).equalsIgnoreCase(name)) {
          return Optional.of(true);
        }
      } else {
        star = true;
      }
    }
    return star ? Optional.empty() : Optional.of(false);
  }

  private static String outputName(SqlBaseParser.SelectSingleContext single) {
    if (single.identifier() != null) {
      return identifier(single.identifier());
    }
    ParseTree e = single.expression();
    // expression -> booleanExpression -> valueExpression -> primaryExpression, one child each
    while (e.getChildCount() == 1 && !(e instanceof SqlBaseParser.PrimaryExpressionContext)) {
      e = e.getChild(0);
    }
    if (e instanceof SqlBaseParser.ColumnReferenceContext column) {
      return identifier(column.identifier());
    }
    if (e instanceof SqlBaseParser.DereferenceContext dereference) {
      return identifier(dereference.fieldName);
    }
    return "";
  }

  /** The parts of a qualified name, normalized as Trino does. */
  public static List<String> parts(SqlBaseParser.QualifiedNameContext name) {
    return name.identifier().stream().map(TrinoSql::identifier).toList();
  }

  /** A quoted identifier unquoted; any other lower-cased (Trino folds unquoted names). */
  public static String identifier(SqlBaseParser.IdentifierContext identifier) {
    if (identifier instanceof SqlBaseParser.QuotedIdentifierContext) {
      String t = identifier.getText();
      return t.substring(1, t.length() - 1).replace("\"\"", "\"");
    }
    return identifier.getText().toLowerCase(Locale.ROOT);
  }

  /**
   * Edits to the query's own text at its tokens, like ANTLR's TokenStreamRewriter but applied to
   * the text as written (parameters as {@code :name}, trailing semicolons and all): every byte not
   * replaced is kept, so lines and columns in an engine's messages stay the query's.
   */
  public Rewriter rewriter() {
    return new Rewriter();
  }

  /** See {@link #rewriter()}. */
  public final class Rewriter {
    private record Edit(int start, int end, String text, int order) {}

    private final List<Edit> edits = new ArrayList<>();

    private Rewriter() {}

    public Rewriter insertBefore(Token token, String text) {
      edits.add(new Edit(start(token), start(token), text, edits.size()));
      return this;
    }

    /** Replaces the token's text (a named parameter's whole {@code :name}). */
    public Rewriter replace(Token token, String text) {
      int start = start(token);
      int end = end(token);
      String parameter = parameters.get(start);
      if (parameter != null) {
        end = start + 1 + parameter.length();
      }
      edits.add(new Edit(start, end, text, edits.size()));
      return this;
    }

    public String text() {
      List<Edit> sorted = new ArrayList<>(edits);
      sorted.sort(
          java.util.Comparator.comparingInt(Edit::start)
              .thenComparingInt(e -> e.end() - e.start())
              .thenComparingInt(Edit::order));
      StringBuilder out = new StringBuilder(sql.length());
      int at = 0;
      for (Edit edit : sorted) {
        out.append(sql, at, edit.start()).append(edit.text());
        at = edit.end();
      }
      return out.append(sql, at, sql.length()).toString();
    }
  }

  /** Line (1-based) of a token in the query. */
  public static int line(Token token) {
    return token.getLine();
  }

  /**
   * A text Athena would refuse: a user error whose message starts with the line and column, and
   * that also says where, for a playbook's file:line.
   */
  public static final class Refused extends QuarryException {
    private static final long serialVersionUID = 1L;
    private final int offset;
    private final String reason;

    Refused(String sql, int offset, String reason) {
      super(
          dev.quarry.error.ErrorCode.QUERY_INVALID,
          "line " + lineAndColumn(sql, offset) + ": " + reason);
      this.offset = offset;
      this.reason = reason;
    }

    /** Where in the query (0-based). */
    public int offset() {
      return offset;
    }

    /** The message without its place. */
    public String reason() {
      return reason;
    }

    private static String lineAndColumn(String sql, int offset) {
      int lineStart = sql.lastIndexOf('\n', Math.max(0, offset - 1)) + 1;
      if (offset == 0) {
        lineStart = 0;
      }
      return SqlTokenizer.lineOf(sql, offset) + ":" + (offset - lineStart + 1);
    }
  }

  /** Fails on the first error, as Athena does, with the place in the query's own lines. */
  private static final class Refusal extends BaseErrorListener {
    private final String sql;

    Refusal(String sql) {
      this.sql = sql;
    }

    @Override
    public void syntaxError(
        Recognizer<?, ?> recognizer,
        Object offending,
        int line,
        int column,
        String message,
        RecognitionException e) {
      // ANTLR lists every token it expected, often hundreds: the place and the input suffice
      String shortMessage =
          message.replaceFirst(" expecting \\{.*", "").replaceFirst(" expecting .*", "");
      throw new Refused(
          sql,
          offsetOf(sql, line, column),
          shortMessage
              + "; Athena (Trino SQL) cannot parse the query there (a query starts with SELECT or"
              + " WITH; DuckDB-only syntax such as FROM first, :: casts or SUMMARIZE does not run"
              + " on Athena)");
    }

    private static int offsetOf(String sql, int line, int column) {
      int offset = 0;
      for (int l = 1; l < line && offset >= 0; l++) {
        offset = sql.indexOf('\n', offset) + 1;
      }
      return Math.min(sql.length(), Math.max(0, offset) + column);
    }
  }
}
