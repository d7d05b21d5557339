package dev.quarry.app;

import dev.quarry.job.JobRecord;
import dev.quarry.job.ProgressListener;

/** Hears a run as it goes: its job once submitted, then the job's progress. */
public interface RunListener extends ProgressListener {
  RunListener NONE = new RunListener() {};

  default void submitted(PlanResult plan, JobRecord job) {}

  @Override
  default void onProgress(JobRecord job) {}
}
