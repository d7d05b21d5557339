package dev.quarry.job.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Submits a local job in a process of its own and stops in the middle of the submission, for {@link
 * LocalBatchJobsPrepareKillTest} to kill: {@code PrepareKillTestMain <jobsRoot> <dir> <rows>
 * <confirm> <hangAt>}. The executor's clock never returns from its {@code hangAt}-th reading, after
 * creating {@code <dir>/hung}: the 2nd is taken as the job moves to Preparing (it is still New),
 * the 3rd as it leaves Preparing (it is Preparing).
 */
public final class PrepareKillTestMain {
  private PrepareKillTestMain() {}

  public static void main(String[] args) {
    Path dir = Path.of(args[1]);
    LocalBatchJobs jobs =
        new LocalBatchJobs(
            Path.of(args[0]),
            JobFixture.unusedS3(),
            spec -> new FakeAction(),
            new JobFixture.RecordingReports(),
            JobFixture.SETTINGS,
            new HangingClock(Integer.parseInt(args[4]), dir.resolve("hung")));
    jobs.submit(
        JobFixture.request(
            "run-prepare-kill",
            JobFixture.manifest(dir, Integer.parseInt(args[2])),
            dir.resolve("report"),
            Boolean.parseBoolean(args[3])));
  }

  /** The system clock, but its n-th reading never returns. */
  private static final class HangingClock extends Clock {
    private final AtomicInteger readings = new AtomicInteger();
    private final int hangAt;
    private final Path signal;

    HangingClock(int hangAt, Path signal) {
      this.hangAt = hangAt;
      this.signal = signal;
    }

    @Override
    public Instant instant() {
      if (readings.incrementAndGet() == hangAt) {
        try {
          Files.createFile(signal);
          Thread.sleep(Long.MAX_VALUE);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return Instant.now();
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }
}
