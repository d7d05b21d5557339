package dev.quarry.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.error.QuarryException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Polling with backoff, against a hand-written BatchJobs that answers a script of statuses. */
class JobTrackerTest {
  private final List<Duration> sleeps = new ArrayList<>();
  private final JobTracker.Backoff backoff =
      new JobTracker.Backoff(Duration.ofSeconds(1), Duration.ofSeconds(4), 2);

  /** Answers describe with the next scripted status, then the last one forever. */
  private static BatchJobs scripted(JobStatus... statuses) {
    Deque<JobStatus> script = new ArrayDeque<>(List.of(statuses));
    return new BatchJobs() {
      private JobStatus last;

      @Override
      public Optional<JobRecord> describe(String jobId) {
        last = script.isEmpty() ? last : script.poll();
        return Optional.of(
            new JobRecord(
                jobId,
                "t",
                "p",
                "r",
                "",
                1,
                "put-tags",
                last,
                JobRecord.Progress.NONE,
                List.of(),
                Optional.empty(),
                false,
                Instant.EPOCH,
                Optional.empty(),
                List.of()));
      }

      @Override
      public JobRecord submit(JobRequest request) {
        throw new UnsupportedOperationException();
      }

      @Override
      public List<JobRecord> list() {
        return List.of();
      }

      @Override
      public JobRecord confirm(String jobId) {
        throw new UnsupportedOperationException();
      }

      @Override
      public JobRecord cancel(String jobId) {
        throw new UnsupportedOperationException();
      }
    };
  }

  @Test
  void pollsLessOftenWhileTheStatusStaysAndQuicklyAgainAfterAChange() {
    // given
    BatchJobs jobs =
        scripted(
            JobStatus.READY,
            JobStatus.ACTIVE,
            JobStatus.ACTIVE,
            JobStatus.ACTIVE,
            JobStatus.ACTIVE,
            JobStatus.COMPLETING,
            JobStatus.COMPLETE);
    List<JobStatus> seen = new ArrayList<>();

    // when
    JobRecord job =
        new JobTracker(jobs, backoff, sleeps::add).track("j", j -> seen.add(j.status()));

    // then
    assertThat(job.status()).isEqualTo(JobStatus.COMPLETE);
    assertThat(seen).hasSize(7).endsWith(JobStatus.COMPLETE);
    assertThat(sleeps).extracting(Duration::toSeconds).containsExactly(1L, 1L, 2L, 4L, 4L, 1L);
  }

  @Test
  void stopsAtSuspendedForAConfirmationOnlyAPersonCanGive() {
    JobRecord job =
        new JobTracker(
                scripted(JobStatus.NEW, JobStatus.PREPARING, JobStatus.SUSPENDED),
                backoff,
                sleeps::add)
            .track("j", ProgressListener.NONE);

    assertThat(job.status()).isEqualTo(JobStatus.SUSPENDED);
    assertThat(sleeps).hasSize(2);
  }

  @Test
  void awaitsTheEndOfPreparationWhereAConfirmationCanBeGiven() {
    // given a job AWS has accepted but not yet prepared (CreateJob answers before that)
    BatchJobs suspended =
        scripted(JobStatus.NEW, JobStatus.PREPARING, JobStatus.PREPARING, JobStatus.SUSPENDED);
    BatchJobs ready = scripted(JobStatus.PREPARING, JobStatus.READY, JobStatus.ACTIVE);

    // when
    JobRecord waiting =
        new JobTracker(suspended, backoff, sleeps::add).awaitPrepared("j", ProgressListener.NONE);
    JobRecord unconfirmed =
        new JobTracker(ready, backoff, d -> {}).awaitPrepared("k", ProgressListener.NONE);

    // then
    assertThat(waiting.status()).isEqualTo(JobStatus.SUSPENDED);
    assertThat(sleeps).extracting(Duration::toSeconds).containsExactly(1L, 1L, 2L);
    assertThat(unconfirmed.status()).isEqualTo(JobStatus.READY);
  }

  @Test
  void anUnknownJobIsAUserError() {
    BatchJobs none =
        new BatchJobs() {
          @Override
          public Optional<JobRecord> describe(String jobId) {
            return Optional.empty();
          }

          @Override
          public JobRecord submit(JobRequest request) {
            throw new UnsupportedOperationException();
          }

          @Override
          public List<JobRecord> list() {
            return List.of();
          }

          @Override
          public JobRecord confirm(String jobId) {
            throw new UnsupportedOperationException();
          }

          @Override
          public JobRecord cancel(String jobId) {
            throw new UnsupportedOperationException();
          }
        };

    assertThatThrownBy(() -> new JobTracker(none, backoff, sleeps::add).track("x", j -> {}))
        .isInstanceOf(QuarryException.class)
        .hasMessageContaining("no job x");
  }
}
