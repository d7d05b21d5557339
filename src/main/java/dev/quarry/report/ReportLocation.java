package dev.quarry.report;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * Where completion reports go, as CreateJob's Report names it: a prefix, under which each job's
 * report is {@code <prefix>/job-<jobId>/manifest.json} and {@code results/<name>.csv}.
 */
public sealed interface ReportLocation {
  /** A folder on this machine. */
  record Local(Path prefix) implements ReportLocation {
    public Local {
      requireNonNull(prefix, "prefix is null");
    }

    /** The manifest.json of {@code jobId}'s report here: it exists once the report is whole. */
    public Path manifest(String jobId) {
      return prefix.resolve(ReportFormat.jobFolder(jobId)).resolve(ReportFormat.MANIFEST);
    }
  }

  /** A bucket and key prefix (no leading or trailing slash) on the configured S3 endpoint. */
  record S3(String bucket, String prefix) implements ReportLocation {
    public S3 {
      requireNonNull(bucket, "bucket is null");
      requireNonNull(prefix, "prefix is null");
    }
  }
}
