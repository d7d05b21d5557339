package dev.quarry.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.job.BatchJobs;
import dev.quarry.job.JobRecord;
import dev.quarry.job.JobRequest;
import dev.quarry.job.JobStatus;
import dev.quarry.job.ProgressListener;
import dev.quarry.manifest.ManifestReader;
import dev.quarry.playbook.ActionSpec;
import dev.quarry.playbook.Playbook;
import dev.quarry.playbook.PlaybookLoader;
import dev.quarry.query.EnginePool;
import dev.quarry.query.embedded.EmbeddedEngine;
import dev.quarry.report.ReportLocation;
import dev.quarry.run.RunPhase;
import dev.quarry.run.RunRecord;
import dev.quarry.run.jdbc.JdbcRunStore;
import dev.quarry.run.ledger.JdbcIncrementalLedger;
import dev.quarry.testing.TestWarehouse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Incremental runs over a real journal (Parquet read by the embedded engine) that keeps receiving
 * rows between runs, with a real run store and ledger (H2) and a fake of our executor port.
 */
class IncrementalRunTest {
  private static final String PLAYBOOK =
      """
      name: new-scans
      bucket: scans
      query: |
        SELECT bucket, key, version_id FROM journal
        WHERE record_type = 'CREATE'
          AND record_timestamp >= :since AND record_timestamp < :until
      incremental: { watermark: record_timestamp, lookback: 15m, start: "2026-12-01T09:00:00Z" }
      action: { type: restore, days: 1, tier: BULK }
      limits: { max-objects: 3 }
      """;

  @TempDir Path dir;

  private final MovingClock clock = new MovingClock(Instant.parse("2026-12-01T10:00:00Z"));
  private final FakeExecutor executor = new FakeExecutor();
  private TestWarehouse journal;
  private JdbcRunStore store;
  private JdbcIncrementalLedger ledger;
  private Playbook playbook;

  @BeforeEach
  void openTheJournalAndTheRunStore() throws Exception {
    journal = new TestWarehouse(dir.resolve("warehouse"));
    String url =
        "jdbc:h2:file:"
            + dir.resolve("runs").toAbsolutePath()
            + ";WRITE_DELAY=0;MAX_COMPACT_TIME=0";
    store = JdbcRunStore.open(url);
    ledger = new JdbcIncrementalLedger(url);
    // on disk: a resumed run reads its playbook again
    Path file = Files.writeString(dir.resolve("new-scans.yaml"), PLAYBOOK);
    playbook = new PlaybookLoader().load(file).orThrow();
  }

  @AfterEach
  void close() throws Exception {
    journal.close();
    store.close();
  }

  @Test
  void everyNewObjectIsProcessedExactlyOnceAndLateRowsAreProcessedAndCounted() throws Exception {
    // given: two scans before the first run
    arrive(row("a.dcm", "v1", "09:50"), row("b.dcm", "v1", "09:55"));
    List<String> late = new ArrayList<>();
    RunListener listener =
        new RunListener() {
          @Override
          public void lateRows(IncrementalLedger.Window window) {
            late.add(window.runId() + ":" + window.lateRows());
          }
        };

    // when: the first run, then rows that arrive after it: a new one, one late within the
    // look-back (09:58, 2 minutes before the first run's time) and one beyond it (09:30)
    ExecuteRun.Outcome first = run(listener);
    clock.at("10:20");
    arrive(row("c.dcm", "v1", "10:05"), row("d.dcm", "v1", "09:58"), row("e.dcm", "v1", "09:30"));
    ExecuteRun.Outcome second = run(listener);
    clock.at("10:40");
    arrive(row("f.dcm", "v1", "10:30"), row("a.dcm", "v2", "10:35"));
    ExecuteRun.Outcome third = run(listener);

    // then: each object in one job only, the late ones included
    assertThat(executor.submitted)
        .containsExactly(
            List.of("scans/a.dcm@v1", "scans/b.dcm@v1"),
            List.of("scans/c.dcm@v1", "scans/d.dcm@v1", "scans/e.dcm@v1"),
            List.of("scans/f.dcm@v1", "scans/a.dcm@v2"));
    // the second run read back a day for rows no run handled, found e, and said so
    IncrementalLedger.Window window = second.window().orElseThrow();
    assertThat(window.since()).isEqualTo(LocalDateTime.parse("2026-12-01T09:45:00"));
    assertThat(window.until()).isEqualTo(LocalDateTime.parse("2026-12-01T10:20:00"));
    assertThat(window.lateRows()).isEqualTo(1);
    assertThat(late).containsExactly(second.run().id() + ":1");
    assertThat(ledger.window(second.run().id())).contains(window);
    assertThat(first.window().orElseThrow().lateRows()).isZero();
    assertThat(third.window().orElseThrow().lateRows()).isZero();
    // the run records the window it was bound to
    assertThat(store.find(third.run().id()).orElseThrow().parameters())
        .containsEntry("until", "2026-12-01T10:40");
  }

