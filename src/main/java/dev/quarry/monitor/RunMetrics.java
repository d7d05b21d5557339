package dev.quarry.monitor;

import static java.util.Objects.requireNonNull;

import dev.quarry.run.RunRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The daemon's metrics, in Prometheus's text format on {@code /metrics}. Micrometer stays in this
 * package (house rule 7).
 *
 * <ul>
 *   <li>{@code quarry_runs_started_total{playbook}}: firings that started a run
 *   <li>{@code quarry_runs_ended_total{playbook,status}}: runs that reached an end or a wait
 *       (completed, failed, cancelled, refused, awaiting-approval)
 *   <li>{@code quarry_objects_processed_total{playbook}}: tasks of ended runs, succeeded or failed
 *   <li>{@code quarry_task_failures_total{playbook}}: failed tasks of ended runs
 *   <li>{@code quarry_run_duration_seconds{playbook,status}}: a run's start to its end (a summary:
 *       _count, _sum, _max)
 *   <li>{@code quarry_firings_failed_total{playbook,kind}}: firings that did not run (a refusal, a
 *       store or S3 error)
 *   <li>{@code quarry_late_rows_total{playbook}}: journal rows found later than the look-back
 *   <li>{@code quarry_watermark_lag_seconds{playbook}}: how far an incremental playbook's watermark
 *       is behind now
 * </ul>
 */
public final class RunMetrics {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, AtomicLong> watermarks = new ConcurrentHashMap<>();

  /** A firing started a run of {@code playbook}. */
  public void started(String playbook) {
    counter("quarry.runs.started", "Runs the daemon started", "playbook", playbook).increment();
  }

  /** {@code run} reached an end, or a wait for an approval. */
  public void ended(RunRecord run) {
    String playbook = run.playbook();
    String status = run.phase().label();
    counter(
            "quarry.runs.ended",
            "Runs that ended, by status",
            "playbook",
            playbook,
            "status",
            status)
        .increment();
    RunRecord.Counts counts = run.counts();
    counter("quarry.objects.processed", "Tasks of ended runs", "playbook", playbook)
        .increment(counts.succeeded() + counts.failed());
    counter("quarry.task.failures", "Failed tasks of ended runs", "playbook", playbook)
        .increment(counts.failed());
    run.ended()
        .ifPresent(
            end ->
                Timer.builder("quarry.run.duration")
                    .description("A run's start to its end")
                    .tags("playbook", playbook, "status", status)
                    .register(registry)
                    .record(Duration.between(run.started(), end)));
  }

  /** A firing of {@code playbook} did not run; {@code kind} is its error's kind. */
  public void firingFailed(String playbook, String kind) {
    counter("quarry.firings.failed", "Firings that did not run", "playbook", playbook, "kind", kind)
        .increment();
  }

  /** {@code rows} journal rows of {@code playbook} arrived later than its look-back. */
  public void lateRows(String playbook, long rows) {
    counter("quarry.late.rows", "Journal rows found later than the look-back", "playbook", playbook)
        .increment(rows);
  }

  /** {@code playbook}'s watermark is now {@code watermark}; the gauge is its lag at each scrape. */
  public void watermark(String playbook, Instant watermark) {
    AtomicLong millis =
        watermarks.computeIfAbsent(
            playbook,
            p -> {
              AtomicLong at = new AtomicLong();
              Gauge.builder(
                      "quarry.watermark.lag",
                      at,
                      a -> (System.currentTimeMillis() - a.get()) / 1000.0)
                  .description("How far an incremental playbook's watermark is behind now")
                  .baseUnit("seconds")
                  .tag("playbook", p)
                  .register(registry);
              return at;
            });
    millis.set(watermark.toEpochMilli());
  }

  /** All metrics, in Prometheus's text exposition format (version 0.0.4). */
  public String scrape() {
    return registry.scrape();
  }

  private Counter counter(String name, String description, String... tags) {
    requireNonNull(name, "name is null");
    return Counter.builder(name).description(description).tags(tags).register(registry);
  }
}
