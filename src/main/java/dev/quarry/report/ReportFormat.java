package dev.quarry.report;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.QuoteMode;

/** The constants of Report_CSV_20180820 shared by the writer and the reader. */
final class ReportFormat {
  static final String FORMAT = "Report_CSV_20180820";

  /**
   * The ReportSchema string AWS puts in manifest.json. It names ErrorCode before HTTPStatusCode,
   * but AWS's rows carry the HTTP status in the fifth field; see {@link CompletionReportWriter}.
   */
  static final String SCHEMA =
      "Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage";

  static final int FIELDS = 7;

  static final String MANIFEST = "manifest.json";

  static final String RESULTS = "results";

  /** RFC 4180 with quotes only where needed, as AWS's example rows show. */
  static final CSVFormat CSV =
      CSVFormat.DEFAULT.builder().setRecordSeparator("\n").setQuoteMode(QuoteMode.MINIMAL).get();

  /** ReportCreationDate as AWS's example writes it: UTC, milliseconds, a Z. */
  static final DateTimeFormatter CREATION_DATE =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  /** A results file name we are willing to open: no folders, no dot files. */
  static final Pattern RESULT_NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]*");

  private ReportFormat() {}

  /** The folder of one job's report under a prefix: {@code job-<jobId>}. */
  static String jobFolder(String jobId) {
    if (jobId.isEmpty()
        || jobId.contains("/")
        || jobId.contains("\\")
        || jobId.equals(".")
        || jobId.equals("..")) {
      throw new IllegalArgumentException("not a job id: '" + jobId + "'");
    }
    return "job-" + jobId;
  }

  /** {@code <prefix>/job-<jobId>/} as an S3 key prefix; an empty prefix adds nothing. */
  static String jobKeyPrefix(String prefix, String jobId) {
    String trimmed = prefix.replaceAll("^/+|/+$", "");
    return (trimmed.isEmpty() ? "" : trimmed + "/") + jobFolder(jobId) + "/";
  }
}
