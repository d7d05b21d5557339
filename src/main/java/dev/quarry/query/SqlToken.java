package dev.quarry.query;

import static java.util.Objects.requireNonNull;

/**
 * One lexical token of a SQL text. Concatenating the {@link #text()} of every token of a text gives
 * the text back exactly, which lets rewriters change a few tokens and keep the rest byte for byte.
 *
 * @param offset where the token starts in the text (0-based)
 */
public record SqlToken(Kind kind, String text, int offset) {
  public SqlToken {
    requireNonNull(kind, "kind is null");
    requireNonNull(text, "text is null");
  }

  /** The kinds of token; only the distinctions rewriters need. */
  public enum Kind {
    /** An unquoted identifier or keyword. */
    WORD,
    /** A double-quoted identifier, quotes included. */
    QUOTED_IDENTIFIER,
    /** A single-quoted string literal, quotes included. */
    STRING,
    NUMBER,
    /** A named parameter such as {@code :weather}; the text includes the colon. */
    PARAMETER,
    /** Operators and punctuation, one or more characters ({@code ::} stays one token). */
    SYMBOL,
    WHITESPACE,
    /** {@code -- ...} up to the end of the line, or {@code /* ... *}{@code /}. */
    COMMENT
  }

  public boolean is(Kind kind) {
    return this.kind == kind;
  }

  /** Whether this is the given word or symbol, ignoring case. */
  public boolean isWord(String word) {
    return kind == Kind.WORD && text.equalsIgnoreCase(word);
  }

  public boolean isSymbol(String symbol) {
    return kind == Kind.SYMBOL && text.equals(symbol);
  }

  /** Comments and whitespace, which a parser skips. */
  public boolean isTrivia() {
    return kind == Kind.WHITESPACE || kind == Kind.COMMENT;
  }

  /** The parameter's name, without the colon. */
  public String parameterName() {
    if (kind != Kind.PARAMETER) {
      throw new IllegalStateException("not a parameter: " + text);
    }
    return text.substring(1);
  }
}
