package dev.quarry.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.sandbox.LocalS3Server.Listener;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SandboxStateTest {
  @TempDir Path dir;

  @Test
  void roundTripsThroughTheStateFile() {
    // given
    SandboxState state =
        state(ProcessHandle.current().pid(), null, URI.create("http://127.0.0.1:1"));

    // when
    state.write(dir);

    // then
    assertThat(SandboxState.read(dir)).contains(state);
    assertThat(dir).isDirectoryNotContaining("glob:**.tmp");
  }

  @Test
  void noEndpointWithoutAStateFile() {
    assertThat(SandboxState.runningEndpoint(dir.resolve("missing"))).isEmpty();
  }

  @Test
  void noEndpointForAnUnreadableStateFile() throws IOException {
    // given
    Files.writeString(SandboxState.file(dir), "{ not json");

    // then
    assertThat(SandboxState.read(dir)).isEmpty();
    assertThat(SandboxState.runningEndpoint(dir)).isEmpty();
  }

  @Test
  void noEndpointWhenTheProcessIsGone() throws Exception {
    // given
    Process ended = new ProcessBuilder("true").start();
    ended.waitFor();
    state(ended.pid(), null, URI.create("http://127.0.0.1:1")).write(dir);

    // then
    assertThat(SandboxState.runningEndpoint(dir)).isEmpty();
  }

  @Test
  void noEndpointWhenThePidBelongsToAnotherProcess() throws IOException {
    // given a live pid whose start time is not the recorded one, and an endpoint that answers
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      SandboxState state =
          state(
              ProcessHandle.current().pid(),
              Instant.parse("2001-01-01T00:00:00Z"),
              URI.create("http://127.0.0.1:" + socket.getLocalPort()));
      state.write(dir);

      // then
      assertThat(state.processAlive()).isFalse();
      assertThat(state.pidReused()).isTrue();
      assertThat(SandboxState.runningEndpoint(dir)).isEmpty();
    }
  }

  @Test
  void noEndpointWhenTheProcessLivesButNothingAnswers() throws IOException {
    // given
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    state(ProcessHandle.current().pid(), null, URI.create("http://127.0.0.1:" + closedPort))
        .write(dir);

    // then
    assertThat(SandboxState.read(dir).orElseThrow().processAlive()).isTrue();
    assertThat(SandboxState.runningEndpoint(dir)).isEmpty();
  }

  private static SandboxState state(long pid, Instant processStart, URI endpoint) {
    return new SandboxState(
        "s3mock",
        pid,
        processStart,
        endpoint,
        List.of(new Listener("127.0.0.1", endpoint.getPort(), "S3 API")),
        Instant.parse("2025-06-11T10:00:00Z"),
        "/tmp/store",
        "/tmp/s3mock.log",
        null,
        null);
  }
}
