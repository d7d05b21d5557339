package dev.quarry.monitor;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.quarry.run.RunRecord;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The daemon's loopback HTTP port (the JDK's own server; no web framework):
 *
 * <ul>
 *   <li>{@code GET /health}: JSON {@code {"status", "scheduler", "runStore", "playbooks":
 *       {"scheduled", "broken"}}}; 200 when the scheduler runs and the run store answers, else 503
 *   <li>{@code GET /metrics}: {@link RunMetrics} in Prometheus's text format
 *   <li>{@code GET /}: a self-contained HTML page of the recent runs, each linking its report
 *   <li>{@code GET /runs/<id>/report}: that run's HTML report (as {@code quarry report --html})
 * </ul>
 *
 * <p>It binds 127.0.0.1 only: the page shows bucket names and keys, and it has no authentication.
 */
public final class StatusServer implements AutoCloseable {
  /** The recent runs the page shows. */
  public static final int RECENT = 50;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern REPORT = Pattern.compile("/runs/([A-Za-z0-9._-]+)/report");

  /** What {@code /health} reports. */
  public record Health(
      String scheduler, boolean runStore, List<String> scheduled, List<String> broken) {
    public Health {
      requireNonNull(scheduler, "scheduler is null");
      scheduled = List.copyOf(requireNonNull(scheduled, "scheduled is null"));
      broken = List.copyOf(requireNonNull(broken, "broken is null"));
    }

    boolean healthy() {
      return scheduler.equals("running") && runStore;
    }
  }

  /** Where the server's figures come from; each is read at each request. */
  public record Sources(
      Supplier<Health> health,
      Supplier<String> metrics,
      Supplier<List<RunRecord>> runs,
      Function<String, Optional<String>> report) {
    public Sources {
      requireNonNull(health, "health is null");
      requireNonNull(metrics, "metrics is null");
      requireNonNull(runs, "runs is null");
      requireNonNull(report, "report is null");
    }
  }

  private final HttpServer server;
  private final ExecutorService threads;
  private final Sources sources;

  /**
   * Listens on 127.0.0.1:{@code port} (0: a free port, see {@link #port()}).
   *
   * @throws UncheckedIOException when the port is taken
   */
  public StatusServer(int port, Sources sources) {
    this.sources = requireNonNull(sources, "sources is null");
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot listen on 127.0.0.1:" + port + ": " + e.getMessage(), e);
    }
    // two threads: a slow report page must not hold up a Prometheus scrape
    threads =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "quarry-http");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(threads);
    server.createContext("/", this::handle);
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!exchange.getRequestMethod().equals("GET")
          && !exchange.getRequestMethod().equals("HEAD")) {
        send(exchange, 405, "text/plain", "GET only\n");
        return;
      }
      String path = exchange.getRequestURI().getPath();
      Matcher report = REPORT.matcher(path);
      try {
        if (path.equals("/health")) {
          Health health = sources.health().get();
          send(exchange, health.healthy() ? 200 : 503, "application/json", health(health));
        } else if (path.equals("/metrics")) {
          send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", sources.metrics().get());
        } else if (path.equals("/")) {
          send(
              exchange, 200, "text/html; charset=utf-8", page(sources.runs().get(), Instant.now()));
        } else if (report.matches()) {
          Optional<String> html = sources.report().apply(report.group(1));
          if (html.isPresent()) {
            send(exchange, 200, "text/html; charset=utf-8", html.get());
          } else {
            send(exchange, 404, "text/plain", "no report for run " + report.group(1) + "\n");
          }
        } else {
          send(exchange, 404, "text/plain", "not found; try /, /health, /metrics\n");
        }
      } catch (RuntimeException e) {
        // one bad request (a report that cannot be read) must not stop the port
        send(exchange, 500, "text/plain", "cannot answer " + path + ": " + e.getMessage() + "\n");
      }
    }
  }

  private static void send(HttpExchange exchange, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    if (type.startsWith("text/html")) {
      // the page is self-contained: its style is inline, it runs no script
      exchange
          .getResponseHeaders()
          .set(
              "Content-Security-Policy",
              "default-src 'none'; style-src 'unsafe-inline'; img-src data:");
    }
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  static String health(Health health) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("status", health.healthy() ? "ok" : "unhealthy");
    json.put("scheduler", health.scheduler());
    json.put("runStore", health.runStore() ? "reachable" : "unreachable");
    json.put(
        "playbooks",
        Map.of(
            "scheduled", health.scheduled(),
            "broken", health.broken(),
            "loaded", health.scheduled().size(),
            "brokenCount", health.broken().size()));
    try {
      return JSON.writeValueAsString(json) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write /health", e);
    }
  }

  /** The recent runs, newest first, every value escaped. */
  static String page(List<RunRecord> runs, Instant now) {
    StringBuilder html = new StringBuilder();
    html.append(
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Quarry daemon: recent runs</title>
        <style>
        body{font:14px system-ui,sans-serif;margin:2em;color:#222}
        table{border-collapse:collapse}th,td{padding:4px 10px;border-bottom:1px solid #ddd;text-align:left}
        td{white-space:nowrap}td.n{text-align:right;font-variant-numeric:tabular-nums}
        .completed{color:#176f2c}.failed,.refused,.cancelled{color:#b3261e}.awaiting-approval{color:#8a5a00}
        </style></head><body>
        <h1>Recent runs</h1>
        """);
    html.append("<p id=\"summary\">")
        .append(runs.size())
        .append(runs.size() == 1 ? " run" : " runs")
        .append(" (newest first, at most ")
        .append(RECENT)
        .append("); page written ")
        .append(escape(now.toString()))
        .append(
            ". See also <a href=\"/health\">/health</a> and <a href=\"/metrics\">/metrics</a>.</p>\n");
    html.append(
        "<table id=\"runs\"><thead><tr><th>Run</th><th>Playbook</th><th>Status</th>"
            + "<th>Objects</th><th>Succeeded</th><th>Failed</th><th>Started</th><th>Ended</th>"
            + "<th>Report</th></tr></thead><tbody>\n");
    for (RunRecord run : runs) {
      String id = escape(run.id());
      html.append("<tr data-run=\"")
          .append(id)
          .append("\">")
          .append("<td class=\"id\">")
          .append(id)
          .append("</td>")
          .append("<td class=\"playbook\">")
          .append(escape(run.playbook()))
          .append("</td>")
          .append("<td class=\"status ")
          .append(escape(run.phase().label()))
          .append("\">")
          .append(escape(run.phase().label()))
          .append("</td>")
          .append("<td class=\"n objects\">")
          .append(run.counts().objects())
          .append("</td>")
          .append("<td class=\"n succeeded\">")
          .append(run.counts().succeeded())
          .append("</td>")
          .append("<td class=\"n failed\">")
          .append(run.counts().failed())
          .append("</td>")
          .append("<td>")
          .append(escape(run.started().toString()))
          .append("</td>")
          .append("<td>")
          .append(run.ended().map(Instant::toString).map(StatusServer::escape).orElse(""))
          .append("</td>")
          .append("<td>");
      // only a report that exists: a run awaiting approval or still going has none to show yet
      if (run.report().isPresent()) {
        html.append("<a class=\"report\" href=\"/runs/").append(id).append("/report\">report</a>");
      }
      html.append("</td></tr>\n");
    }
    html.append("</tbody></table>\n</body></html>\n");
    return html.toString();
  }

  private static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
