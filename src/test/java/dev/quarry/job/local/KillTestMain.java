package dev.quarry.job.local;

import dev.quarry.job.ProgressListener;
import java.nio.file.Path;

/**
 * Runs one submitted local job in a process of its own, for {@link LocalBatchJobsKillTest} to kill:
 * {@code KillTestMain <jobsRoot> <jobId> <callLog> <hangKey> <idempotent>}. The fake action appends
 * each call to the call log and never returns from the task of {@code hangKey}.
 */
public final class KillTestMain {
  private KillTestMain() {}

  public static void main(String[] args) {
    FakeAction action = new FakeAction().logCallsTo(Path.of(args[2])).hangOn(args[3]).delay(2);
    if (!Boolean.parseBoolean(args[4])) {
      action.nonIdempotent();
    }
    JobFixture.jobs(
            Path.of(args[0]), action, new JobFixture.RecordingReports(), JobFixture.SETTINGS)
        .execute(args[1], ProgressListener.NONE);
  }
}
