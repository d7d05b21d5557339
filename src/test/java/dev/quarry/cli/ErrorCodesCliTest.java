package dev.quarry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failures of the machine, caused for real, are reported with their codes (exit 3), not as bugs:
 * the code is what a script matches, in the text and in {@code --output json}.
 */
class ErrorCodesCliTest {
  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private final CliContext context =
      new CliContext(Map.of(), new PrintWriter(out, true), new PrintWriter(err, true), false);
  private Path mounted;

  @AfterEach
  void unmount() throws Exception {
    if (mounted != null) {
      new ProcessBuilder("umount", "-l", mounted.toString()).inheritIO().start().waitFor();
    }
  }

  @Test
  void aControlServerPortHeldByAnotherProcessIsPortInUse() throws Exception {
    // given: the port is taken first
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      // when
      int code =
          QuarryCommand.execute(
              context,
              "sandbox",
              "control-server",
              "--port",
              Integer.toString(taken.getLocalPort()),
              "--s3-endpoint",
              "http://127.0.0.1:9",
              "--state-dir",
              dir.resolve("state").toString(),
              "--output",
              "json");

      // then
      assertThat(code).as(err.toString()).isEqualTo(3);
      assertThat(error().path("code").asText()).isEqualTo("PORT_IN_USE");
      assertThat(error().path("kind").asText()).isEqualTo("external");
      assertThat(err.toString()).startsWith("quarry: ").contains("[PORT_IN_USE]");
    }
  }

  @Test
  void anS3EndpointWhereNothingListensIsConnectionRefused() throws Exception {
    // given: a loopback port that was free a moment ago and is closed now
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }

    // when
    int code =
        QuarryCommand.execute(
            context,
            "metadata",
            "refresh",
            "--bucket",
            "nothing-here",
            "--s3-endpoint",
            "http://127.0.0.1:" + closed,
            "--state-dir",
            dir.resolve("state").toString(),
            "--output",
            "json");

    // then
    assertThat(code).as(err.toString()).isEqualTo(3);
    assertThat(error().path("code").asText()).isEqualTo("CONNECTION_REFUSED");
    assertThat(err.toString()).contains("[CONNECTION_REFUSED]");
  }

  @Test
  void aReadOnlyStateDirectoryIsStorageReadOnly() throws Exception {
    // given: the state directory on a read-only file system (mounting needs root)
    Path readOnly = Files.createDirectories(dir.resolve("ro"));
    assumeTrue(
        new ProcessBuilder(
                    "mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", readOnly.toString())
                .inheritIO()
                .start()
                .waitFor()
            == 0,
        "mounting a tmpfs needs root");
    mounted = readOnly;

    // when
    int code =
        QuarryCommand.execute(
            context,
            "metadata",
            "refresh",
            "--bucket",
            "starwatcher",
            "--s3-endpoint",
            "http://127.0.0.1:9",
            "--state-dir",
            readOnly.resolve("state").toString(),
            "--output",
            "json");

    // then
    assertThat(code).as(err.toString()).isEqualTo(3);
    assertThat(error().path("code").asText()).isEqualTo("STORAGE_READ_ONLY");
    assertThat(err.toString()).contains(readOnly.toString()).contains("[STORAGE_READ_ONLY]");
  }

  @Test
  void anUnknownActionIsActionUnknownInTextAndJson() throws Exception {
    // when
    int code = QuarryCommand.execute(context, "schema", "--action", "thaw", "--output", "json");

    // then
    assertThat(code).isEqualTo(2);
    assertThat(error().path("code").asText()).isEqualTo("ACTION_UNKNOWN");
    assertThat(error().path("kind").asText()).isEqualTo("user");
    assertThat(err.toString().lines().findFirst().orElseThrow()).endsWith("[ACTION_UNKNOWN]");
  }

  private JsonNode error() throws Exception {
    return new ObjectMapper().readTree(out.toString()).path("error");
  }
}
