package dev.quarry.error;

import static java.util.Objects.requireNonNull;

/**
 * An error with a stable {@link ErrorCode}; the code's kind decides the CLI's exit code (see {@link
 * ErrorKind}).
 */
public class QuarryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;

  public QuarryException(ErrorCode code, String message) {
    super(requireNonNull(message, "message is null"));
    this.code = requireNonNull(code, "code is null");
  }

  public QuarryException(ErrorCode code, String message, Throwable cause) {
    super(requireNonNull(message, "message is null"), cause);
    this.code = requireNonNull(code, "code is null");
  }

  /** A user error; the code must be one of the user codes. */
  public static QuarryException user(ErrorCode code, String message) {
    return new QuarryException(expect(code, ErrorKind.USER), message);
  }

  /**
   * An external failure; the code must be one of the external codes. A cause that is a known
   * failure of the machine (see {@link KnownFailures}) gives its own code instead.
   */
  public static QuarryException external(ErrorCode code, String message, Throwable cause) {
    expect(code, ErrorKind.EXTERNAL);
    // the cause knows better than the call site when it is the machine's doing: a refused
    // connection is named so whether it happened listing a bucket or uploading a manifest
    return new QuarryException(
        cause == null ? code : KnownFailures.code(cause).orElse(code), message, cause);
  }

  public ErrorCode errorCode() {
    return code;
  }

  public ErrorKind kind() {
    return code.kind();
  }

  private static ErrorCode expect(ErrorCode code, ErrorKind kind) {
    requireNonNull(code, "code is null");
    if (code.kind() != kind) {
      throw new IllegalArgumentException(code + " is a " + code.kind() + " code, not " + kind);
    }
    return code;
  }
}
