package dev.quarry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.monitor.WebhookReceiver;
import dev.quarry.sandbox.LocalS3Server;
import dev.quarry.testing.Chromium;
import dev.quarry.testing.DaemonProcess;
import dev.quarry.testing.QuarryCli;
import dev.quarry.testing.S3Servers;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code quarry daemon --http-port 0 --webhook ...} as a process of its own (the packaged jar)
 * against S3Mock: its webhooks reach a real HTTP server of the test (one that first answers 503,
 * and one whose port is closed), its /health and /metrics are fetched over HTTP, and its status
 * page is opened in headless chromium and checked against {@code quarry runs -o json}.
 */
class DaemonMonitoringIT {
  private static final Path SCREENSHOT = Path.of("target", "status-page.png");
  private static final String TAG = "tag-every-2s";

  @TempDir Path dir;

  private final LocalS3Server server = S3Servers.s3mock();
  private final S3Client s3 = S3Servers.client(server);
  private final HttpClient http = HttpClient.newHttpClient();
  private DaemonProcess daemon;

  @AfterEach
  void stopDaemon() {
    if (daemon != null) {
      daemon.close();
    }
  }

  @Test
  void announcesRunsOnWebhooksAndServesHealthMetricsAndTheStatusPage() throws Exception {
    // given: three objects, their metadata, a playbook due every 2 seconds, one that needs an
    // approval, and a broken one
    String bucket = S3Servers.createVersionedBucket(s3, "monitor");
    IntStream.range(0, 3)
        .forEach(
            i -> s3.putObject(b -> b.bucket(bucket).key("obj/" + i), RequestBody.fromString("x")));
    assertThat(cli().run("metadata", "refresh", "--bucket", bucket).code()).isZero();
    Path playbooks = Files.createDirectory(dir.resolve("playbooks"));
    Path tag =
        Files.writeString(
            playbooks.resolve("tag.yaml"),
            """
            name: %s
            schedule: "0/2 * * * * ?"
            query: SELECT bucket, key FROM "b_%s"."inventory"
            action: { type: put-tags, tags: { checked: "yes" } }
            """
                .formatted(TAG, bucket));
    Files.writeString(
        playbooks.resolve("confirmed.yaml"),
        """
        name: tag-confirmed
        schedule: "0/2 * * * * ?"
        query: SELECT bucket, key FROM "b_%s"."inventory"
        action: { type: put-tags, tags: { confirmed: "yes" } }
        limits: { confirm: required }
        """
            .formatted(bucket));
    Files.writeString(
        playbooks.resolve("broken.yaml"),
        "name: broken\nschedule: \"0/2 * * * * ?\"\nquery: SELECT 1\naction: { type: nope }\n");
    URI closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/hook");
    }

