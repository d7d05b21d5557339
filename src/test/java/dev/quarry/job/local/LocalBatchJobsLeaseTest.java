package dev.quarry.job.local;

import static dev.quarry.job.local.JobFixture.SETTINGS;
import static dev.quarry.job.local.JobFixture.manifest;
import static dev.quarry.job.local.JobFixture.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.error.ErrorKind;
import dev.quarry.error.QuarryException;
import dev.quarry.job.JobLease;
import dev.quarry.job.JobRecord;
import dev.quarry.job.JobStatus;
import dev.quarry.job.ProgressListener;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job with a destructive action holds a lease on each bucket of its manifest while it runs (the
 * lease across processes is shown in {@code JobLeaseTest} and {@code ConcurrentDestructiveRunsIT}).
 */
class LocalBatchJobsLeaseTest {
  @TempDir Path dir;

  private final JobFixture.RecordingReports reports = new JobFixture.RecordingReports();

  private Path root() {
    return dir.resolve("state/jobs");
  }

  private Path locks() {
    return JobLease.dir(dir.resolve("state"));
  }

  private static final JobLease.Holder OTHER =
      new JobLease.Holder(
          "11111111-2222-3333-4444-555555555555",
          "20261201T100000Z-aaaaaa",
          "rollback-deletes",
          ProcessHandle.current().pid(),
          Instant.parse("2026-12-01T10:00:00Z"));

  @Test
  void aDestructiveJobIsRefusedWhileAnotherHoldsItsBucketAndRunsOnceTheBucketIsFree() {
    // given: another job holds bucket "b", the bucket of the manifest
    FakeAction action = new FakeAction().asDestructive();
    LocalBatchJobs jobs = JobFixture.jobs(root(), action, reports, SETTINGS);
    JobRecord job = jobs.submit(request("run-1", manifest(dir, 20), dir.resolve("report"), false));
    JobLease held = JobLease.tryAcquire(locks(), JobLease.forBucket("b"), OTHER).orElseThrow();

    // when / then: refused, the holder named, nothing ran, the job still Ready
    try {
      assertThatThrownBy(() -> jobs.execute(job.jobId(), ProgressListener.NONE))
          .isInstanceOfSatisfying(
              QuarryException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.USER))
          .hasMessageContaining("bucket b is held by job " + OTHER.jobId())
          .hasMessageContaining("playbook rollback-deletes, run " + OTHER.runId())
          .hasMessageContaining("quarry job " + OTHER.jobId())
          .hasMessageContaining("quarry resume " + job.jobId());
      assertThat(action.callList()).isEmpty();
      assertThat(jobs.describe(job.jobId()).orElseThrow().status()).isEqualTo(JobStatus.READY);
    } finally {
      held.close();
    }

    // when the other job has ended
    JobRecord ended = jobs.execute(job.jobId(), ProgressListener.NONE);

    // then
    assertThat(ended.status()).isEqualTo(JobStatus.COMPLETE);
    assertThat(action.callList()).hasSize(20);
    assertThat(JobLease.holder(locks(), JobLease.forBucket("b"))).isEmpty();
  }

  @Test
  void aResumeOfAnEndedDestructiveJobTakesTheLeaseBeforeItRetriesAnything() {
    // given: a destructive job that ended with a task whose transient failures used up its retries
    FakeAction action =
        new FakeAction().asDestructive().alwaysTransient(java.util.Set.of(JobFixture.key(0)));
    LocalBatchJobs jobs = JobFixture.jobs(root(), action, reports, SETTINGS);
    JobRecord job = jobs.submit(request("run-2", manifest(dir, 20), dir.resolve("report"), false));
    JobRecord ended = jobs.execute(job.jobId(), ProgressListener.NONE);
    assertThat(ended.progress().numberOfTasksFailed()).isEqualTo(1);
    int callsBefore = action.callList().size();
    // and another job holds the bucket
    JobLease held = JobLease.tryAcquire(locks(), JobLease.forBucket("b"), OTHER).orElseThrow();

    // when / then: the resume, which would retry that task, is refused and runs nothing
    try {
      assertThatThrownBy(() -> jobs.execute(job.jobId(), ProgressListener.NONE))
          .isInstanceOfSatisfying(
              QuarryException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.USER))
          .hasMessageContaining("bucket b is held by job " + OTHER.jobId());
      assertThat(action.callList()).hasSize(callsBefore);
      // the refused process did not drop the holder's lock when it gave up
      assertThat(JobLease.holder(locks(), JobLease.forBucket("b"))).contains(OTHER);
    } finally {
      held.close();
    }
  }

  @Test
  void aRunningDestructiveJobHoldsItsBucketUnderItsOwnName() throws Exception {
    // given: a destructive job whose task looks at the lease of its bucket while it runs
    java.util.List<java.util.Optional<JobLease.Holder>> seen =
        new java.util.concurrent.CopyOnWriteArrayList<>();
    FakeAction action =
        new FakeAction()
            .asDestructive()
            .onEachCall(() -> seen.add(JobLease.holder(locks(), JobLease.forBucket("b"))));
    LocalBatchJobs jobs = JobFixture.jobs(root(), action, reports, SETTINGS);
    JobRecord job = jobs.submit(request("run-2", manifest(dir, 3), dir.resolve("report"), false));

    // when
    jobs.execute(job.jobId(), ProgressListener.NONE);

    // then
    assertThat(seen)
        .hasSize(3)
        .allSatisfy(
            h -> {
              assertThat(h).isPresent();
              assertThat(h.get().jobId()).isEqualTo(job.jobId());
              assertThat(h.get().runId()).isEqualTo("run-2");
              assertThat(h.get().pid()).isEqualTo(ProcessHandle.current().pid());
            });
  }

  @Test
  void aJobThatIsNotDestructiveTakesNoLease() {
    // given
    FakeAction action = new FakeAction();
    LocalBatchJobs jobs = JobFixture.jobs(root(), action, reports, SETTINGS);
    JobRecord job = jobs.submit(request("run-3", manifest(dir, 5), dir.resolve("report"), false));

    // when: another job holds the bucket
    JobLease held = JobLease.tryAcquire(locks(), JobLease.forBucket("b"), OTHER).orElseThrow();
    JobRecord ended;
    try {
      ended = jobs.execute(job.jobId(), ProgressListener.NONE);
    } finally {
      held.close();
    }

    // then
    assertThat(ended.status()).isEqualTo(JobStatus.COMPLETE);
  }
}
