package dev.quarry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.config.QuarryConfig;
import dev.quarry.config.S3Clients;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/** The sandbox's life cycle through the CLI, in process: up, status, up again, seed, down. */
class SandboxCommandIT {
  @TempDir Path stateDir;

  private Long startedPid;

  @AfterEach
  void stopLeftovers() {
    // a failed assertion must not leave a server running after the build
    if (startedPid != null) {
      ProcessHandle.of(startedPid).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  void upStatusIdempotentUpSeedDownStatus() throws Exception {
    // when
    Result up =
        run(
            "sandbox",
            "up",
            "--server",
            "s3mock",
            "--state-dir",
            stateDir.toString(),
            "-o",
            "json");

    // then the server runs detached from this command and answers S3
    assertThat(up.code()).as(up.err()).isZero();
    JsonNode started = up.json();
    startedPid = started.get("pid").asLong();
    assertThat(started.get("alreadyRunning").asBoolean()).isFalse();
    assertThat(ProcessHandle.of(startedPid)).get().matches(ProcessHandle::isAlive);
    assertThat(Files.exists(stateDir.resolve("sandbox/state.json"))).isTrue();

    // when
    Result status = run("sandbox", "status", "--state-dir", stateDir.toString(), "-o", "json");

    // then
    assertThat(status.code()).as(status.err()).isZero();
    JsonNode running = status.json();
    URI endpoint = URI.create(running.at("/endpoints/s3").asText());
    assertThat(running.get("running").asBoolean()).isTrue();
    assertThat(running.get("kind").asText()).isEqualTo("s3mock");
    assertThat(running.get("pid").asLong()).isEqualTo(startedPid);
    assertThat(endpoint.getHost()).isEqualTo("127.0.0.1");
    // S3Mock's extra http.port connector too is on loopback now (it used to be 0.0.0.0)
    assertThat(running.get("listeners").findValuesAsText("address"))
        .containsExactly("127.0.0.1", "127.0.0.1");
    assertThat(running.get("listeners").get(0).get("port").asInt()).isEqualTo(endpoint.getPort());
    assertThat(running.get("knownGaps").size()).isPositive();
    assertThat(running.get("buckets").asInt()).isZero();
    try (S3Client s3 = S3Clients.create(config(endpoint), 1)) {
      assertThat(s3.listBuckets().buckets()).isEmpty();
    }

    // when
    Result again =
        run(
            "sandbox",
            "up",
            "--server",
            "s3mock",
            "--state-dir",
            stateDir.toString(),
            "-o",
            "json");

    // then
    assertThat(again.code()).isZero();
    assertThat(again.json().get("alreadyRunning").asBoolean()).isTrue();
    assertThat(again.json().get("pid").asLong()).isEqualTo(startedPid);

    // when seeding without an endpoint, the running sandbox is found
    Result seed =
        run("sandbox", "seed", "--state-dir", stateDir.toString(), "--objects", "60", "-o", "json");

    // then
    assertThat(seed.code()).as(seed.err()).isZero();
    assertThat(seed.json().get("objects").asInt()).isEqualTo(60);
    try (S3Client s3 = S3Clients.create(config(endpoint), 1)) {
      assertThat(s3.listBuckets().buckets())
          .extracting(b -> b.name())
          .containsExactlyInAnyOrder("starwatcher", "quarry-jobs");
    }

    // when
    Result down = run("sandbox", "down", "--state-dir", stateDir.toString());

    // then
    assertThat(down.code()).as(down.err()).isZero();
    assertThat(down.out()).contains("Stopped the s3mock sandbox (pid " + startedPid + ")");
    assertThat(ProcessHandle.of(startedPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(Files.exists(stateDir.resolve("sandbox/state.json"))).isFalse();
    assertThat(Files.isDirectory(stateDir.resolve("sandbox/s3mock-store"))).isTrue();

    // when
    Result stopped = run("sandbox", "status", "--state-dir", stateDir.toString(), "-o", "json");
    Result downAgain = run("sandbox", "down", "--state-dir", stateDir.toString(), "--purge");

    // then
    assertThat(stopped.code()).isZero();
    assertThat(stopped.json().get("running").asBoolean()).isFalse();
    assertThat(downAgain.code()).isZero();
    assertThat(downAgain.out()).contains("Nothing to stop");
    assertThat(Files.exists(stateDir.resolve("sandbox/s3mock-store"))).isFalse();
  }

  @Test
  void seedWithoutAnyEndpointIsAUserError() {
    // when
    Result seed = run("sandbox", "seed", "--state-dir", stateDir.toString());

    // then
    assertThat(seed.code()).isEqualTo(2);
    assertThat(seed.err()).contains("quarry sandbox up");
  }

  @Test
  void helpShowsExamples() {
    for (String sub : new String[] {"up", "seed", "status", "down"}) {
      Result help = run("sandbox", sub, "--help");
      assertThat(help.code()).isZero();
      assertThat(help.out()).contains("Examples:", "quarry sandbox " + sub);
    }
  }

  private static QuarryConfig config(URI endpoint) {
    return new QuarryConfig(
        "test",
        Path.of("unused"),
        Path.of("unused"),
        Optional.of(endpoint),
        "us-east-1",
        Optional.empty(),
        "embedded",
        "local");
  }

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        QuarryCommand.execute(
            new CliContext(Map.of(), new PrintWriter(out), new PrintWriter(err), false), args);
    return new Result(code, out.toString(), err.toString());
  }

  record Result(int code, String out, String err) {
    JsonNode json() {
      try {
        return Json.MAPPER.readTree(out);
      } catch (Exception e) {
        throw new AssertionError("not JSON: " + out + "\nstderr: " + err, e);
      }
    }
  }
}