  @Test
  void aRunThatFailsBeforeSubmittingLeavesTheWatermarkAndCountsOnceResumed() throws Exception {
    // given: a first run, then two new scans
    arrive(row("a.dcm", "v1", "09:50"));
    ExecuteRun.Outcome first = run(RunListener.NONE);
    clock.at("10:20");
    arrive(row("b.dcm", "v1", "10:01"), row("c.dcm", "v1", "10:02"));

    // when: the submission fails
    executor.failSubmit = true;
    assertThatThrownBy(() -> run(RunListener.NONE)).hasMessageContaining("unreachable");

    // then: the watermark is still the first run's
    assertThat(ledger.lastCounted("new-scans").orElseThrow().runId()).isEqualTo(first.run().id());

    // and when: the run is resumed, submits, and a later run follows
    executor.failSubmit = false;
    String failed = store.active("new-scans").orElseThrow().id();
    resumeRun().resume(failed, true, Approval.NONE, RunListener.NONE);
    clock.at("10:40");
    arrive(row("d.dcm", "v1", "10:30"));
    run(RunListener.NONE);

    // then: the resumed run counted once it submitted, and nothing was submitted twice
    assertThat(executor.submitted)
        .containsExactly(
            List.of("scans/a.dcm@v1"),
            List.of("scans/b.dcm@v1", "scans/c.dcm@v1"),
            List.of("scans/d.dcm@v1"));
  }

  @Test
  void aRunALimitRefusesLeavesTheWatermarkAndARunWithNothingNewMovesIt() throws Exception {
    // given: a first run, then more new scans than limits.max-objects allows
    arrive(row("a.dcm", "v1", "09:50"));
    ExecuteRun.Outcome first = run(RunListener.NONE);
    clock.at("10:20");
    arrive(
        row("b.dcm", "v1", "10:01"),
        row("c.dcm", "v1", "10:02"),
        row("d.dcm", "v1", "10:03"),
        row("e.dcm", "v1", "10:04"));

    // when
    assertThatThrownBy(() -> run(RunListener.NONE))
        .isInstanceOf(QuarryException.class)
        .hasMessageContaining("refusing to run new-scans");

    // then: the watermark is still the first run's
    assertThat(ledger.lastCounted("new-scans").orElseThrow().runId()).isEqualTo(first.run().id());

    // and given: another playbook's journal with nothing new after its first run
    clock.at("10:30");
    Playbook quiet = quiet();
    ExecuteRun.Outcome before = run(quiet, RunListener.NONE);
    clock.at("11:00");

    // when: a run selects nothing (and submits nothing: the executor takes no empty manifest)
    ExecuteRun.Outcome empty = run(quiet, RunListener.NONE);

    // then: it completed, and the next window starts from it
    assertThat(empty.job()).isEmpty();
    assertThat(before.job()).isEmpty();
    assertThat(ledger.lastCounted("quiet-scans").orElseThrow().runId()).isEqualTo(empty.run().id());
  }

