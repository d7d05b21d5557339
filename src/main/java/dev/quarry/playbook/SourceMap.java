package dev.quarry.playbook;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.Optional;

/**
 * Where each field of a playbook was written: the position of every key and every value, by {@link
 * FieldPath}, and enough about each text value to find a position inside it (a parameter used on
 * the fifth line of the query).
 */
public final class SourceMap {
  /** A 1-based line and column in the playbook file. */
  public record Position(int line, int column) {
    public static final Position UNKNOWN = new Position(0, 0);
    public static final Position START = new Position(1, 1);
  }

  /**
   * How a text value was written, to map an offset inside the value back to the file.
   *
   * @param start where the value starts (for a block scalar, its {@code |} or {@code >} indicator)
   * @param style the YAML style: plain, single-quoted, double-quoted, literal or folded
   * @param singleLine whether the value starts and ends on the same line
   * @param blockIndent for a block scalar, the column (0-based) where its content lines start
   */
  record Scalar(Position start, Style style, boolean singleLine, int blockIndent) {
    enum Style {
      PLAIN,
      SINGLE_QUOTED,
      DOUBLE_QUOTED,
      LITERAL,
      FOLDED
    }
  }

  private final Map<FieldPath, Position> keys;
  private final Map<FieldPath, Position> values;
  private final Map<FieldPath, Scalar> scalars;

  SourceMap(
      Map<FieldPath, Position> keys,
      Map<FieldPath, Position> values,
      Map<FieldPath, Scalar> scalars) {
    this.keys = Map.copyOf(requireNonNull(keys, "keys is null"));
    this.values = Map.copyOf(requireNonNull(values, "values is null"));
    this.scalars = Map.copyOf(requireNonNull(scalars, "scalars is null"));
  }

  static SourceMap empty() {
    return new SourceMap(Map.of(), Map.of(), Map.of());
  }

  /** Where the key of a field was written; the document's start for the root. */
  public Optional<Position> key(FieldPath path) {
    return path.isRoot() ? Optional.of(Position.START) : Optional.ofNullable(keys.get(path));
  }

  /** Where the value of a field starts. */
  public Optional<Position> value(FieldPath path) {
    return Optional.ofNullable(values.get(path));
  }

  /**
   * The position of the nearest field that was written, walking up from {@code path}: the field
   * itself (its key when {@code atKey}, else its value), or else the key of the closest parent (a
   * missing required field is reported where its parent is).
   */
  public Position nearest(FieldPath path, boolean atKey) {
    Optional<Position> exact = atKey ? key(path) : value(path).or(() -> key(path));
    if (exact.isPresent()) {
      return exact.get();
    }
    FieldPath at = path;
    while (!at.isRoot()) {
      at = at.parent();
      Optional<Position> found = key(at);
      if (found.isPresent()) {
        return found.get();
      }
    }
    return Position.START;
  }

  /**
   * The position of a character inside a text value: exact for literal blocks ({@code query: |})
   * and one-line values; for folded or multi-line flow values, where YAML has joined lines, the
   * value's start.
   */
  public Position inText(FieldPath path, String text, int offset) {
    Scalar scalar = scalars.get(path);
    if (scalar == null) {
      return nearest(path, false);
    }
    int line = 0;
    int lineStart = 0;
    for (int i = 0; i < offset && i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    int column = offset - lineStart;
    switch (scalar.style()) {
      case LITERAL:
        // content starts on the line after the indicator, each line indented by blockIndent
        return new Position(scalar.start().line() + 1 + line, scalar.blockIndent() + column + 1);
      case PLAIN:
        return scalar.singleLine()
            ? new Position(scalar.start().line(), scalar.start().column() + column)
            : scalar.start();
      case SINGLE_QUOTED:
      case DOUBLE_QUOTED:
        return scalar.singleLine()
            ? new Position(scalar.start().line(), scalar.start().column() + 1 + column)
            : scalar.start();
      case FOLDED:
        return scalar.start();
    }
    throw new AssertionError(scalar.style());
  }
}
