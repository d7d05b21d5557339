package dev.quarry.app;

import dev.quarry.job.JobRecord;
import dev.quarry.job.ProgressListener;
import dev.quarry.run.RunRecord;

/** Hears a run as it goes: each step's job once submitted, the job's progress, the waits. */
public interface RunListener extends ProgressListener {
  RunListener NONE = new RunListener() {};

  /** {@code job} was submitted for the current step of {@code run}. */
  default void submitted(RunRecord run, JobRecord job) {}

  @Override
  default void onProgress(JobRecord job) {}

  /**
   * Between steps: {@code ready} of {@code total} objects can go to the next step, {@code pending}
   * are still being restored.
   */
  default void waiting(RunRecord run, long ready, long pending, long total) {}

  /**
   * An incremental run found {@code window.lateRows()} rows older than its window's start that no
   * run had handled (they arrived later than the look-back); it processes them. Heard once the run
   * is planned, before anything is submitted.
   */
  default void lateRows(IncrementalLedger.Window window) {}

  /**
   * An incremental run was planned over {@code window}: its watermark will be {@code
   * window.until()} once its job is submitted. Heard before anything is submitted.
   */
  default void window(IncrementalLedger.Window window) {}
}
