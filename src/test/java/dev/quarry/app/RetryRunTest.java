package dev.quarry.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.action.TaskOutcome;
import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.report.TaskResult;
import dev.quarry.run.RunPhase;
import dev.quarry.run.RunRecord;
import dev.quarry.run.RunStore;
import dev.quarry.run.jdbc.JdbcRunStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetryRunTest {
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

  @TempDir Path dir;

  /** An executor the refused retry must never reach. */
  private static final RunExecutor UNUSED =
      new RunExecutor() {
        @Override
        public dev.quarry.job.BatchJobs jobs() {
          throw new AssertionError("jobs");
        }

        @Override
        public void checkRunnable(dev.quarry.playbook.ActionSpec action) {
          throw new AssertionError("checkRunnable");
        }

        @Override
        public boolean acceptsEmptyManifest() {
          throw new AssertionError("acceptsEmptyManifest");
        }

        @Override
        public dev.quarry.report.ReportLocation reportLocation(Path runDir) {
          throw new AssertionError("reportLocation");
        }

        @Override
        public dev.quarry.job.JobRecord prepared(dev.quarry.job.JobRecord submitted) {
          throw new AssertionError("prepared");
        }

        @Override
        public dev.quarry.job.JobRecord follow(
            String jobId, dev.quarry.job.ProgressListener progress) {
          throw new AssertionError("follow");
        }

        @Override
        public dev.quarry.job.JobRecord resume(
            String jobId, dev.quarry.job.ProgressListener progress) {
          throw new AssertionError("resume");
        }
      };

  private static TaskResult failed(String code, int status) {
    return new TaskResult("b", "k", null, TaskOutcome.failed(code, status, "no"));
  }

  @Test
  void byDefaultOnlyTransientFailuresAreRetried() {
    // given
    RetryRun.Selection selection = new RetryRun.Selection(Set.of(), false);

    // when / then
    assertThat(selection.retries(failed("SlowDown", 503))).isTrue();
    assertThat(selection.retries(failed("NoSuchKey", 404))).isFalse();
    assertThat(
            selection.retries(new TaskResult("b", "k", null, TaskOutcome.succeeded("Successful"))))
        .isFalse();
  }

  @Test
  void includePermanentRetriesEveryFailureAndErrorCodesOnlyTheirs() {
    // given
    RetryRun.Selection all = new RetryRun.Selection(Set.of(), true);
    RetryRun.Selection codes = new RetryRun.Selection(Set.of("NoSuchKey"), false);

    // when / then
    assertThat(all.retries(failed("NoSuchKey", 404))).isTrue();
    assertThat(codes.retries(failed("NoSuchKey", 404))).isTrue();
    assertThat(codes.retries(failed("SlowDown", 503))).isFalse();
  }

  @Test
  void aRunWhosePlaybookChangedSinceIsRefusedBeforeItsReportIsRead() throws Exception {
    // given: an ended run recorded from a playbook file that has changed since
    Path playbook = playbook();
    RunStore store = JdbcRunStore.open("jdbc:h2:file:" + dir.resolve("runs"));
    store.save(completed(playbook));
    Files.writeString(playbook, "# edited\n", java.nio.file.StandardOpenOption.APPEND);

    // when / then
    assertThatThrownBy(() -> retryAll(store, "r1"))
        .isInstanceOf(QuarryException.class)
        .hasMessageContaining("changed since run r1");
  }

  @Test
  void aJobWithoutARecordedReportIsRefusedByName() throws Exception {
    // given: an ended run whose job's completion report was never recorded
    RunStore store = JdbcRunStore.open("jdbc:h2:file:" + dir.resolve("runs"));
    store.save(completed(playbook()));

    // when / then
    assertThatThrownBy(() -> retryAll(store, "r1"))
        .isInstanceOfSatisfying(
            QuarryException.class,
            e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.REPORT_NOT_FOUND))
        .hasMessage(
            "run r1 has no completion report on record for its job job-1: nothing to retry");
  }

  private Path playbook() throws java.io.IOException {
    return Files.writeString(
        dir.resolve("tag.yaml"),
        """
        name: tag-all
        query: SELECT bucket, key FROM "b_x"."inventory"
        action: { type: put-tags, tags: { checked: "yes" } }
        """);
  }

  private static RunRecord completed(Path playbook) {
    return RunRecord.planned(
            "r1",
            "tag-all",
            Optional.of(playbook.toString()),
            ExecuteRun.hash(playbook),
            Map.of(),
            "embedded",
            "put-tags",
            new RunRecord.Manifest("m.csv", "e", 1),
            T0)
        .withJob("job-1")
        .enter(RunPhase.COMPLETED, T0.plusSeconds(1));
  }

  /** Retries every failure of the run; neither the report nor the executor may be reached. */
  private void retryAll(RunStore store, String runId) {
    RetryRun retry =
        new RetryRun(
            store,
            (where, job, rows) -> {
              throw new AssertionError("the report may not be read");
            },
            new ExecuteRun(
                () -> {
                  throw new AssertionError("no engine");
                },
                UNUSED,
                store,
                ReportReviews.NONE,
                row -> RestoredCopies.State.READABLE,
                java.time.Duration.ZERO,
                dir,
                java.time.Clock.systemUTC()),
            dir);
    retry.retry(
        runId, new RetryRun.Selection(Set.of(), true), true, Approval.NONE, RunListener.NONE);
  }
}
