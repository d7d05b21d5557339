package dev.quarry.monitor;

import static java.util.Objects.requireNonNull;

import dev.quarry.app.RunListener;
import dev.quarry.job.JobRecord;
import dev.quarry.run.RunRecord;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What the daemon tells the world about its runs: each run's end goes to the metrics and, when it
 * calls for one, a {@link RunEvent} to the webhooks. A failed delivery is logged by {@link
 * Webhooks}; nothing here ever throws into a run.
 *
 * <p>The run use case hears of it through its port: {@link #listen(RunListener)} decorates the
 * daemon's own listener, and the daemon hands the listener the outcome the use case returned
 * ({@link Listener#ended}) or the error it threw ({@link Listener#failed}).
 */
public final class RunMonitor {
  private final RunMetrics metrics;
  private final Consumer<RunEvent> events;
  private final Consumer<String> log;
  private final Clock clock;

  /**
   * @param events hears each event (the webhooks' {@code publish}, or nothing)
   */
  public RunMonitor(
      RunMetrics metrics, Consumer<RunEvent> events, Consumer<String> log, Clock clock) {
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.events = requireNonNull(events, "events is null");
    this.log = requireNonNull(log, "log is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  public RunMetrics metrics() {
    return metrics;
  }

  /** A listener for one firing of {@code playbook}: {@code inner} hears all the use case says. */
  public Listener listen(String playbook, RunListener inner) {
    return new Listener(playbook, inner);
  }

  /**
   * The hook of incremental playbooks: {@code rows} journal rows of {@code playbook}'s run {@code
   * runId} arrived later than its look-back. Counted, and announced as late rows found.
   */
  public void lateRows(String playbook, String runId, long rows, String detail) {
    metrics.lateRows(playbook, rows);
    publish(
        new RunEvent(
            RunEvent.Kind.LATE_ROWS_FOUND,
            playbook,
            Optional.of(runId),
            List.of(),
            "late-rows",
            new RunRecord.Counts(rows, 0, 0),
            Optional.of(detail),
            clock.instant()));
  }

  /** The hook of incremental playbooks: {@code playbook}'s watermark moved to {@code at}. */
  public void watermark(String playbook, Instant at) {
    metrics.watermark(playbook, at);
  }

  private void publish(RunEvent event) {
    try {
      events.accept(event);
    } catch (RuntimeException e) {
      log.accept("cannot announce " + event.kind().label() + " of " + event.playbook() + ": " + e);
    }
  }

  /** One firing's listener: forwards to the daemon's, and announces the run's end. */
  public final class Listener implements RunListener {
    private final String playbook;
    private final RunListener inner;
    // the run as last heard of: a use case that throws after submitting leaves no outcome
    private volatile RunRecord run;
    // a firing refused before it started a run (its previous run has not ended) is no start
    private boolean started;

    private Listener(String playbook, RunListener inner) {
      this.playbook = requireNonNull(playbook, "playbook is null");
      this.inner = requireNonNull(inner, "inner is null");
    }

    private synchronized void start() {
      if (!started) {
        started = true;
        metrics.started(playbook);
      }
    }

    @Override
    public void submitted(RunRecord run, JobRecord job) {
      this.run = run;
      start();
      inner.submitted(run, job);
    }

    @Override
    public void onProgress(JobRecord job) {
      inner.onProgress(job);
    }

    @Override
    public void waiting(RunRecord run, long ready, long pending, long total) {
      this.run = run;
      inner.waiting(run, ready, pending, total);
    }

    /** An incremental run found rows that arrived later than its look-back: announced. */
    @Override
    public void lateRows(dev.quarry.app.IncrementalLedger.Window window) {
      RunMonitor.this.lateRows(
          playbook,
          window.runId(),
          window.lateRows(),
          window.lateRows()
              + " journal rows older than the window's start ("
              + window.since()
              + " UTC) that no run had handled; this run processes them");
      inner.lateRows(window);
    }

    /** An incremental run's window: its end is the watermark the lag gauge counts from. */
    @Override
    public void window(dev.quarry.app.IncrementalLedger.Window window) {
      RunMonitor.this.watermark(playbook, window.until().toInstant(java.time.ZoneOffset.UTC));
      inner.window(window);
    }

    /** The use case returned {@code outcome}: the run's end (or wait) is counted and announced. */
    public void ended(RunRecord outcome) {
      this.run = outcome;
      start(); // a run that selected nothing submits nothing, yet it ran
      Optional<RunEvent> event = RunEvent.of(outcome, clock.instant());
      if (event.isPresent()) { // not a run left tracking by a stopping daemon
        metrics.ended(outcome);
        publish(event.get());
      }
    }

    /**
     * The use case threw: a refusal ({@code user}: the playbook's previous run has not ended, a
     * limit) is only counted, since a playbook fired every minute would announce it every minute;
     * any other error is announced as a failed run.
     */
    public void failed(String kind, String message) {
      metrics.firingFailed(playbook, kind);
      if (kind.equals("user")) {
        return;
      }
      RunRecord last = run;
      if (last != null) {
        start();
      }
      publish(
          new RunEvent(
              RunEvent.Kind.FAILED,
              playbook,
              Optional.ofNullable(last).map(RunRecord::id),
              last == null ? List.of() : last.jobIds(),
              "error",
              last == null ? new RunRecord.Counts(0, 0, 0) : last.counts(),
              Optional.of(message),
              clock.instant()));
    }
  }
}
