package dev.quarry.job.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.cli.CliContext;
import dev.quarry.cli.QuarryCommand;
import dev.quarry.job.JobRecord;
import dev.quarry.job.JobStatus;
import dev.quarry.job.ProgressListener;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The process submitting a job is killed (SIGKILL) while the job is New or Preparing: the job is
 * shown as interrupted, and resuming it prepares it again from its manifest and runs it.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LocalBatchJobsPrepareKillTest {
  private static final int ROWS = 20;

  @TempDir Path dir;

  private Path root() {
    return dir.resolve("state").resolve("jobs");
  }

  /**
   * Submits in a child process, waits until it is stuck at clock reading {@code hangAt}, kills it.
   */
  private JobRecord killWhileSubmitting(int hangAt, boolean confirm) throws Exception {
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                PrepareKillTestMain.class.getName(),
                root().toString(),
                dir.toString(),
                Integer.toString(ROWS),
                Boolean.toString(confirm),
                Integer.toString(hangAt))
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("child.log").toFile())
            .start();
    try {
      while (!Files.exists(dir.resolve("hung"))) {
        assertThat(child.isAlive()).as("child is running; see child.log").isTrue();
        Thread.sleep(10);
      }
      // while its submitter lives, the job is not interrupted
      JobRecord alive = new JobDirectory(root()).list().get(0);
      assertThat(new JobDirectory(root()).interrupted(alive)).isFalse();
    } finally {
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    return new JobDirectory(root()).list().get(0);
  }

  @ParameterizedTest
  @CsvSource({"2, NEW", "3, PREPARING"})
  void aJobKilledWhileSubmittedIsShownInterruptedAndResumesFromItsManifest(
      int hangAt, JobStatus killedIn) throws Exception {
    // given
    JobRecord killed = killWhileSubmitting(hangAt, false);
    assertThat(killed.status()).isEqualTo(killedIn);
    JobDirectory directory = new JobDirectory(root());

    // when
    boolean shownInterrupted = directory.interrupted(killed);
    FakeAction action = new FakeAction();
    JobRecord ended =
        JobFixture.jobs(root(), action, new JobFixture.RecordingReports(), JobFixture.SETTINGS)
            .execute(killed.jobId(), ProgressListener.NONE);

    // then
    assertThat(shownInterrupted).isTrue();
    assertThat(ended.status()).isEqualTo(JobStatus.COMPLETE);
    assertThat(ended.progress().numberOfTasksSucceeded()).isEqualTo(ROWS);
    assertThat(action.callList()).hasSize(ROWS).doesNotHaveDuplicates();
    assertThat(ended.transitions())
        .extracting(JobRecord.Transition::note)
        .contains("prepared again");
    assertThat(directory.interrupted(ended)).isFalse();
  }

  @Test
  void aJobKilledInPreparingThatNeedsConfirmationWaitsForItAfterItIsPreparedAgain()
      throws Exception {
    // given
    JobRecord killed = killWhileSubmitting(3, true);
    LocalBatchJobs jobs =
        JobFixture.jobs(
            root(), new FakeAction(), new JobFixture.RecordingReports(), JobFixture.SETTINGS);

    // when
    JobRecord resumed = jobs.execute(killed.jobId(), ProgressListener.NONE);
    JobRecord confirmed = jobs.confirm(killed.jobId());

    // then
    assertThat(resumed.status()).isEqualTo(JobStatus.SUSPENDED);
    assertThat(confirmed.status()).isEqualTo(JobStatus.READY);
    assertThat(jobs.execute(killed.jobId(), ProgressListener.NONE).status())
        .isEqualTo(JobStatus.COMPLETE);
  }

  @Test
  void jobsAndJobShowAKilledJobAsInterruptedWithTheCommandThatContinuesIt() throws Exception {
    // given
    JobRecord killed = killWhileSubmitting(3, false);

    // when
    String jobs = quarry("jobs");
    String jobsJson = quarry("jobs", "--output", "json");
    String job = quarry("job", killed.jobId());
    String jobJson = quarry("job", killed.jobId(), "--output", "json");

    // then: shown interrupted; the record keeps its status
    assertThat(jobs)
        .contains(killed.jobId())
        .contains("Interrupted")
        .contains("continue it with: quarry resume " + killed.jobId());
    assertThat(jobsJson)
        .contains("\"status\" : \"PREPARING\"")
        .contains("\"interrupted\" : true")
        .contains("\"displayStatus\" : \"Interrupted\"")
        .contains("\"continueWith\" : \"quarry resume " + killed.jobId() + "\"");
    assertThat(job)
        .contains("Job " + killed.jobId() + "  Interrupted (Preparing")
        .contains("continue   quarry resume " + killed.jobId());
    assertThat(jobJson).contains("\"interrupted\" : true");
    assertThat(new JobDirectory(root()).find(killed.jobId()).orElseThrow().status())
        .isEqualTo(JobStatus.PREPARING);
  }

  private String quarry(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--state-dir";
    all[args.length + 1] = dir.resolve("state").toString();
    int code =
        QuarryCommand.execute(
            new CliContext(Map.of(), new PrintWriter(out, true), new PrintWriter(err, true), false),
            all);
    assertThat(code).as(err.toString()).isZero();
    return out.toString();
  }
}
