package dev.quarry.job.local;

import static dev.quarry.job.local.JobFixture.SETTINGS;
import static dev.quarry.job.local.JobFixture.manifest;
import static dev.quarry.job.local.JobFixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.quarry.action.ActionRegistry;
import dev.quarry.action.TaskOutcome;
import dev.quarry.config.S3Clients;
import dev.quarry.job.JobRecord;
import dev.quarry.job.JobRequest;
import dev.quarry.job.JobStatus;
import dev.quarry.job.ProgressListener;
import dev.quarry.playbook.ActionSpec;
import dev.quarry.report.TaskResult;
import dev.quarry.testing.S3Servers;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Quarry's early stop (on top of AWS's threshold) and the resume that retries transient failures.
 */
class LocalBatchJobsFailFastTest {
  @TempDir Path dir;

  private final JobFixture.RecordingReports reports = new JobFixture.RecordingReports();

  private LocalBatchJobs jobs(FakeAction action, JobFixture.RecordingReports reports) {
    return JobFixture.jobs(dir.resolve("jobs"), action, reports, SETTINGS);
  }

  @Test
  void aJobAgainstAPortWhereNothingListensStopsAfterAFewTasks() throws Exception {
    // given: the real put-tags task and a real S3 client, on a loopback port nobody listens on
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    LocalBatchJobs.Settings settings =
        new LocalBatchJobs.Settings(
            8, 10, 5, Duration.ofMillis(20), Duration.ofMillis(100), Duration.ofMillis(20));
    try (S3Client s3 =
        S3Clients.create(
            S3Servers.config(URI.create("http://127.0.0.1:" + port), dir.resolve("state")), 10)) {
      LocalBatchJobs jobs =
          new LocalBatchJobs(
              dir.resolve("jobs"),
              s3,
              ActionRegistry::create,
              reports,
              settings,
              Clock.systemUTC());
      JobRequest tags =
          withAction(
              request("run-dead", manifest(dir, 300), dir.resolve("report"), false),
              new ActionSpec(
                  "put-tags",
                  JsonNodeFactory.instance
                      .objectNode()
                      .put("type", "put-tags")
                      .set("tags", JsonNodeFactory.instance.objectNode().put("a", "b"))));
      JobRecord job = jobs.submit(tags);

      // when
      JobRecord ended = jobs.execute(job.jobId(), ProgressListener.NONE);

      // then: Failed by Quarry's rule, after the first tasks of each worker, not all 300
      assertThat(ended.status()).isEqualTo(JobStatus.FAILED);
      assertThat(ended.failureReasons())
          .singleElement()
          .asString()
          .contains(
              "stopped early", "the S3 endpoint did not answer", "quarry resume " + job.jobId());
      assertThat(ended.progress().numberOfTasksSucceeded()).isZero();
      assertThat(ended.progress().tasksDone())
          .isGreaterThanOrEqualTo(JobControl.TRANSIENT_STREAK)
          .isLessThanOrEqualTo(settings.concurrency() * settings.chunkSize());
      // the outcomes of what ran are kept and reported
      assertThat(reports.rows).hasSize((int) ended.progress().tasksDone());
    }
  }

  @Test
  void nearlyEveryTaskFailingTheSameWayStopsTheJobEarly() {
    // given: every task is refused the same way (AccessDenied), fewer than AWS's 1,000 tasks
    Set<String> all = IntStream.range(0, 300).mapToObj(JobFixture::key).collect(Collectors.toSet());
    FakeAction action = new FakeAction().failing(all);
    LocalBatchJobs jobs = jobs(action, reports);
    JobRecord job =
        jobs.submit(request("run-same", manifest(dir, 300), dir.resolve("report"), false));

    // when
    JobRecord ended = jobs.execute(job.jobId(), ProgressListener.NONE);

    // then
    assertThat(ended.status()).isEqualTo(JobStatus.FAILED);
    assertThat(ended.failureReasons())
        .singleElement()
        .asString()
        .contains("stopped early", "failed the same way", "AccessDenied");
    assertThat(ended.progress().tasksDone())
        .isGreaterThanOrEqualTo(JobControl.SAME_FAILURE_STREAK)
        .isLessThan(300);
    assertThat(reports.rows).hasSize((int) ended.progress().tasksDone());
  }

  @Test
  void aLongRunOfPerObjectFailuresDoesNotStopAHealthyJob() {
    // given: one worker takes the manifest in key order, and its first 150 objects are archived
    // (a prefix of Glacier objects in a re-encrypt): 150 of the same per-object error in a row
    Set<String> archived =
        IntStream.range(0, 150).mapToObj(JobFixture::key).collect(Collectors.toSet());
    FakeAction action = new FakeAction().failing(archived, "ObjectNotInActiveTierError");
    LocalBatchJobs jobs =
        JobFixture.jobs(dir.resolve("jobs"), action, reports, SETTINGS.withConcurrency(1));
    JobRecord job =
        jobs.submit(request("run-archived", manifest(dir, 300), dir.resolve("report"), false));

    // when
    JobRecord ended = jobs.execute(job.jobId(), ProgressListener.NONE);

    // then: every task ran, as on AWS, and the job completed
    assertThat(ended.status()).isEqualTo(JobStatus.COMPLETE);
    assertThat(ended.progress().numberOfTasksFailed()).isEqualTo(150);
    assertThat(ended.progress().numberOfTasksSucceeded()).isEqualTo(150);
  }