  @Test
  void theLedgerForgetsWhatNoLaterRunReadsAndStillSkipsTheOverlap() throws Exception {
    // given: a playbook that reconciles over 30 minutes, and three runs an hour apart
    Playbook hourly =
        new PlaybookLoader()
            .load(
                dir.resolve("short-scans.yaml"),
                PLAYBOOK
                    .replace("name: new-scans", "name: short-scans")
                    .replace("lookback: 15m", "lookback: 15m, reconcile: 30m"))
            .orThrow();
    arrive(row("a.dcm", "v1", "09:50"));
    ExecuteRun.Outcome first = run(hourly, RunListener.NONE);
    clock.at("11:00");
    arrive(row("b.dcm", "v1", "10:55"));
    ExecuteRun.Outcome second = run(hourly, RunListener.NONE);
    clock.at("12:00");
    arrive(row("c.dcm", "v1", "11:10"));

    // when: the third run reads back from 10:30
    run(hourly, RunListener.NONE);

    // then: the first window is forgotten, the second kept, and b, inside the overlap, not redone
    assertThat(ledger.window(first.run().id())).isEmpty();
    assertThat(ledger.window(second.run().id())).isPresent();
    assertThat(executor.submitted)
        .containsExactly(
            List.of("scans/a.dcm@v1"), List.of("scans/b.dcm@v1"), List.of("scans/c.dcm@v1"));
  }

  /** A playbook whose query selects nothing: its start is after every row of the journal. */
  @Test
  void aWindowCountsOnlyWhenEveryStepOfItsRunWasSubmitted() throws Exception {
    // given: two split runs, one whose second part never ran (its first job failed), one whose
    // parts were both submitted
    java.time.LocalDateTime until = java.time.LocalDateTime.parse("2026-12-01T10:00:00");
    RunRecord.Step first =
        RunRecord.Step.planned(
            "reencrypt", Optional.of("{}"), new RunRecord.Manifest("m/step-1.csv", "e1", 1));
    RunRecord.Queued second =
        new RunRecord.Queued(
            "reencrypt", "{}", Optional.of(new RunRecord.Manifest("m/step-2.csv", "e2", 1)));
    RunRecord stopped =
        RunRecord.planned(
                "r-stopped",
                "new-scans",
                Optional.empty(),
                "h",
                Map.of(),
                "embedded",
                first,
                List.of(second),
                clock.instant())
            .withJob("job-1")
            .enter(RunPhase.FAILED, clock.instant());
    store.save(stopped);
    ledger.record(
        new IncrementalLedger.Window(
            "r-stopped", "new-scans", until.minusHours(1), until.minusHours(24), until, 0),
        List.of(new IncrementalLedger.Handled("scans", "a.dcm", "v1")));

    // then: its window does not count, and its objects are not handled
    assertThat(ledger.lastCounted("new-scans")).isEmpty();
    assertThat(ledger.handled("new-scans", until.minusDays(2))).isEmpty();

    // when: a run whose every part was submitted
    RunRecord done =
        RunRecord.planned(
                "r-done",
                "new-scans",
                Optional.empty(),
                "h",
                Map.of(),
                "embedded",
                first,
                List.of(second),
                clock.instant())
            .withJob("job-2")
            .enter(RunPhase.WAITING, clock.instant())
            .withStep(
                RunRecord.Step.planned(
                    "reencrypt", Optional.of("{}"), second.manifest().orElseThrow()))
            .withJob("job-3")
            .enter(RunPhase.FAILED, clock.instant());
    store.save(done);
    ledger.record(
        new IncrementalLedger.Window(
            "r-done", "new-scans", until.minusHours(1), until.minusHours(24), until, 0),
        List.of(new IncrementalLedger.Handled("scans", "b.dcm", "v1")));

    // then: it counts
    assertThat(ledger.lastCounted("new-scans").orElseThrow().runId()).isEqualTo("r-done");
    assertThat(ledger.handled("new-scans", until.minusDays(2)))
        .containsExactly(new IncrementalLedger.Handled("scans", "b.dcm", "v1"));
  }

  private Playbook quiet() {
    return new PlaybookLoader()
        .load(
            dir.resolve("quiet-scans.yaml"),
            PLAYBOOK
                .replace("name: new-scans", "name: quiet-scans")
                .replace("2026-12-01T09:00:00Z", "2026-12-01T10:25:00Z"))
        .orThrow();
  }

  private ResumeRun resumeRun() {
    return new ResumeRun(
        executor,
        store,
        ReportReviews.NONE,
        row -> RestoredCopies.State.READABLE,
        Duration.ZERO,
        clock);
  }

