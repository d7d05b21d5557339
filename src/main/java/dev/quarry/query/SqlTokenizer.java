package dev.quarry.query;

import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.query.SqlToken.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits Trino (Athena) SQL into tokens, enough to find named parameters and function calls without
 * being fooled by string literals, quoted identifiers, comments or {@code ::} casts. It does not
 * parse: a text that is not valid SQL still tokenizes, and the engine reports the syntax error.
 */
public final class SqlTokenizer {
  private SqlTokenizer() {}

  public static List<SqlToken> tokenize(String sql) {
    List<SqlToken> tokens = new ArrayList<>();
    int i = 0;
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      int start = i;
      Kind kind;
      if (Character.isWhitespace(c)) {
        while (i < n && Character.isWhitespace(sql.charAt(i))) {
          i++;
        }
        kind = Kind.WHITESPACE;
      } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
        while (i < n && sql.charAt(i) != '\n') {
          i++;
        }
        kind = Kind.COMMENT;
      } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
        int end = sql.indexOf("*/", i + 2);
        i = end < 0 ? n : end + 2;
        kind = Kind.COMMENT;
      } else if (c == '\'' || c == '"') {
        i = endOfQuoted(sql, i, c);
        kind = c == '\'' ? Kind.STRING : Kind.QUOTED_IDENTIFIER;
      } else if (c == ':' && i + 1 < n && isIdentifierStart(sql.charAt(i + 1))) {
        i += 2;
        while (i < n && isIdentifierPart(sql.charAt(i))) {
          i++;
        }
        kind = Kind.PARAMETER;
      } else if (isIdentifierStart(c)) {
        while (i < n && isIdentifierPart(sql.charAt(i))) {
          i++;
        }
        kind = Kind.WORD;
      } else if (Character.isDigit(c)
          || (c == '.' && i + 1 < n && Character.isDigit(sql.charAt(i + 1)))) {
        i = endOfNumber(sql, i);
        kind = Kind.NUMBER;
      } else {
        i += symbolLength(sql, i);
        kind = Kind.SYMBOL;
      }
      tokens.add(new SqlToken(kind, sql.substring(start, i), start));
    }
    return tokens;
  }

  /** The names of the named parameters the text uses, in order of first use, without duplicates. */
  public static List<String> parameterNames(String sql) {
    return tokenize(sql).stream()
        .filter(t -> t.is(Kind.PARAMETER))
        .map(SqlToken::parameterName)
        .distinct()
        .toList();
  }

  /**
   * Checks that the tokens are one query and returns the index just past its last token, trailing
   * semicolons and trivia left out.
   *
   * @param queryStarts the first words (lower case) an engine accepts, e.g. select, with, values
   * @throws QuarryException (user) for an empty text, another statement, or more than one
   */
  public static int singleQueryEnd(List<SqlToken> tokens, java.util.Set<String> queryStarts) {
    SqlToken first = tokens.stream().filter(t -> !t.isTrivia()).findFirst().orElse(null);
    if (first == null) {
      throw QuarryException.user(ErrorCode.QUERY_INVALID, "the query is empty");
    }
    if (!queryStarts.contains(first.text().toLowerCase(java.util.Locale.ROOT))) {
      throw QuarryException.user(
          ErrorCode.QUERY_INVALID,
          "only queries run here (SELECT, WITH, VALUES); the statement starts with "
              + first.text());
    }
    int end = tokens.size();
    while (end > 0 && (tokens.get(end - 1).isTrivia() || tokens.get(end - 1).isSymbol(";"))) {
      end--;
    }
    for (int i = 0; i < end; i++) {
      if (tokens.get(i).isSymbol(";")) {
        throw QuarryException.user(
            ErrorCode.QUERY_INVALID,
            "line "
                + (1
                    + tokens.subList(0, i).stream()
                        .filter(t -> t.text().contains("\n"))
                        .mapToLong(t -> t.text().chars().filter(c -> c == '\n').count())
                        .sum())
                + ": the text holds more than one statement (a ';' before the end); run one query at a"
                + " time");
      }
    }
    return end;
  }

  /** Line (1-based) of an offset in a text, to point at a token in a playbook's query. */
  public static int lineOf(String text, int offset) {
    int line = 1;
    for (int i = 0; i < offset && i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        line++;
      }
    }
    return line;
  }

  private static int endOfQuoted(String sql, int start, char quote) {
    int i = start + 1;
    while (i < sql.length()) {
      if (sql.charAt(i) == quote) {
        // a doubled quote is an escaped quote inside the literal
        if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
          i += 2;
          continue;
        }
        return i + 1;
      }
      i++;
    }
    return sql.length();
  }

  private static int endOfNumber(String sql, int start) {
    int i = start;
    while (i < sql.length() && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '.')) {
      char c = sql.charAt(i);
      if ((c == 'e' || c == 'E')
          && i + 1 < sql.length()
          && (sql.charAt(i + 1) == '-' || sql.charAt(i + 1) == '+')) {
        i++;
      }
      i++;
    }
    return i;
  }

  private static int symbolLength(String sql, int i) {
    if (i + 1 < sql.length()) {
      String two = sql.substring(i, i + 2);
      if (two.equals("::")
          || two.equals("<>")
          || two.equals("<=")
          || two.equals(">=")
          || two.equals("!=")
          || two.equals("||")
          || two.equals("->")) {
        return 2;
      }
    }
    return 1;
  }

  private static boolean isIdentifierStart(char c) {
    return Character.isLetter(c) || c == '_';
  }

  private static boolean isIdentifierPart(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '$';
  }
}