  @Test
  void aResumeOfACompleteJobRetriesExactlyTheTasksThatFailedTransiently() {
    // given: a job that ended Complete with 20 transient and 20 permanent failures, spread out
    Set<String> transientKeys = keys(i -> i % 10 == 3, 200);
    Set<String> permanentKeys = keys(i -> i % 10 == 7, 200);
    LocalBatchJobs first =
        jobs(new FakeAction().alwaysTransient(transientKeys).failing(permanentKeys), reports);
    JobRecord job =
        first.submit(request("run-retry", manifest(dir, 200), dir.resolve("report"), false));
    JobRecord ended = first.execute(job.jobId(), ProgressListener.NONE);
    assertThat(ended.status()).isEqualTo(JobStatus.COMPLETE);
    assertThat(ended.progress().numberOfTasksFailed()).isEqualTo(40);

    // when: resumed once the endpoint is well again, its permanent refusals unchanged
    FakeAction healthy = new FakeAction().failing(permanentKeys);
    JobFixture.RecordingReports second = new JobFixture.RecordingReports();
    JobRecord resumed = jobs(healthy, second).execute(job.jobId(), ProgressListener.NONE);

    // then: only the transient failures ran again, each once
    assertThat(healthy.callList())
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(transientKeys);
    assertThat(resumed.status()).isEqualTo(JobStatus.COMPLETE);
    assertThat(resumed.progress().numberOfTasksSucceeded()).isEqualTo(180);
    assertThat(resumed.progress().numberOfTasksFailed()).isEqualTo(20);
    assertThat(resumed.transitions())
        .extracting(JobRecord.Transition::note)
        .contains("resumed: retrying 20 tasks that failed transiently");
    // the report is written again, one row per task
    assertThat(second.rows).extracting(TaskResult::key).hasSize(200).doesNotHaveDuplicates();
    Map<String, TaskOutcome> outcomes =
        second.rows.stream().collect(Collectors.toMap(TaskResult::key, TaskResult::outcome));
    transientKeys.forEach(k -> assertThat(outcomes.get(k).succeeded()).isTrue());
    permanentKeys.forEach(k -> assertThat(outcomes.get(k).errorCode()).isEqualTo("AccessDenied"));

    // and a second resume has nothing left to retry
    FakeAction idle = new FakeAction();
    JobRecord again =
        jobs(idle, new JobFixture.RecordingReports()).execute(job.jobId(), ProgressListener.NONE);
    assertThat(idle.callList()).isEmpty();
    assertThat(again.status()).isEqualTo(JobStatus.COMPLETE);
  }

  @Test
  void aJobStoppedEarlyResumesItsTransientFailuresAndTheTasksNotRun() {
    // given: every task failing transiently, so the job stops early
    Set<String> all = keys(i -> true, 300);
    LocalBatchJobs first = jobs(new FakeAction().alwaysTransient(all), reports);
    JobRecord job =
        first.submit(request("run-stop", manifest(dir, 300), dir.resolve("report"), false));
    JobRecord stopped = first.execute(job.jobId(), ProgressListener.NONE);
    assertThat(stopped.status()).isEqualTo(JobStatus.FAILED);
    assertThat(stopped.progress().tasksDone()).isLessThan(300);

    // when
    FakeAction healthy = new FakeAction();
    JobFixture.RecordingReports second = new JobFixture.RecordingReports();
    JobRecord resumed = jobs(healthy, second).execute(job.jobId(), ProgressListener.NONE);

    // then: every task ran once more (none had succeeded), the job completes, its reason is gone
    assertThat(healthy.callList()).doesNotHaveDuplicates().hasSize(300);
    assertThat(resumed.status()).isEqualTo(JobStatus.COMPLETE);
    assertThat(resumed.failureReasons()).isEmpty();
    assertThat(resumed.terminated()).isPresent();
    assertThat(resumed.progress().numberOfTasksSucceeded()).isEqualTo(300);
    assertThat(second.rows).extracting(TaskResult::key).hasSize(300).doesNotHaveDuplicates();
  }

  private static Set<String> keys(java.util.function.IntPredicate which, int rows) {
    return IntStream.range(0, rows)
        .filter(which)
        .mapToObj(JobFixture::key)
        .collect(Collectors.toSet());
  }

  private static JobRequest withAction(JobRequest r, ActionSpec action) {
    return new JobRequest(
        r.clientRequestToken(),
        r.playbook(),
        r.runId(),
        r.description(),
        r.priority(),
        action,
        r.manifest(),
        r.report(),
        r.confirmationRequired());
  }
}
