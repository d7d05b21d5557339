package dev.quarry.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.error.QuarryException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerProcessTest {
  @TempDir Path dir;

  private void startDying(String output, Path log) {
    Process process =
        ServerProcess.start(List.of("sh", "-c", "echo '" + output + "'; exit 1"), Map.of(), log);
    ServerProcess.awaitHttp(
        process, URI.create("http://127.0.0.1:9/"), Duration.ofSeconds(10), log);
  }

  @Test
  void aServerThatLostItsPortIsStartedAgainAtMostThreeTimes() {
    // given a server that dies each time because its port is taken
    Path log = dir.resolve("taken.log");
    AtomicInteger starts = new AtomicInteger();

    // when
    assertThatThrownBy(
            () ->
                ServerProcess.retryingTakenPorts(
                    () -> {
                      starts.incrementAndGet();
                      startDying("java.net.BindException: Address already in use", log);
                      return null;
                    }))
        // then
        .isInstanceOf(ServerProcess.PortTaken.class)
        .hasMessageContaining("Address already in use");
    assertThat(starts).hasValue(3);
  }

  @Test
  void anyOtherFailureIsNotRetried() {
    // given
    Path log = dir.resolve("broken.log");
    AtomicInteger starts = new AtomicInteger();

    // when
    assertThatThrownBy(
            () ->
                ServerProcess.retryingTakenPorts(
                    () -> {
                      starts.incrementAndGet();
                      startDying("Error: Unable to access jarfile s3mock.jar", log);
                      return null;
                    }))
        // then
        .isInstanceOf(QuarryException.class)
        .isNotInstanceOf(ServerProcess.PortTaken.class)
        .hasMessageContaining("Unable to access jarfile");
    assertThat(starts).hasValue(1);
  }
}
