package dev.quarry.error;

/**
 * Who has to act on an error, which decides the CLI's exit code and whether a stack trace helps.
 */
public enum ErrorKind {
  /** Bad input: a playbook, a flag, a parameter. The user fixes it; no stack trace. */
  USER(2),
  /** A peer failed or refused: an S3 endpoint, Athena, a process we started. No stack trace. */
  EXTERNAL(3),
  /** A bug in Quarry. The stack trace is printed so it can be reported. */
  INTERNAL(70);

  private final int exitCode;

  ErrorKind(int exitCode) {
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
