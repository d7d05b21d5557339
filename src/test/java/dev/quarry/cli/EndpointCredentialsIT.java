package dev.quarry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.metadata.MetadataTables;
import dev.quarry.metadata.Warehouse;
import dev.quarry.sandbox.LocalS3Server;
import dev.quarry.testing.S3Servers;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Credentials written into an endpoint URL never reach a file Quarry writes or anything it prints:
 * state.json, {@code metadata status} (text and json), error messages, {@code doctor -o json}.
 */
class EndpointCredentialsIT {
  private static final String USER = "AKIAUSERPART";
  private static final String SECRET = "s3cr3t-PASSWORD";

  private final LocalS3Server server = S3Servers.s3mock();
  private final S3Client s3 = S3Servers.client(server);
  @TempDir Path stateDir;

  private String withCredentials(URI endpoint) {
    return endpoint.getScheme() + "://" + USER + ":" + SECRET + "@" + endpoint.getRawAuthority();
  }

  @Test
  void refreshStoresAndStatusShowsTheEndpointWithoutItsCredentials() throws IOException {
    // given
    String bucket = S3Servers.createVersionedBucket(s3, "secret");
    s3.putObject(b -> b.bucket(bucket).key("a"), RequestBody.fromString("x"));
    String endpoint = withCredentials(server.endpoint());

    // when
    Result refresh =
        run(
            Map.of(),
            "metadata",
            "refresh",
            "--bucket",
            bucket,
            "-o",
            "json",
            "--s3-endpoint",
            endpoint);
    Result text = run(Map.of(), "metadata", "status", "--s3-endpoint", endpoint);
    Result json = run(Map.of(), "metadata", "status", "-o", "json", "--s3-endpoint", endpoint);

    // then
    assertThat(refresh.code()).as(refresh.err()).isZero();
    String state =
        Files.readString(
            new Warehouse(stateDir.resolve("warehouse"))
                .stateFile(MetadataTables.namespace(bucket)));
    String shown = "http://***@" + server.endpoint().getRawAuthority();
    assertThat(state).contains(shown);
    assertThat(text.out()).contains(shown);
    assertThat(new ObjectMapper().readTree(json.out()).at("/namespaces/0/endpoint").asText())
        .isEqualTo(shown);
    for (Result r : List.of(refresh, text, json)) {
      assertNoCredentials(r.out() + r.err());
    }
    assertNoCredentials(state);
  }

  @Test
  void aStateWrittenWithCredentialsIsShownWithout() throws IOException {
    // given: a state.json as refreshes wrote it before endpoints were redacted
    String bucket = S3Servers.createVersionedBucket(s3, "legacy");
    s3.putObject(b -> b.bucket(bucket).key("a"), RequestBody.fromString("x"));
    assertThat(
            run(
                    Map.of(),
                    "metadata",
                    "refresh",
                    "--bucket",
                    bucket,
                    "--s3-endpoint",
                    server.endpoint().toString())
                .code())
        .isZero();
    Path stateFile =
        new Warehouse(stateDir.resolve("warehouse")).stateFile(MetadataTables.namespace(bucket));
    Files.writeString(
        stateFile,
        Files.readString(stateFile)
            .replace(server.endpoint().toString(), withCredentials(server.endpoint())));
    assertThat(Files.readString(stateFile)).contains(SECRET);

    // when
    Result text =
        run(Map.of(), "metadata", "status", "--s3-endpoint", server.endpoint().toString());
    Result json =
        run(
            Map.of(),
            "metadata",
            "status",
            "-o",
            "json",
            "--s3-endpoint",
            server.endpoint().toString());

    // then
    assertThat(text.out()).contains("http://***@");
    assertNoCredentials(text.out() + json.out());
  }

  @Test
  void errorMessagesQuoteTheEndpointWithoutItsCredentials() throws IOException {
    // given
    String reachable = withCredentials(server.endpoint());
    String unreachable = "http://" + USER + ":" + SECRET + "@127.0.0.1:" + closedPort();
    List<Result> results = new ArrayList<>();

    // when
    Result missing =
        run(
            Map.of(),
            "metadata",
            "refresh",
            "--bucket",
            S3Servers.newBucketName("absent"),
            "--s3-endpoint",
            reachable);
    Result missingJson =
        run(
            Map.of(),
            "metadata",
            "refresh",
            "--bucket",
            S3Servers.newBucketName("absent"),
            "-o",
            "json",
            "--s3-endpoint",
            reachable);
    Result down =
        run(Map.of(), "metadata", "refresh", "--bucket", "down", "--s3-endpoint", unreachable);
    Result notAUrl =
        run(
            Map.of(),
            "metadata",
            "status",
            "--s3-endpoint",
            "http://" + USER + ":" + SECRET + "@127.0.0.1:x:y");
    results.addAll(List.of(missing, missingJson, down, notAUrl));

    // then
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err())
        .contains("not found at http://***@" + server.endpoint().getRawAuthority());
    assertThat(missingJson.out()).contains("not found at http://***@");
    assertThat(down.code()).as(down.err()).isEqualTo(3);
    assertThat(down.err()).contains("cannot reach http://***@127.0.0.1:");
    assertThat(notAUrl.code()).isEqualTo(2);
    assertThat(notAUrl.err()).contains("is not a URL");
    for (Result r : results) {
      assertNoCredentials(r.out() + r.err());
    }
  }

  @Test
  void doctorJsonShowsTheEndpointWithoutItsCredentials() throws IOException {
    // given
    Map<String, String> reachable =
        Map.of(
            "QUARRY_S3_ENDPOINT",
            withCredentials(server.endpoint()),
            "QUARRY_STATE_DIR",
            stateDir.toString());
    Map<String, String> unreachable =
        Map.of(
            "QUARRY_S3_ENDPOINT",
            "http://" + USER + ":" + SECRET + "@127.0.0.1:" + closedPort(),
            "QUARRY_STATE_DIR",
            stateDir.toString());

    // when
    Result up = run(reachable, "doctor", "-o", "json");
    Result down = run(unreachable, "doctor", "-o", "json");

    // then
    JsonNode upChecks = new ObjectMapper().readTree(up.out()).path("checks");
    assertThat(upChecks.toString()).contains("http://***@" + server.endpoint().getRawAuthority());
    assertThat(new ObjectMapper().readTree(down.out()).path("checks").toString())
        .contains("cannot reach http://***@127.0.0.1:");
    assertNoCredentials(up.out() + up.err() + down.out() + down.err());
  }

  private static void assertNoCredentials(String text) {
    assertThat(text).doesNotContain(SECRET).doesNotContain(USER);
  }

  private record Result(int code, String out, String err) {}

  private Result run(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all = new ArrayList<>(List.of(args));
    if (!env.containsKey("QUARRY_STATE_DIR")) {
      all.addAll(List.of("--state-dir", stateDir.toString()));
    }
    int code =
        QuarryCommand.execute(
            new CliContext(env, new PrintWriter(out), new PrintWriter(err), false),
            all.toArray(String[]::new));
    return new Result(code, out.toString(), err.toString());
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
