package dev.quarry.report;

import dev.quarry.playbook.ReportSpec;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Writes a job's completion report exactly as S3 Batch Operations does (Report_CSV_20180820):
 * result files without header, keys percent-encoded as in manifests, then the report's
 * manifest.json listing them with their MD5s. Streams: memory does not grow with the task count.
 */
public final class CompletionReportWriter implements AutoCloseable {
  private CompletionReportWriter() {}

  /**
   * @param s3 the client for an {@link ReportLocation.S3} location; unused for a local one
   * @param scope ALL writes every task; FAILED only failed ones
   */
  public static CompletionReportWriter open(
      ReportLocation location, String jobId, ReportSpec.Scope scope, S3Client s3) {
    throw new UnsupportedOperationException("not written yet");
  }

  public void write(TaskResult result) {
    throw new UnsupportedOperationException("not written yet");
  }

  /**
   * Writes the results and manifest.json (atomically for a local report) and says what is where.
   */
  public CompletionReport finish() {
    throw new UnsupportedOperationException("not written yet");
  }

  /** Abandons an unfinished report: nothing is left behind. */
  @Override
  public void close() {}
}
