package dev.quarry.job.local;

import static dev.quarry.job.local.JobFixture.SETTINGS;
import static dev.quarry.job.local.JobFixture.key;
import static dev.quarry.job.local.JobFixture.manifest;
import static dev.quarry.job.local.JobFixture.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.action.TaskOutcome;
import dev.quarry.error.QuarryException;
import dev.quarry.job.JobRecord;
import dev.quarry.job.JobRecord.Transition;
import dev.quarry.job.JobRequest;
import dev.quarry.job.JobStatus;
import dev.quarry.job.ProgressListener;
import dev.quarry.manifest.Manifest;
import dev.quarry.report.TaskResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LocalBatchJobsTest {
  @TempDir Path dir;

  private Path root;
  private final JobFixture.RecordingReports reports = new JobFixture.RecordingReports();

  @BeforeEach
  void setUp() {
    root = dir.resolve("state/jobs");
  }

  private LocalBatchJobs jobs(FakeAction action) {
    return JobFixture.jobs(root, action, reports, SETTINGS);
  }

  private static List<JobStatus> statuses(JobRecord job) {
    return job.transitions().stream().map(Transition::status).toList();
  }

  @Test
  void runsAReadyJobToCompleteWithOneOutcomePerRow() throws Exception {
    // given
    FakeAction action = new FakeAction().failing(Set.of(key(3), key(7)));
    LocalBatchJobs jobs = jobs(action);
    Manifest manifest = manifest(dir, 57);
    JobRecord submitted = jobs.submit(request("run-1", manifest, dir.resolve("report"), false));

    // when
    JobRecord ended = jobs.execute(submitted.jobId(), ProgressListener.NONE);

    // then
    assertThat(submitted.status()).isEqualTo(JobStatus.READY);
    assertThat(submitted.progress().totalNumberOfTasks()).isEqualTo(57);
    assertThat(ended.status()).isEqualTo(JobStatus.COMPLETE);
    assertThat(statuses(ended))
        .containsExactly(
            JobStatus.NEW,
            JobStatus.PREPARING,
            JobStatus.READY,
            JobStatus.ACTIVE,
            JobStatus.COMPLETING,
            JobStatus.COMPLETE);
    assertThat(ended.progress().numberOfTasksSucceeded()).isEqualTo(55);
    assertThat(ended.progress().numberOfTasksFailed()).isEqualTo(2);
    assertThat(ended.terminated()).isPresent();
    assertThat(ended.failureReasons()).isEmpty();
    assertThat(action.callList()).hasSize(57).doesNotHaveDuplicates();
    assertThat(reports.rows).extracting(TaskResult::key).hasSize(57).doesNotHaveDuplicates();
    assertThat(reports.rows)
        .filteredOn(r -> !r.outcome().succeeded())
        .extracting(TaskResult::key, r -> r.outcome().errorCode(), r -> r.outcome().httpStatus())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(key(3), "AccessDenied", 403),
            org.assertj.core.groups.Tuple.tuple(key(7), "AccessDenied", 403));
    assertThat(ended.report()).isPresent();
    JobRecord stored = jobs.describe(ended.jobId()).orElseThrow();
    assertThat(stored).isEqualTo(ended);
    assertThat(Files.readString(root.resolve(ended.jobId()).resolve("job.json")))
        .contains("\"status\" : \"COMPLETE\"");
  }

  @ParameterizedTest
  @CsvSource({"true, 25", "false, 5"})
  void anIdempotentActionCommitsItsTasksInLargerChunks(boolean idempotent, int perCommit)
      throws Exception {
    // given: 5 tasks a transaction for an action that is not idempotent, 25 for one that is
    FakeAction action = idempotent ? new FakeAction() : new FakeAction().nonIdempotent();
    LocalBatchJobs jobs =
        JobFixture.jobs(
            root,
            action,
            reports,
            new LocalBatchJobs.Settings(
                2, 5, 25, 3, Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(20)));
    JobRecord job =
        jobs.submit(request("run-chunks", manifest(dir, 200), dir.resolve("report"), false));

    // when
    JobRecord ended = jobs.execute(job.jobId(), ProgressListener.NONE);

    // then: every task ran once, and Spring Batch committed the two partitions' tasks in chunks of
    // that size (each partition of 100 rows: 100 / size commits)
    assertThat(ended.status()).isEqualTo(JobStatus.COMPLETE);
    assertThat(action.callList()).hasSize(200).doesNotHaveDuplicates();
    try (Connection db =
            DriverManager.getConnection(
                "jdbc:h2:file:" + root.resolve(job.jobId()).resolve("batch").toAbsolutePath(),
                "sa",
                "");
        ResultSet rs =
            db.createStatement()
                .executeQuery(
                    "SELECT SUM(COMMIT_COUNT) FROM BATCH_STEP_EXECUTION"
                        + " WHERE STEP_NAME LIKE 'tasks%'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getLong(1)).isEqualTo(2L * (100 / perCommit));
    }
  }

  @Test
  void aSucceededTaskReadsSuccessfulInTheReportAndKeepsItsOwnWordsInItsOutcome() {
    // given
    LocalBatchJobs jobs = jobs(new FakeAction().failing(Set.of(key(1))));
    JobRecord job = jobs.submit(request("run-ok", manifest(dir, 3), dir.resolve("report"), false));

    // when
    JobRecord ended = jobs.execute(job.jobId(), ProgressListener.NONE);

    // then: the report row reads as AWS writes it; a failed row keeps its message
    Map<String, TaskOutcome> reported =
        reports.rows.stream().collect(Collectors.toMap(TaskResult::key, TaskResult::outcome));
    assertThat(reported.get(key(0))).isEqualTo(TaskOutcome.succeeded("Successful"));
    assertThat(reported.get(key(2))).isEqualTo(TaskOutcome.succeeded("Successful"));
    assertThat(reported.get(key(1)).message()).isEqualTo("AccessDenied");
    // and the task's own account of what it did stays in the job's stored outcomes
    List<TaskResult> stored = new java.util.ArrayList<>();
    try (BatchDatabase database = BatchDatabase.open(root.resolve(ended.jobId()), 4)) {
      new OutcomeStore(database).forEach(stored::add);
    }
    assertThat(stored)
        .filteredOn(r -> r.key().equals(key(0)))
        .extracting(TaskResult::outcome)
        .containsExactly(TaskOutcome.succeeded("done " + key(0)));
  }

  @Test
  void aSucceededTaskOfALambdaJobKeepsItsResultStringInTheReportAsAwsDoes() {
    // given: a job whose AWS operation invokes a function (AWS saves each resultString)
    LocalBatchJobs jobs = jobs(new FakeAction().invokingALambda());
    JobRecord job = jobs.submit(request("run-fn", manifest(dir, 2), dir.resolve("report"), false));

    // when
    jobs.execute(job.jobId(), ProgressListener.NONE);

    // then: the task's own words are in the report, where an undo reads them back
    Map<String, TaskOutcome> reported =
        reports.rows.stream().collect(Collectors.toMap(TaskResult::key, TaskResult::outcome));
    assertThat(reported.get(key(0))).isEqualTo(TaskOutcome.succeeded("done " + key(0)));
  }

  @Test
  void aSucceededChecksumTaskKeepsItsChecksumInTheReportAsAwsDoes() {
    // given: an S3ComputeObjectChecksum job (AWS's report rows carry each checksum)
    LocalBatchJobs jobs = jobs(new FakeAction().computingChecksums());
    JobRecord job = jobs.submit(request("run-sum", manifest(dir, 2), dir.resolve("report"), false));

    // when
    jobs.execute(job.jobId(), ProgressListener.NONE);

    // then
    Map<String, TaskOutcome> reported =
        reports.rows.stream().collect(Collectors.toMap(TaskResult::key, TaskResult::outcome));
    assertThat(reported.get(key(0))).isEqualTo(TaskOutcome.succeeded("done " + key(0)));
  }

  @Test
  void aSecondSubmitWithTheSameTokenReturnsTheSameJob() {
    // given
    LocalBatchJobs jobs = jobs(new FakeAction());
    JobRequest request = request("run-2", manifest(dir, 3), dir.resolve("report"), false);
    JobRecord first = jobs.submit(request);

    // when
    JobRecord second = jobs.submit(request);

    // then
    assertThat(second.jobId()).isEqualTo(first.jobId());
    assertThat(jobs.list()).extracting(JobRecord::jobId).containsExactly(first.jobId());
  }

  @Test
  void aJobThatNeedsConfirmationWaitsSuspendedUntilConfirmed() {
    // given
    FakeAction action = new FakeAction();
    LocalBatchJobs jobs = jobs(action);
    JobRecord job = jobs.submit(request("run-3", manifest(dir, 4), dir.resolve("report"), true));

    // when / then
    assertThat(job.status()).isEqualTo(JobStatus.SUSPENDED);
    assertThatThrownBy(() -> jobs.execute(job.jobId(), ProgressListener.NONE))
        .isInstanceOf(QuarryException.class)
        .hasMessageContaining("quarry confirm " + job.jobId());
    assertThat(action.callList()).isEmpty();

    JobRecord confirmed = jobs.confirm(job.jobId());
    assertThat(confirmed.status()).isEqualTo(JobStatus.READY);
    assertThatThrownBy(() -> jobs.confirm(job.jobId()))
        .isInstanceOf(QuarryException.class)
        .hasMessageContaining("only a Suspended job can be confirmed");

    assertThat(jobs.execute(job.jobId(), ProgressListener.NONE).status())
        .isEqualTo(JobStatus.COMPLETE);
    assertThat(action.callList()).hasSize(4);
  }

  @Test
  void transientFailuresAreRetriedAndRecordedWhenRetriesRunOut() {
    // given
    FakeAction action =
        new FakeAction().transientFailures(Map.of(key(1), 2)).alwaysTransient(Set.of(key(2)));
    LocalBatchJobs jobs = jobs(action);
    JobRecord job = jobs.submit(request("run-4", manifest(dir, 5), dir.resolve("report"), false));

    // when
    JobRecord ended = jobs.execute(job.jobId(), ProgressListener.NONE);

    // then: key 1 succeeded on its third try; key 2 failed after 1 + 3 retries
    assertThat(ended.status()).isEqualTo(JobStatus.COMPLETE);
    assertThat(action.attempts(key(1))).isEqualTo(3);
    assertThat(action.attempts(key(2))).isEqualTo(1 + SETTINGS.maxRetries());
    Map<String, TaskOutcome> outcomes =
        reports.rows.stream().collect(Collectors.toMap(TaskResult::key, TaskResult::outcome));
    assertThat(outcomes.get(key(1)).succeeded()).isTrue();
    assertThat(outcomes.get(key(2)))
        .isEqualTo(TaskOutcome.failed("SlowDown", 503, "please reduce your request rate"));
    assertThat(ended.progress().numberOfTasksFailed()).isEqualTo(1);
  }

  @Test
  void failsOnceMoreThanHalfOfAtLeastAThousandTasksFailed() {
    // given: 1,200 rows, 70% failing, spread over the manifest
    Set<String> failing =
        IntStream.range(0, 1200)
            .filter(i -> i % 10 < 7)
            .mapToObj(JobFixture::key)
            .collect(Collectors.toSet());
    FakeAction action = new FakeAction().failing(failing);
    LocalBatchJobs jobs = jobs(action);
    JobRecord job =
        jobs.submit(request("run-5", manifest(dir, 1200), dir.resolve("report"), false));

    // when
    JobRecord ended = jobs.execute(job.jobId(), ProgressListener.NONE);

    // then
    assertThat(ended.status()).isEqualTo(JobStatus.FAILED);
    assertThat(ended.failureReasons()).containsExactly("more than 50% of tasks failed");
    assertThat(statuses(ended)).endsWith(JobStatus.ACTIVE, JobStatus.FAILING, JobStatus.FAILED);
    assertThat(ended.progress().tasksDone()).isGreaterThanOrEqualTo(1000);
    assertThat(ended.progress().numberOfTasksFailed() * 2)
        .isGreaterThan(ended.progress().tasksDone());
    // a report is written for a failed job whose tasks ran, one row per task that ran
    assertThat(reports.rows).hasSize((int) ended.progress().tasksDone());
    assertThat(action.callList()).hasSize((int) ended.progress().tasksDone());
  }

  @Test
  void aJobThatFailsFewerThanAThousandTasksCompletes() {
    // given: 70 of 100 tasks fail, but the threshold needs 1,000 tasks (spread out, so that no
    // run of failures is long enough for Quarry's early stop)
    Set<String> failing =
        IntStream.range(0, 100)
            .filter(i -> i % 10 < 7)
            .mapToObj(JobFixture::key)
            .collect(Collectors.toSet());
    LocalBatchJobs jobs = jobs(new FakeAction().failing(failing));
    JobRecord job = jobs.submit(request("run-6", manifest(dir, 100), dir.resolve("report"), false));

    // when
    JobRecord ended = jobs.execute(job.jobId(), ProgressListener.NONE);

    // then
    assertThat(ended.status()).isEqualTo(JobStatus.COMPLETE);
    assertThat(ended.progress().numberOfTasksFailed()).isEqualTo(70);
  }

  @Test
  void aJobCancelledBeforeItRunsEndsCancelledWithoutAReport() {
    // given
    LocalBatchJobs jobs = jobs(new FakeAction());
    JobRecord job = jobs.submit(request("run-7", manifest(dir, 3), dir.resolve("report"), true));

    // when
    JobRecord cancelled = jobs.cancel(job.jobId());

    // then
    assertThat(cancelled.status()).isEqualTo(JobStatus.CANCELLED);
    assertThat(statuses(cancelled)).endsWith(JobStatus.CANCELLING, JobStatus.CANCELLED);
    assertThat(cancelled.report()).isEmpty();
    assertThat(reports.jobs).isEmpty();
    assertThatThrownBy(() -> jobs.cancel(job.jobId()))
        .isInstanceOf(QuarryException.class)
        .hasMessageContaining("has ended (Cancelled)");
  }

  @Test
  void aRunningJobCancelledFromElsewhereStopsBetweenChunks() throws Exception {
    // given: a slow job running in one executor
    FakeAction action = new FakeAction().delay(5);
    LocalBatchJobs runner = jobs(action);
    JobRecord job =
        runner.submit(request("run-8", manifest(dir, 2000), dir.resolve("report"), false));
    CompletableFuture<JobRecord> running =
        CompletableFuture.supplyAsync(() -> runner.execute(job.jobId(), ProgressListener.NONE));
    while (action.callList().size() < 40) {
      Thread.sleep(5);
    }

    // when: another executor over the same state (as `quarry cancel` would be) cancels it
    JobRecord cancelling = jobs(new FakeAction()).cancel(job.jobId());
    JobRecord ended = running.get(30, TimeUnit.SECONDS);

    // then
    assertThat(cancelling.status()).isEqualTo(JobStatus.CANCELLING);
    assertThat(ended.status()).isEqualTo(JobStatus.CANCELLED);
    assertThat(ended.progress().tasksDone()).isLessThan(2000).isEqualTo(action.callList().size());
    assertThat(reports.rows).hasSize(action.callList().size());
    assertThat(new HashSet<>(action.callList())).hasSize(action.callList().size());
  }

  @Test
  void aManifestWhoseEtagDoesNotMatchFailsTheJobWhilePreparing() throws Exception {
    // given
    LocalBatchJobs jobs = jobs(new FakeAction());
    Manifest manifest = manifest(dir, 3);
    Files.writeString(manifest.file(), "b,changed\n", java.nio.file.StandardOpenOption.APPEND);

    // when
    JobRecord job = jobs.submit(request("run-9", manifest, dir.resolve("report"), false));

    // then
    assertThat(job.status()).isEqualTo(JobStatus.FAILED);
    assertThat(statuses(job)).containsExactly(JobStatus.NEW, JobStatus.PREPARING, JobStatus.FAILED);
    assertThat(job.failureReasons()).singleElement().asString().contains("does not match");
  }

  @Test
  void anEmptyManifestCompletesWithoutAReport() {
    // given
    LocalBatchJobs jobs = jobs(new FakeAction());
    JobRecord job = jobs.submit(request("run-10", manifest(dir, 0), dir.resolve("report"), false));

    // when
    JobRecord ended = jobs.execute(job.jobId(), ProgressListener.NONE);

    // then
    assertThat(ended.status()).isEqualTo(JobStatus.COMPLETE);
    assertThat(ended.report()).isEmpty();
    assertThat(reports.jobs).isEmpty();
  }
}
