package dev.quarry.cli;

import static dev.quarry.cli.SandboxCommandIT.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.cli.SandboxCommandIT.Result;
import dev.quarry.testing.ListeningSockets;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.endpoints.Endpoint;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3control.S3ControlClient;

/** {@code sandbox up} also runs the S3 Control endpoint; status shows it, down stops it. */
class SandboxControlIT {
  @TempDir Path stateDir;

  private final List<Long> started = new ArrayList<>();

  @AfterEach
  void stopLeftovers() {
    // a failed assertion must not leave servers running after the build
    started.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
  }

  @Test
  void upStartsTheControlEndpointStatusShowsItAndDownStopsIt() throws Exception {
    // when
    Result up = run("sandbox", "up", "--state-dir", stateDir.toString(), "-o", "json");

    // then
    assertThat(up.code()).as(up.err()).isZero();
    started.add(up.json().get("pid").asLong());
    long controlPid = up.json().at("/s3control/pid").asLong();
    started.add(controlPid);
    assertThat(ProcessHandle.of(controlPid)).get().matches(ProcessHandle::isAlive);
    // every endpoint of the sandbox listens on loopback only
    assertThat(ListeningSockets.of(up.json().get("pid").asLong()))
        .isNotEmpty()
        .allMatch(ListeningSockets.Socket::loopback);
    assertThat(ListeningSockets.of(controlPid))
        .isNotEmpty()
        .allMatch(ListeningSockets.Socket::loopback);
    // and its state, which holds its key, is the user's alone
    assertThat(mode(stateDir)).isEqualTo("rwx------");
    assertThat(mode(stateDir.resolve("sandbox"))).isEqualTo("rwx------");
    assertThat(mode(stateDir.resolve("sandbox").resolve("state.json"))).isEqualTo("rw-------");

    // when
    Result status = run("sandbox", "status", "--state-dir", stateDir.toString(), "-o", "json");

    // then the control URL is among the endpoints, and it answers the real SDK
    assertThat(status.code()).as(status.err()).isZero();
    JsonNode view = status.json();
    URI control = URI.create(view.at("/endpoints/s3control").asText());
    assertThat(control.getHost()).isEqualTo("127.0.0.1");
    assertThat(view.at("/s3control/running").asBoolean()).isTrue();
    AwsBasicCredentials key =
        AwsBasicCredentials.create(
            view.at("/credentials/accessKeyId").asText(),
            view.at("/credentials/secretAccessKey").asText());
    try (S3ControlClient client = client(control, key)) {
      assertThat(client.listJobs(b -> b.accountId("111122223333")).jobs()).isEmpty();
    }
    Result text = run("sandbox", "status", "--state-dir", stateDir.toString());
    assertThat(text.out()).contains("S3 Control", control.toString());

    // when
    Result down = run("sandbox", "down", "--state-dir", stateDir.toString(), "--purge");

    // then
    assertThat(down.code()).as(down.err()).isZero();
    assertThat(ProcessHandle.of(controlPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }

  @Test
  void upHelpSaysHowTheAwsCliAndBoto3ReachTheControlEndpoint() {
    // when
    Result help = run("sandbox", "up", "--help");

    // then
    assertThat(help.code()).isZero();
    assertThat(help.out()).contains("S3 Control", "AWS CLI / boto3", "endpointProvider");
  }

  private static String mode(java.nio.file.Path path) throws java.io.IOException {
    return java.nio.file.attribute.PosixFilePermissions.toString(
        java.nio.file.Files.getPosixFilePermissions(path));
  }

  private static S3ControlClient client(URI uri, AwsBasicCredentials key) {
    return S3ControlClient.builder()
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(key))
        .endpointProvider(
            params -> CompletableFuture.completedFuture(Endpoint.builder().url(uri).build()))
        .build();
  }
}
