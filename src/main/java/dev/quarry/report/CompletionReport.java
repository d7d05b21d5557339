package dev.quarry.report;

import static java.util.Objects.requireNonNull;

import dev.quarry.action.TaskOutcome;
import java.util.List;

/**
 * A written completion report in Report_CSV_20180820 format: what its {@code manifest.json} lists.
 *
 * @param manifestKey where manifest.json is: a path for a local report, a key for one in S3
 */
public record CompletionReport(
    String jobId, ReportLocation location, String manifestKey, List<ResultFile> results) {
  public CompletionReport {
    requireNonNull(jobId, "jobId is null");
    requireNonNull(location, "location is null");
    requireNonNull(manifestKey, "manifestKey is null");
    results = List.copyOf(results);
  }

  /** One results file: its key, the status of the tasks it holds, its MD5 in hex. */
  public record ResultFile(
      String key, TaskOutcome.Status taskExecutionStatus, String md5Checksum) {}

  /** Where manifest.json is, for a person: its path, or {@code s3://bucket/key}. */
  public String manifestUri() {
    return location instanceof ReportLocation.S3 s3
        ? "s3://" + s3.bucket() + "/" + manifestKey
        : manifestKey;
  }
}
