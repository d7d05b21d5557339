package dev.quarry.job.local;

import static dev.quarry.job.local.JobFixture.SETTINGS;
import static dev.quarry.job.local.JobFixture.manifest;
import static dev.quarry.job.local.JobFixture.request;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code quarry report --playbook NAME} over real local jobs, the newest of them Suspended. */
class ReportPlaybookLookupTest {
  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private LocalBatchJobs jobs() {
    return JobFixture.jobs(
        dir.resolve("state").resolve("jobs"),
        new FakeAction(),
        CompletionReports.writer(null),
        SETTINGS);
  }

  private JobRecord suspended(String runId) throws Exception {
    Path runDir = Files.createDirectories(dir.resolve(runId));
    JobRecord job = jobs().submit(request(runId, manifest(runDir, 2), runDir.resolve("r"), true));
    assertThat(job.status()).isEqualTo(JobStatus.SUSPENDED);
    return job;
  }

  @Test
  void picksTheNewestJobWithAReportAndSaysWhyTheNewerOneHasNone() throws Exception {
    // given: a job that completed with its report, then a newer one waiting for confirmation
    Path runDir = Files.createDirectories(dir.resolve("run-1"));
    JobRecord done =
        jobs().submit(request("run-1", manifest(runDir, 3), runDir.resolve("report"), false));
    done = jobs().execute(done.jobId(), ProgressListener.NONE);
    assertThat(done.status()).isEqualTo(JobStatus.COMPLETE);
    JobRecord waiting = suspended("run-2");

    // when
    int code = quarry("report", "--playbook", "fake-playbook");

    // then
    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString()).startsWith("Job " + done.jobId() + ": 3 tasks");
    assertThat(err.toString())
        .contains("the newest job of playbook 'fake-playbook', " + waiting.jobId())
        .contains("Suspended, waiting for confirmation (quarry confirm " + waiting.jobId() + ")")
        .contains("quarry job " + waiting.jobId())
        .contains("Showing the report of " + done.jobId());
  }

  @Test
  void whenNoJobHasAReportSaysWhyTheNewestHasNone() throws Exception {
    // given
    JobRecord waiting = suspended("run-3");

    // when
    int code = quarry("report", "--playbook", "fake-playbook");

    // then
    assertThat(code).isEqualTo(2);
    assertThat(err.toString())
        .contains(waiting.jobId() + ", has no report yet: it is Suspended")
        .contains("quarry confirm " + waiting.jobId())
        .contains("see it with: quarry job " + waiting.jobId())
        .doesNotContain("at dev.quarry");
  }

  private int quarry(String... args) {
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--state-dir";
    all[args.length + 1] = dir.resolve("state").toString();
    return QuarryCommand.execute(
        new CliContext(Map.of(), new PrintWriter(out, true), new PrintWriter(err, true), false),
        all);
  }
}
