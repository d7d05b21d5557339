package dev.quarry.error;

import static java.util.Objects.requireNonNull;

/**
 * A stable name for each error Quarry reports, so that scripts and tests match on the code, not on
 * the wording (Trino's error codes). A code's {@link ErrorKind} decides the exit code; codes are
 * grouped by kind and never renamed once released: add a new one instead. docs/ERRORS.md lists them
 * all (ErrorCodeTest keeps it in step).
 */
public enum ErrorCode {
  // user: the input is wrong, the user fixes it (exit 2)
  PLAYBOOK_INVALID(
      ErrorKind.USER, "a playbook (or another input file) has problems; each is listed"),
  PLAYBOOK_CHANGED(ErrorKind.USER, "the playbook changed since the run was planned"),
  PARAMETER_INVALID(ErrorKind.USER, "a query parameter has a wrong type, value or length"),
  PARAMETER_MISSING(
      ErrorKind.USER, "the query uses a parameter that is neither given nor declared"),
  OPTION_INVALID(ErrorKind.USER, "a command-line option or its value is not accepted"),
  CONFIG_INVALID(ErrorKind.USER, "the configuration file, a profile or an environment variable"),
  ACTION_UNKNOWN(ErrorKind.USER, "no action of that type; the message lists the valid ones"),
  ACTION_UNSUPPORTED(
      ErrorKind.USER, "the action cannot run this way (on AWS, or on these objects)"),
  QUERY_INVALID(ErrorKind.USER, "the SQL is refused before it runs, or the engine refused it"),
  QUERY_RESULT_INVALID(ErrorKind.USER, "the query ran but its columns or rows are not usable"),
  QUERY_MEMORY_EXCEEDED(ErrorKind.USER, "the embedded engine ran out of its memory limit"),
  METADATA_MISSING(ErrorKind.USER, "no S3 Metadata tables for the bucket or namespace here"),
  BUCKET_NOT_FOUND(ErrorKind.USER, "the bucket does not exist at the endpoint"),
  BUCKET_UNSUITABLE(ErrorKind.USER, "the bucket lacks what the command needs (versioning, ...)"),
  MANIFEST_INVALID(ErrorKind.USER, "a manifest is missing, changed or of a format not supported"),
  ID_INVALID(ErrorKind.USER, "the text is not a run id or a job id"),
  RUN_NOT_FOUND(ErrorKind.USER, "no run with that id in the run store"),
  RUN_STATE_INVALID(ErrorKind.USER, "the run is not in a phase that allows this command"),
  JOB_NOT_FOUND(ErrorKind.USER, "no job with that id"),
  JOB_STATE_INVALID(ErrorKind.USER, "the job is not in a status that allows this command"),
  REPORT_NOT_FOUND(ErrorKind.USER, "no completion report for the run or job"),
  LIMIT_EXCEEDED(ErrorKind.USER, "the run is refused: a playbook limit would be exceeded"),
  BUSY(ErrorKind.USER, "another process holds the run, job or namespace; wait for it"),
  INTERRUPTED(ErrorKind.USER, "stopped by the user (a signal); nothing more was changed"),
  SANDBOX_RUNNING(ErrorKind.USER, "a sandbox of another kind is running; stop it first"),
  STATE_UNREADABLE(ErrorKind.USER, "a file in the state directory is damaged; fix or delete it"),
  TOOL_MISSING(ErrorKind.USER, "a program the sandbox needs is not installed"),
  INSTALLATION_INCOMPLETE(
      ErrorKind.USER, "a file the build puts next to quarry.jar is missing (DuckDB's library)"),
  AWS_REQUEST_INVALID(ErrorKind.USER, "AWS refused the request as invalid or not permitted"),
  // external: a peer failed or refused (exit 3)
  PORT_IN_USE(ErrorKind.EXTERNAL, "the port asked for is taken by another process"),
  CONNECTION_REFUSED(ErrorKind.EXTERNAL, "nothing listens at the endpoint (connection refused)"),
  S3_UNREACHABLE(ErrorKind.EXTERNAL, "the S3 endpoint did not answer"),
  S3_ACCESS_DENIED(ErrorKind.EXTERNAL, "the S3 endpoint refused access (403)"),
  S3_REQUEST_FAILED(ErrorKind.EXTERNAL, "the S3 endpoint answered a request with an error"),
  S3_CONTROL_FAILED(ErrorKind.EXTERNAL, "S3 Control (Batch Operations) failed or did not answer"),
  ATHENA_FAILED(ErrorKind.EXTERNAL, "Athena failed, did not answer, or a query of it failed"),
  SERVER_FAILED(ErrorKind.EXTERNAL, "a server Quarry started did not start, answer or stop"),
  STORAGE_FULL(ErrorKind.EXTERNAL, "no space left on the device that holds a file Quarry writes"),
  STORAGE_READ_ONLY(ErrorKind.EXTERNAL, "a directory Quarry writes is read-only or not permitted"),
  STORAGE_FAILED(ErrorKind.EXTERNAL, "reading or writing a local file failed"),
  RUN_STORE_FAILED(ErrorKind.EXTERNAL, "the run store (a database) failed or could not be opened"),
  REPORT_UNREADABLE(ErrorKind.EXTERNAL, "a completion report could not be read or parsed"),
  JOB_FAILED(ErrorKind.EXTERNAL, "a job could not be executed or tracked to its end"),
  // internal: a bug in Quarry (exit 70, with a stack trace)
  INTERNAL_ERROR(ErrorKind.INTERNAL, "a bug in Quarry; please report it with the stack trace");

  private final ErrorKind kind;
  private final String meaning;

  ErrorCode(ErrorKind kind, String meaning) {
    this.kind = requireNonNull(kind, "kind is null");
    this.meaning = requireNonNull(meaning, "meaning is null");
  }

  public ErrorKind kind() {
    return kind;
  }

  /** What the code means, one line, as docs/ERRORS.md shows it. */
  public String meaning() {
    return meaning;
  }

  public int exitCode() {
    return kind.exitCode();
  }
}
