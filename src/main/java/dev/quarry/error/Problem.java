package dev.quarry.error;

import static java.util.Objects.requireNonNull;

/**
 * One thing wrong with an input file, with where it is: the file, the 1-based line and column (0
 * when unknown) and the field path inside the document (e.g. {@code action.days}).
 */
public record Problem(String file, int line, int column, String path, String message) {
  public Problem {
    requireNonNull(file, "file is null");
    requireNonNull(path, "path is null");
    requireNonNull(message, "message is null");
  }

  /** {@code file:line:column: path: message}, the form editors and compilers use. */
  @Override
  public String toString() {
    StringBuilder out = new StringBuilder(file);
    if (line > 0) {
      out.append(':').append(line);
      if (column > 0) {
        out.append(':').append(column);
      }
    }
    out.append(": ");
    if (!path.isEmpty()) {
      out.append(path).append(": ");
    }
    return out.append(message).toString();
  }
}
