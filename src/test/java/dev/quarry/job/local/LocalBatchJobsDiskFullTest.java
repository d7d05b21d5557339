package dev.quarry.job.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.quarry.error.ErrorCode;
import dev.quarry.error.ErrorKind;
import dev.quarry.error.QuarryException;
import dev.quarry.job.JobRecord;
import dev.quarry.job.JobStatus;
import dev.quarry.job.ProgressListener;
import dev.quarry.report.CompletionReport;
import dev.quarry.report.CompletionReportReader;
import dev.quarry.report.TaskResult;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job whose completion report cannot be written ends as its tasks say, keeps their outcomes and
 * gets its report written later. The first test fills a real file system: a 256 KiB tmpfs, which
 * needs root to mount (it is skipped elsewhere); the second fails the report port once, and runs
 * everywhere.
 */
class LocalBatchJobsDiskFullTest {
  private static final int ROWS = 300;

  @TempDir Path dir;

  private Path mounted;

  @AfterEach
  void unmount() throws Exception {
    if (mounted != null) {
      run("umount", "-l", mounted.toString());
    }
  }

  @Test
  void aJobWhoseReportDoesNotFitOnAFullDiskCompletesAndItsReportIsWrittenLater() throws Exception {
    // given: the report folder on a tmpfs filled to the last byte
    Path full = Files.createDirectories(dir.resolve("full"));
    assumeTrue(
        run("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", full.toString()) == 0,
        "mounting a tmpfs needs root");
    mounted = full;
    Path reportDir = Files.createDirectories(full.resolve("report"));
    Path filler = fill(full.resolve("filler"));
    LocalBatchJobs jobs =
        JobFixture.jobs(
            dir.resolve("jobs"),
            new FakeAction(),
            CompletionReports.writer(null),
            JobFixture.SETTINGS);
    JobRecord job =
        jobs.submit(
            JobFixture.request("run-full", JobFixture.manifest(dir, ROWS), reportDir, false));

    // when
    QuarryException error =
        catchThrowableOfType(
            QuarryException.class, () -> jobs.execute(job.jobId(), ProgressListener.NONE));

    // then: an external error that names the cause and the path; the job Complete, as its tasks
    assertThat(error).as("the report's failure is raised").isNotNull();
    assertThat(error.kind()).isEqualTo(ErrorKind.EXTERNAL);
    assertThat(error.getMessage())
        .contains(
            "no space left on the device", reportDir.toString(), "quarry report " + job.jobId());
    JobRecord ended = jobs.describe(job.jobId()).orElseThrow();
    assertThat(ended.status()).isEqualTo(JobStatus.COMPLETE);
    assertThat(ended.failureReasons()).isEmpty();
    assertThat(ended.progress().numberOfTasksSucceeded()).isEqualTo(ROWS);
    assertThat(ended.report()).isPresent();
    assertThat(reportDir.resolve("job-" + job.jobId()).resolve("manifest.json")).doesNotExist();

    // when: room is made, the report is written from the stored outcomes
    Files.delete(filler);
    Optional<CompletionReport> report = jobs.writeMissingReport(job.jobId());

    // then
    assertThat(report).isPresent();
    assertThat(rows(ended)).extracting(TaskResult::key).hasSize(ROWS).doesNotHaveDuplicates();
    assertThat(jobs.writeMissingReport(job.jobId())).isEmpty();
  }

  @Test
  void aReportThatFailsOnceIsWrittenWhenTheEndedJobIsTakenUpAgain() {
    // given: a report port that fails its first write as the writer does on a full disk
    AtomicBoolean failed = new AtomicBoolean();
    CompletionReports real = CompletionReports.writer(null);
    CompletionReports failingOnce =
        (location, jobId, scope, results) -> {
          if (failed.compareAndSet(false, true)) {
            throw QuarryException.external(
                ErrorCode.STORAGE_FULL,
                "cannot write the report of job " + jobId + " in /x: no space left on the device",
                new IOException("No space left on device"));
          }
          return real.write(location, jobId, scope, results);
        };
    LocalBatchJobs jobs =
        JobFixture.jobs(dir.resolve("jobs"), new FakeAction(), failingOnce, JobFixture.SETTINGS);
    JobRecord job =
        jobs.submit(
            JobFixture.request(
                "run-once", JobFixture.manifest(dir, ROWS), dir.resolve("report"), false));
    QuarryException error =
        catchThrowableOfType(
            QuarryException.class, () -> jobs.execute(job.jobId(), ProgressListener.NONE));
    assertThat(error).as("the report's failure is raised").isNotNull();
    assertThat(error.kind()).isEqualTo(ErrorKind.EXTERNAL);

    // when: the ended job is resumed
    JobRecord resumed = jobs.execute(job.jobId(), ProgressListener.NONE);

    // then: still Complete, now with its report
    assertThat(resumed.status()).isEqualTo(JobStatus.COMPLETE);
    assertThat(rows(resumed)).hasSize(ROWS);
    assertThat(resumed.transitions())
        .extracting(JobRecord.Transition::note)
        .anySatisfy(n -> assertThat(n).startsWith("the completion report was not written"))
        .anySatisfy(n -> assertThat(n).startsWith("completion report written again"));
  }

  private static List<TaskResult> rows(JobRecord job) {
    List<TaskResult> rows = new ArrayList<>();
    CompletionReportReader.read(job.report().orElseThrow(), job.jobId(), null, rows::add);
    return rows;
  }

  /** Writes {@code file} until the file system has no byte left. */
  private static Path fill(Path file) throws IOException {
    byte[] block = new byte[4096];
    try (OutputStream out = Files.newOutputStream(file)) {
      while (true) {
        out.write(block);
      }
    } catch (IOException e) {
      assertThat(e).hasMessageContaining("No space left on device");
    }
    return file;
  }

  private static int run(String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getInputStream().readAllBytes();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return process.exitValue();
  }
}