  private ExecuteRun.Outcome run(RunListener listener) {
    return run(playbook, listener);
  }

  private ExecuteRun.Outcome run(Playbook playbook, RunListener listener) {
    ExecuteRun.Outcome outcome =
        new ExecuteRun(
                () ->
                    EnginePool.of(new EmbeddedEngine(journal.warehouse(), Optional.of("b_scans"))),
                executor,
                store,
                ReportReviews.NONE,
                row -> RestoredCopies.State.READABLE,
                Duration.ZERO,
                dir.resolve("manifests"),
                clock,
                ledger)
            .execute(playbook, Map.of(), true, Approval.NONE, listener);
    assertThat(outcome.run().phase()).isEqualTo(RunPhase.COMPLETED);
    return outcome;
  }

  private static String row(String key, String version, String time) {
    return "('scans', '"
        + key
        + "', '"
        + version
        + "', 'CREATE', TIMESTAMP '2026-12-01 "
        + time
        + ":00')";
  }

  /** Rows that reach the journal now: a Parquet file of their own, as the table grows. */
  private void arrive(String... rows) throws Exception {
    journal.journal(
        "b_scans",
        "SELECT * FROM (VALUES "
            + String.join(", ", rows)
            + ") t(bucket, key, version_id, record_type, record_timestamp)");
  }

  private static final class MovingClock extends Clock {
    private Instant now;

    MovingClock(Instant now) {
      this.now = now;
    }

    void at(String time) {
      now = Instant.parse("2026-12-01T" + time + ":00Z");
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  /** Runs each job at once and keeps what each one was given, as bucket/key@version. */
  private final class FakeExecutor implements RunExecutor, BatchJobs {
    private final Map<String, JobRecord> jobs = new LinkedHashMap<>();
    final List<List<String>> submitted = new ArrayList<>();
    boolean failSubmit;

    @Override
    public BatchJobs jobs() {
      return this;
    }

    @Override
    public void checkRunnable(ActionSpec action) {}

    @Override
    public boolean acceptsEmptyManifest() {
      return false;
    }

    @Override
    public ReportLocation reportLocation(Path runDir) {
      return new ReportLocation.Local(runDir.resolve("report"));
    }

    @Override
    public JobRecord prepared(JobRecord submitted) {
      return submitted;
    }

    @Override
    public JobRecord follow(String jobId, ProgressListener progress) {
      JobRecord job = jobs.get(jobId);
      long total = job.progress().totalNumberOfTasks();
      job =
          job.moveTo(JobStatus.ACTIVE, clock.instant(), "")
              .withProgress(new JobRecord.Progress(total, total, 0, 1))
              .moveTo(JobStatus.COMPLETE, clock.instant(), "");
      jobs.put(jobId, job);
      return job;
    }

    @Override
    public JobRecord resume(String jobId, ProgressListener progress) {
      return follow(jobId, progress);
    }

    @Override
    public JobRecord submit(JobRequest request) {
      if (failSubmit) {
        throw QuarryException.external(
            ErrorCode.S3_CONTROL_FAILED, "S3 Control is unreachable", null);
      }
      List<String> objects = new ArrayList<>();
      ManifestReader.read(
          request.manifest().file(),
          row -> objects.add(row.bucket() + "/" + row.key() + "@" + row.versionId()));
      submitted.add(objects);
      JobRecord job =
          JobRecord.newJob("job-" + (jobs.size() + 1), request, clock.instant())
              .moveTo(JobStatus.PREPARING, clock.instant(), "")
              .withProgress(new JobRecord.Progress(objects.size(), 0, 0, 0))
              .moveTo(JobStatus.READY, clock.instant(), "");
      jobs.put(job.jobId(), job);
      return job;
    }

    @Override
    public Optional<JobRecord> describe(String jobId) {
      return Optional.ofNullable(jobs.get(jobId));
    }

    @Override
    public List<JobRecord> list() {
      return List.copyOf(jobs.values());
    }

    @Override
    public JobRecord confirm(String jobId) {
      return jobs.get(jobId);
    }

    @Override
    public JobRecord cancel(String jobId) {
      return jobs.get(jobId);
    }
  }
}
