package dev.quarry.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.run.RunRecord;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** {@link Webhooks} posting to a real HTTP server on loopback. */
class WebhooksTest {
  private static final RunEvent COMPLETED =
      new RunEvent(
          RunEvent.Kind.COMPLETED,
          "tag-uploads",
          Optional.of("20261201T100000Z-1a2b3c"),
          List.of("job-1"),
          "completed",
          new RunRecord.Counts(3, 2, 1),
          Optional.empty(),
          Instant.parse("2026-12-01T10:00:00Z"));

  private final List<String> log = new CopyOnWriteArrayList<>();

  @Test
  void postsSlacksTextAndTheFieldsAScriptReads() {
    try (WebhookReceiver receiver = new WebhookReceiver(0)) {
      // when
      new Webhooks(List.of(receiver.url()), log::add, Duration.ofMillis(10)).publish(COMPLETED);

      // then
      assertThat(receiver.posts()).hasSize(1);
      JsonNode post = receiver.posts().get(0);
      assertThat(post.path("text").asText())
          .isEqualTo(
              "tag-uploads run 20261201T100000Z-1a2b3c completed: 3 objects, 2 succeeded, 1"
                  + " failed");
      assertThat(post.path("event").asText()).isEqualTo("run.completed");
      assertThat(post.path("run").asText()).isEqualTo("20261201T100000Z-1a2b3c");
      assertThat(post.path("jobIds").get(0).asText()).isEqualTo("job-1");
      assertThat(post.path("objects").asLong()).isEqualTo(3);
      assertThat(post.path("failed").asLong()).isEqualTo(1);
      assertThat(log).isEmpty();
    }
  }

  @Test
  void triesAgainAfterA503AndIsTakenOnTheThirdAttempt() {
    try (WebhookReceiver receiver = new WebhookReceiver(2)) {
      // when
      new Webhooks(List.of(receiver.url()), log::add, Duration.ofMillis(10)).publish(COMPLETED);

      // then
      assertThat(receiver.attempts()).isEqualTo(3);
      assertThat(receiver.posts()).hasSize(1);
      assertThat(log).isEmpty();
    }
  }

  @Test
  void givesUpAfterThreeAttemptsLogsWithoutTheSecretPathAndReachesTheNextWebhook()
      throws Exception {
    // given: a webhook that always answers 503, one whose port is closed, and a good one
    URI closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/hook/secret");
    }
    try (WebhookReceiver down = new WebhookReceiver(Integer.MAX_VALUE);
        WebhookReceiver good = new WebhookReceiver(0)) {
      // when
      new Webhooks(List.of(down.url(), closed, good.url()), log::add, Duration.ofMillis(10))
          .publish(COMPLETED);

      // then: each bad one tried three times, logged, and the good one still got it
      assertThat(down.attempts()).isEqualTo(3);
      assertThat(good.posts()).hasSize(1);
      assertThat(log).hasSize(2).noneMatch(l -> l.contains("secret"));
      assertThat(log.get(0)).contains("HTTP 503").contains("run.completed of tag-uploads");
      assertThat(log.get(1)).contains("ConnectException");
    }
  }

  @Test
  void refusesAUrlThatIsNotHttp() {
    assertThatThrownBy(() -> Webhooks.url("ftp://example.com/x"))
        .hasMessageContaining("must be an http:// or https:// URL");
    assertThat(Webhooks.url("https://hooks.slack.com/services/T/B/X").getHost())
        .isEqualTo("hooks.slack.com");
  }
}
