package dev.quarry.report;

import java.util.function.Consumer;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Reads completion reports in Report_CSV_20180820 format, written by AWS or by the local executor:
 * one reader for both.
 */
public final class CompletionReportReader {
  private CompletionReportReader() {}

  /**
   * Reads {@code <prefix>/job-<jobId>/manifest.json} and streams every result row.
   *
   * @param s3 the client for an {@link ReportLocation.S3} location; unused for a local one
   * @return what the report's manifest.json lists
   */
  public static CompletionReport read(
      ReportLocation location, String jobId, S3Client s3, Consumer<TaskResult> rows) {
    throw new UnsupportedOperationException("not written yet");
  }
}
