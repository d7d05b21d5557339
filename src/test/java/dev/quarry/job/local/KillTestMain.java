package dev.quarry.job.local;

import dev.quarry.job.ProgressListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs one submitted local job in a process of its own, for {@link LocalBatchJobsKillTest} to kill:
 * {@code KillTestMain <jobsRoot> <jobId> <callLog> <hangKey> <idempotent> [<reportWritten>]}. The
 * fake action appends each call to the call log and never returns from the task of {@code hangKey}.
 * Given {@code reportWritten}, the job's real completion report is written, then that file is
 * created and the process waits, as if killed between its report and its end.
 */
public final class KillTestMain {
  private KillTestMain() {}

  public static void main(String[] args) {
    FakeAction action = new FakeAction().logCallsTo(Path.of(args[2])).hangOn(args[3]).delay(2);
    if (!Boolean.parseBoolean(args[4])) {
      action.nonIdempotent();
    }
    CompletionReports reports =
        args.length > 5 ? reportThenWait(Path.of(args[5])) : new JobFixture.RecordingReports();
    JobFixture.jobs(Path.of(args[0]), action, reports, JobFixture.SETTINGS)
        .execute(args[1], ProgressListener.NONE);
  }

  private static CompletionReports reportThenWait(Path written) {
    return (location, jobId, scope, results) -> {
      CompletionReports.writer(null).write(location, jobId, scope, results);
      try {
        Files.createFile(written);
        Thread.sleep(3_600_000);
      } catch (IOException | InterruptedException e) {
        throw new IllegalStateException(e);
      }
      throw new IllegalStateException("not reached: the process is killed while it waits");
    };
  }
}
