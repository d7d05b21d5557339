package dev.quarry.cli;

import dev.quarry.report.ReportLocation;
import java.util.Optional;

/**
 * Finds where a job's completion report is when the user names only the job, e.g. from the run
 * records the executor keeps. {@code quarry report} asks it when {@code --location} is not given.
 */
@FunctionalInterface
public interface ReportLocator {
  /** Knows no job: every report needs {@code --location}. */
  ReportLocator NONE = jobId -> Optional.empty();

  Optional<ReportLocation> locate(String jobId);
}
