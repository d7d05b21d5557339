package dev.quarry.monitor;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Posts each {@link RunEvent} as JSON to every webhook: Slack's incoming-webhook shape ({@code
 * text}), plus the event's fields for a script ({@code event}, {@code playbook}, {@code run},
 * {@code jobIds}, {@code status}, {@code objects}, {@code succeeded}, {@code failed}, {@code
 * detail}, {@code at}).
 *
 * <p>A delivery gets {@link #TIMEOUT} per attempt and {@link #ATTEMPTS} attempts (a connection
 * failure or a 5xx/429 is tried again after a short pause; another 4xx is not: it will not get
 * better). A delivery that still fails is logged and dropped: a chat that is down must never fail
 * or hold up a run beyond that bound.
 *
 * <pre>{@code
 * Webhooks hooks = new Webhooks(List.of(URI.create("https://hooks.slack.com/services/...")), log);
 * hooks.publish(event);
 * }</pre>
 */
public final class Webhooks {
  static final Duration TIMEOUT = Duration.ofSeconds(5);
  static final int ATTEMPTS = 3;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<URI> urls;
  private final Consumer<String> log;
  private final Duration pause;
  private final HttpClient http;

  public Webhooks(List<URI> urls, Consumer<String> log) {
    this(urls, log, Duration.ofMillis(500));
  }

  /**
   * @param pause before the second attempt; doubled before each later one
   */
  Webhooks(List<URI> urls, Consumer<String> log, Duration pause) {
    this.urls = List.copyOf(requireNonNull(urls, "urls is null"));
    this.log = requireNonNull(log, "log is null");
    this.pause = requireNonNull(pause, "pause is null");
    this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  }

  /** The webhook URLs are checked before the daemon starts: http(s) with a host. */
  public static URI url(String text) {
    URI uri;
    try {
      uri = URI.create(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--webhook " + text + " is not a URL: " + e.getMessage());
    }
    if (uri.getScheme() == null
        || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
        || uri.getHost() == null) {
      throw new IllegalArgumentException(
          "--webhook " + text + " must be an http:// or https:// URL with a host");
    }
    return uri;
  }

  /** Delivers {@code event} to each webhook in turn; returns once each delivered or gave up. */
  public void publish(RunEvent event) {
    String body = body(event);
    for (URI url : urls) {
      deliver(url, body, event);
    }
  }

  static String body(RunEvent event) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("text", event.text());
    json.put("event", event.kind().label());
    json.put("playbook", event.playbook());
    json.put("run", event.runId().orElse(null));
    json.put("jobIds", event.jobIds());
    json.put("status", event.status());
    json.put("objects", event.counts().objects());
    json.put("succeeded", event.counts().succeeded());
    json.put("failed", event.counts().failed());
    json.put("detail", event.detail().orElse(null));
    json.put("at", event.at().toString());
    try {
      return JSON.writeValueAsString(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a webhook's JSON", e);
    }
  }

  private void deliver(URI url, String body, RunEvent event) {
    HttpRequest request =
        HttpRequest.newBuilder(url)
            .timeout(TIMEOUT)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    String last = "";
    Duration wait = pause;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
        int status = response.statusCode();
        if (status / 100 == 2) {
          return;
        }
        last = "HTTP " + status;
        if (status / 100 == 4 && status != 429) {
          break;
        }
      } catch (IOException e) {
        last = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        last = "interrupted";
        break;
      }
      if (attempt < ATTEMPTS) {
        try {
          Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
        wait = wait.multipliedBy(2);
      }
    }
    // the URL's path is a Slack webhook's secret: only its host goes to the log
    log.accept(
        "webhook "
            + url.getScheme()
            + "://"
            + url.getAuthority()
            + " did not take "
            + event.kind().label()
            + " of "
            + event.playbook()
            + " ("
            + last
            + "); dropped");
  }
}
