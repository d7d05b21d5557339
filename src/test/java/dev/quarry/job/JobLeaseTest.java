package dev.quarry.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A lease held by another process: refused with its holder named, and free once it is killed. */
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class JobLeaseTest {
  private static final String CHILD_JOB = "99999999-8888-7777-6666-555555555555";

  @TempDir Path dir;

  private final JobLease.Holder me =
      new JobLease.Holder(
          "00000000-1111-2222-3333-444444444444",
          "run-me",
          "my-playbook",
          ProcessHandle.current().pid(),
          Instant.now());

  @Test
  void aLeaseHeldByAnotherProcessIsRefusedWithItsHolderAndFreedWhenThatProcessIsKilled()
      throws Exception {
    // given: a child process holds bucket-photos
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                JobLeaseHolderMain.class.getName(),
                dir.toString(),
                "bucket-photos",
                CHILD_JOB)
            .redirectErrorStream(true)
            .start();
    try {
      BufferedReader lines =
          new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      assertThat(lines.readLine()).isEqualTo("held");

      // when
      Optional<JobLease> refused = JobLease.tryAcquire(dir, "bucket-photos", me);
      JobLease.Result all = JobLease.tryAcquireAll(dir, List.of("bucket-a", "bucket-photos"), me);

      // then: refused, the holder known, and all-or-none left nothing taken
      assertThat(refused).isEmpty();
      assertThat(JobLease.holder(dir, "bucket-photos"))
          .hasValueSatisfying(
              h -> {
                assertThat(h.jobId()).isEqualTo(CHILD_JOB);
                assertThat(h.pid()).isEqualTo(child.pid());
              });
      assertThat(all.leases()).isEmpty();
      assertThat(all.refused()).hasValue("bucket-photos");
      assertThat(all.holder()).map(JobLease.Holder::jobId).hasValue(CHILD_JOB);
      assertThat(JobLease.holder(dir, "bucket-a")).isEmpty();
      // a lease of another name is free
      JobLease other = JobLease.tryAcquire(dir, "bucket-a", me).orElseThrow();
      assertThat(JobLease.holder(dir, "bucket-a")).map(JobLease.Holder::jobId).hasValue(me.jobId());
      other.close();
    } finally {
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    // when the holder was killed: its lease is free, though its record stayed behind
    Optional<JobLease> after = JobLease.tryAcquire(dir, "bucket-photos", me);

    // then
    assertThat(after).isPresent();
    assertThat(JobLease.holder(dir, "bucket-photos"))
        .map(JobLease.Holder::jobId)
        .hasValue(me.jobId());
    after.get().close();
    assertThat(JobLease.holder(dir, "bucket-photos")).isEmpty();
  }

  @Test
  void aSecondLeaseOfTheSameNameInOneProcessIsRefused() {
    // given
    JobLease first = JobLease.tryAcquire(dir, "playbook-x", me).orElseThrow();
    try {
      // when / then
      assertThat(JobLease.tryAcquire(dir, "playbook-x", me)).isEmpty();
    } finally {
      first.close();
    }
    assertThat(JobLease.tryAcquire(dir, "playbook-x", me))
        .isPresent()
        .get()
        .satisfies(JobLease::close);
  }
}
