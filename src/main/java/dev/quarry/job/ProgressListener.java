package dev.quarry.job;

/** Hears a running job's progress, about twice a second and at every status change. */
@FunctionalInterface
public interface ProgressListener {
  ProgressListener NONE = job -> {};

  void onProgress(JobRecord job);
}
