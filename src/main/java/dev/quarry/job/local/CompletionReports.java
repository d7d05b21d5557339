package dev.quarry.job.local;

import dev.quarry.playbook.ReportSpec;
import dev.quarry.report.CompletionReport;
import dev.quarry.report.CompletionReportWriter;
import dev.quarry.report.ReportLocation;
import dev.quarry.report.TaskResult;
import java.util.function.Consumer;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * How the local executor writes a job's completion report. The real one streams the outcomes
 * through {@link CompletionReportWriter}; tests of the executor give their own.
 */
@FunctionalInterface
public interface CompletionReports {
  /**
   * @param results calls its argument once per task, in manifest order
   */
  CompletionReport write(
      ReportLocation location,
      String jobId,
      ReportSpec.Scope scope,
      Consumer<Consumer<TaskResult>> results);

  /** Reports written with {@link CompletionReportWriter}, as AWS writes them. */
  static CompletionReports writer(S3Client s3) {
    return (location, jobId, scope, results) -> {
      try (CompletionReportWriter writer =
          CompletionReportWriter.open(location, jobId, scope, s3)) {
        results.accept(writer::write);
        return writer.finish();
      }
    };
  }
}
