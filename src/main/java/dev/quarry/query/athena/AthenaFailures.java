package dev.quarry.query.athena;

import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.athena.model.AthenaError;
import software.amazon.awssdk.services.athena.model.InvalidRequestException;
import software.amazon.awssdk.services.athena.model.QueryExecutionStatus;

/**
 * How Athena's outcomes become Quarry errors. A query Athena FAILED because of its text
 * (AthenaError category 2, "user"; or, without that field, a Trino error code of the query's own
 * making such as SYNTAX_ERROR or COLUMN_NOT_FOUND) is a user error carrying Athena's message; any
 * other failure, a cancelled query, a timeout or a service that cannot be reached is external.
 */
final class AthenaFailures {
  /** AthenaError.ErrorCategory: 1 system, 2 user, 3 other. */
  static final int USER_CATEGORY = 2;

  private static final Pattern LINE = Pattern.compile("line (\\d+):(\\d+)");
  // Trino error codes (and the parser's wording) that a query's own text causes
  private static final List<String> USER_CODES =
      List.of(
          "SYNTAX_ERROR",
          "COLUMN_NOT_FOUND",
          "TABLE_NOT_FOUND",
          "SCHEMA_NOT_FOUND",
          "CATALOG_NOT_FOUND",
          "FUNCTION_NOT_FOUND",
          "FUNCTION_IMPLEMENTATION_MISSING",
          "TYPE_MISMATCH",
          "INVALID_FUNCTION_ARGUMENT",
          "INVALID_CAST_ARGUMENT",
          "INVALID_LITERAL",
          "INVALID_PARAMETER_USAGE",
          "AMBIGUOUS_NAME",
          "MISSING_ATTRIBUTE",
          "DIVISION_BY_ZERO",
          "NOT_SUPPORTED",
          "MISMATCHED INPUT");

  private AthenaFailures() {}

  /** A query that ended FAILED. */
  static QuarryException failed(String queryId, QueryExecutionStatus status, String sql) {
    String reason =
        firstNonBlank(
            status.stateChangeReason(),
            status.athenaError() == null ? null : status.athenaError().errorMessage(),
            "(Athena gave no reason)");
    if (!isUserError(status.athenaError(), reason)) {
      return new QuarryException(
          ErrorCode.ATHENA_FAILED, "Athena query " + queryId + " failed: " + reason.strip());
    }
    StringBuilder message = new StringBuilder("query failed: ").append(reason.strip());
    Matcher line = LINE.matcher(reason);
    if (line.find()) {
      int n = Integer.parseInt(line.group(1));
      List<String> lines = sql.lines().toList();
      if (n >= 1 && n <= lines.size()) {
        message.append("\n  at line ").append(n).append(": ").append(lines.get(n - 1).strip());
      }
    }
    message.append("\n  (Athena query ").append(queryId).append(')');
    return new QuarryException(ErrorCode.QUERY_INVALID, message.toString());
  }

  static boolean isUserError(AthenaError error, String reason) {
    if (error != null && error.errorCategory() != null) {
      return error.errorCategory() == USER_CATEGORY;
    }
    String upper = reason.toUpperCase(Locale.ROOT);
    return USER_CODES.stream().anyMatch(upper::contains);
  }

  /** A query someone else cancelled (in the console, another client). */
  static QuarryException cancelled(String queryId, QueryExecutionStatus status) {
    String reason = status.stateChangeReason();
    return new QuarryException(
        ErrorCode.ATHENA_FAILED,
        "Athena query "
            + queryId
            + " was cancelled"
            + (reason == null || reason.isBlank() ? "" : ": " + reason.strip()));
  }

  static QuarryException timedOut(
      String queryId, Duration waited, String lastState, boolean stopped) {
    return new QuarryException(
        ErrorCode.ATHENA_FAILED,
        "Athena query "
            + queryId
            + " did not finish within "
            + seconds(waited)
            + " (still "
            + lastState
            + "); "
            + (stopped
                ? "it was stopped"
                : "stopping it failed too: stop it in the Athena console or raise the timeout"));
  }

  /** A call to Athena that did not get an answer about the query itself. */
  static QuarryException call(String what, SdkException e) {
    if (e instanceof InvalidRequestException invalid) {
      // Athena refused the request's content: a workgroup, catalog, location or query text
      String detail =
          invalid.awsErrorDetails() == null
              ? invalid.getMessage()
              : invalid.awsErrorDetails().errorMessage();
      return new QuarryException(
          ErrorCode.AWS_REQUEST_INVALID, "Athena refused to " + what + ": " + detail, invalid);
    }
    if (e instanceof SdkClientException) {
      return QuarryException.external(
          ErrorCode.ATHENA_FAILED, "cannot reach Athena to " + what + ": " + e.getMessage(), e);
    }
    return QuarryException.external(
        ErrorCode.ATHENA_FAILED, "Athena failed to " + what + ": " + e.getMessage(), e);
  }

  static String seconds(Duration d) {
    long millis = d.toMillis();
    return millis < 10_000
        ? String.format(Locale.ROOT, "%.1f s", millis / 1000.0)
        : (millis / 1000) + " s";
  }

  private static String firstNonBlank(String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        return v;
      }
    }
    return "";
  }
}
