package dev.quarry.error;

import static java.util.Objects.requireNonNull;

/** An error with a kind; the CLI maps the kind to an exit code (see {@link ErrorKind}). */
public class QuarryException extends RuntimeException {
  private final ErrorKind kind;

  public QuarryException(ErrorKind kind, String message) {
    super(requireNonNull(message, "message is null"));
    this.kind = requireNonNull(kind, "kind is null");
  }

  public QuarryException(ErrorKind kind, String message, Throwable cause) {
    super(requireNonNull(message, "message is null"), cause);
    this.kind = requireNonNull(kind, "kind is null");
  }

  public static QuarryException user(String message) {
    return new QuarryException(ErrorKind.USER, message);
  }

  public static QuarryException external(String message, Throwable cause) {
    return new QuarryException(ErrorKind.EXTERNAL, message, cause);
  }

  public ErrorKind kind() {
    return kind;
  }
}
