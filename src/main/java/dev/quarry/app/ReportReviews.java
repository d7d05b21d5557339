package dev.quarry.app;

import dev.quarry.job.JobRecord;
import dev.quarry.report.ReportReview;
import java.util.Optional;

/** Reads an ended job's completion report back (from a folder or from S3) and reviews it. */
@FunctionalInterface
public interface ReportReviews {
  ReportReviews NONE = job -> Optional.empty();

  /** The review of {@code job}'s report; empty when it has none or it cannot be read. */
  Optional<ReportReview> review(JobRecord job);
}