    try (WebhookReceiver receiver = new WebhookReceiver(1)) {
      // when: the daemon runs with a free port and two webhooks
      daemon =
          DaemonProcess.start(
              server,
              dir,
              "daemon",
              "--playbooks",
              playbooks.toString(),
              "--poll",
              "1",
              "--http-port",
              "0",
              "--webhook",
              receiver.url().toString(),
              "--webhook",
              closed.toString());
      daemon.await(() -> port() > 0, 30);
      URI base = URI.create("http://127.0.0.1:" + port());

      // then: the receiver hears a completed run (after its own 503) and the awaited approval
      daemon.await(() -> posts(receiver, "run.completed").size() >= 2, 40);
      daemon.await(() -> !posts(receiver, "run.awaiting-approval").isEmpty(), 20);
      JsonNode completed = posts(receiver, "run.completed").get(0);
      assertThat(completed.path("playbook").asText()).isEqualTo(TAG);
      assertThat(completed.path("objects").asLong()).isEqualTo(3);
      assertThat(completed.path("succeeded").asLong()).isEqualTo(3);
      assertThat(completed.path("text").asText()).contains(TAG).contains("completed: 3 objects");
      JsonNode awaiting = posts(receiver, "run.awaiting-approval").get(0);
      assertThat(awaiting.path("text").asText())
          .contains(
              "awaits approval (3 objects): quarry confirm "
                  + awaiting.path("jobIds").get(0).asText());
      // and: the closed webhook was given up on, and no run failed for it
      assertThat(daemon.log()).contains("did not take run.completed of " + TAG);

      // when: the tagging playbook is removed and its last run has ended
      Files.delete(tag);
      daemon.await(() -> daemon.log().contains("tag.yaml: removed; unscheduled"), 10);
      daemon.await(
          () -> {
            List<JsonNode> runs = cli().runsOf(TAG);
            return runs.stream().allMatch(r -> r.path("status").asText().equals("completed"))
                && metric(get(base, "/metrics"), "quarry_runs_ended_total", TAG, "completed")
                    == runs.size()
                && posts(receiver, "run.completed").size() == runs.size();
          },
          30);
      int runs = cli().runsOf(TAG).size();

      // then: /metrics counts exactly the runs the store has, and their objects
      String metrics = get(base, "/metrics");
      assertThat(metric(metrics, "quarry_runs_started_total", TAG, null)).isEqualTo(runs);
      assertThat(metric(metrics, "quarry_objects_processed_total", TAG, null)).isEqualTo(3 * runs);
      assertThat(metric(metrics, "quarry_task_failures_total", TAG, null)).isZero();
      assertThat(metric(metrics, "quarry_run_duration_seconds_count", TAG, "completed"))
          .isEqualTo(runs);
      assertThat(metric(metrics, "quarry_runs_ended_total", "tag-confirmed", "awaiting-approval"))
          .isEqualTo(1);

      // and: /health says what runs and what is broken
      JsonNode health = Json.MAPPER.readTree(get(base, "/health"));
      assertThat(health.path("status").asText()).isEqualTo("ok");
      assertThat(health.path("scheduler").asText()).isEqualTo("running");
      assertThat(health.path("runStore").asText()).isEqualTo("reachable");
      assertThat(health.path("playbooks").path("scheduled").toString())
          .isEqualTo("[\"confirmed.yaml\"]");
      assertThat(health.path("playbooks").path("broken").toString()).isEqualTo("[\"broken.yaml\"]");

      // and: a run's report page is served
      String id = cli().runsOf(TAG).get(0).path("id").asText();
      HttpResponse<String> report = fetch(base, "/runs/" + id + "/report");
      assertThat(report.statusCode()).as(report.body()).isEqualTo(200);
      assertThat(report.body()).startsWith("<!DOCTYPE html>").contains("3");
      assertThat(fetch(base, "/runs/no-such-run/report").statusCode()).isEqualTo(404);

      // and: the status page, in a real browser, shows every run with the counts of quarry runs
      Chromium chromium = Chromium.find(dir).orElse(null);
      assumeTrue(chromium != null, "chromium is not installed (apt-get install -y chromium)");
      Chromium.Result page = chromium.run(base + "/", "--dump-dom");
      assertThat(page.console()).as(page.err()).isEmpty();
      Document dom = Jsoup.parse(page.out());
      JsonNode all = cli().runs();
      assertThat(dom.select("#runs tbody tr")).hasSize(all.size());
      for (JsonNode run : all) {
        Element row = dom.selectFirst("tr[data-run=" + run.path("id").asText() + "]");
        assertThat(row).as(run.toString()).isNotNull();
        assertThat(row.selectFirst(".status").text()).isEqualTo(run.path("status").asText());
        assertThat(row.selectFirst(".objects").text()).isEqualTo(run.path("objects").asText());
        assertThat(row.selectFirst(".succeeded").text()).isEqualTo(run.path("succeeded").asText());
        assertThat(row.selectFirst(".failed").text()).isEqualTo(run.path("failed").asText());
        if (run.path("status").asText().equals("completed")) {
          assertThat(row.selectFirst("a.report").attr("href"))
              .isEqualTo("/runs/" + run.path("id").asText() + "/report");
        } else { // awaiting approval: no report yet, so no link to a page that cannot be shown
          assertThat(row.select("a.report")).isEmpty();
        }
      }
      Files.createDirectories(SCREENSHOT.getParent());
      Files.deleteIfExists(SCREENSHOT);
      chromium.run(
          base + "/", "--screenshot=" + SCREENSHOT.toAbsolutePath(), "--window-size=1280,800");
      assertThat(Files.size(SCREENSHOT)).isGreaterThan(5_000);

      // when: SIGTERM
      int exit = daemon.terminate();

      // then: it exits 0 and its port is closed
      assertThat(exit).as(daemon.log()).isZero();
      System.out.println(daemon.log());
    }
  }

  /** The value of {@code name} for {@code playbook} (and {@code status} when given). */
  private static double metric(String metrics, String name, String playbook, String status) {
    return metrics
        .lines()
        .filter(l -> l.startsWith(name + "{"))
        .filter(l -> l.contains("playbook=\"" + playbook + "\""))
        .filter(l -> status == null || l.contains("status=\"" + status + "\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .findFirst()
        .orElse(0);
  }

  private static List<JsonNode> posts(WebhookReceiver receiver, String event) {
    return receiver.posts().stream().filter(p -> p.path("event").asText().equals(event)).toList();
  }

  private String get(URI base, String path) {
    HttpResponse<String> response = fetch(base, path);
    assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
    return response.body();
  }

  private HttpResponse<String> fetch(URI base, String path) {
    try {
      return http.send(
          HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException e) {
      throw new AssertionError(path, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(path, e);
    }
  }

  private int port() {
    Matcher m =
        Pattern.compile("status page on http://127\\.0\\.0\\.1:(\\d+)/").matcher(daemon.log());
    return m.find() ? Integer.parseInt(m.group(1)) : -1;
  }

  private QuarryCli cli() {
    return new QuarryCli(server.endpoint(), dir, Map.of());
  }
}
