package dev.quarry.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.app.RunListener;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The hooks incremental playbooks call: late rows and the watermark, driven directly and through a
 * firing's listener (what ExecuteRun tells it).
 */
class RunMonitorTest {
  private final List<RunEvent> events = new CopyOnWriteArrayList<>();
  private final RunMonitor monitor =
      new RunMonitor(
          new RunMetrics(),
          events::add,
          line -> {},
          Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC));

  @Test
  void lateRowsAreCountedAndAnnounced() {
    // when
    monitor.lateRows("journal-tags", "run-7", 4, "4 rows older than the 15m look-back");

    // then
    assertThat(events)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.kind()).isEqualTo(RunEvent.Kind.LATE_ROWS_FOUND);
              assertThat(e.text())
                  .isEqualTo(
                      "journal-tags run run-7 found journal rows later than its look-back: 4 rows older"
                          + " than the 15m look-back");
            });
    assertThat(monitor.metrics().scrape())
        .contains("quarry_late_rows_total{playbook=\"journal-tags\"} 4.0");
  }

  @Test
  void theWatermarkLagIsHowFarTheWatermarkIsBehindAtTheScrape() {
    // when: a watermark an hour old
    monitor.watermark("journal-tags", Instant.now().minusSeconds(3600));

    // then
    String line =
        monitor
            .metrics()
            .scrape()
            .lines()
            .filter(l -> l.startsWith("quarry_watermark_lag_seconds{playbook=\"journal-tags\"}"))
            .findFirst()
            .orElseThrow();
    assertThat(Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
        .isBetween(3600.0, 3700.0);
  }

  @Test
  void aFiringsListenerAnnouncesLateRowsAndMovesTheWatermarkOfItsWindow() {
    // given: an incremental run's window, two rows late, up to an hour ago
    java.time.LocalDateTime until =
        java.time.LocalDateTime.ofInstant(Instant.now().minusSeconds(3600), ZoneOffset.UTC);
    dev.quarry.app.IncrementalLedger.Window window =
        new dev.quarry.app.IncrementalLedger.Window(
            "run-8", "journal-tags", until.minusMinutes(30), until.minusHours(24), until, 2);
    RunMonitor.Listener listener = monitor.listen("journal-tags", RunListener.NONE);

    // when
    listener.window(window);
    listener.lateRows(window);

    // then
    assertThat(events)
        .singleElement()
        .satisfies(e -> assertThat(e.kind()).isEqualTo(RunEvent.Kind.LATE_ROWS_FOUND));
    assertThat(monitor.metrics().scrape())
        .contains("quarry_late_rows_total{playbook=\"journal-tags\"} 2.0")
        .contains("quarry_watermark_lag_seconds{playbook=\"journal-tags\"}");
  }

  @Test
  void aRefusedFiringIsCountedButNotAnnouncedNorStarted() {
    // when: the playbook's previous run has not ended
    monitor.listen("tag", RunListener.NONE).failed("user", "already has a run");

    // then
    assertThat(events).isEmpty();
    assertThat(monitor.metrics().scrape())
        .contains("quarry_firings_failed_total{kind=\"user\",playbook=\"tag\"} 1.0")
        .doesNotContain("quarry_runs_started_total{playbook=\"tag\"}");
  }

  @Test
  void anExternalErrorIsAnnouncedAsAFailedRun() {
    // when
    monitor.listen("tag", RunListener.NONE).failed("external", "S3 is down");

    // then
    assertThat(events)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.kind()).isEqualTo(RunEvent.Kind.FAILED);
              assertThat(e.text()).isEqualTo("tag failed: S3 is down");
            });
  }
}
