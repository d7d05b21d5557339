package dev.quarry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.sandbox.LocalS3Server;
import dev.quarry.testing.S3Servers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The packaged jar's progress as a person and a log see it: under a pseudo-terminal ({@code script}
 * from util-linux) a bar with count, rate and time left, redrawn in place; without one, plain
 * lines; and with {@code --output json}, stdout holds the JSON alone either way.
 */
class ProgressIT {
  private static final Path JAR = Path.of(System.getProperty("quarry.jar", "target/quarry.jar"));
  private static final int OBJECTS = 200;

  @TempDir static Path work;

  private static LocalS3Server server;
  private static String bucket;

  @BeforeAll
  static void bucketWithObjects() {
    server = S3Servers.s3mock();
    S3Client s3 = S3Servers.client(server);
    bucket = S3Servers.createVersionedBucket(s3, "progress");
    IntStream.range(0, OBJECTS)
        .parallel()
        .forEach(
            i ->
                s3.putObject(
                    b -> b.bucket(bucket).key("logs/" + i + ".log"), RequestBody.fromString("x")));
  }

  @Test
  void aTerminalSeesBarsForTheRefreshAndTheJobAndStdoutStaysJson() throws Exception {
    // when: a refresh and a run under a pseudo-terminal, the run's stdout sent to a file
    Path json = work.resolve("run.json");
    String refresh = underTerminal(quarry("metadata", "refresh", "--bucket", bucket));
    String run =
        underTerminal(
            quarry("run", playbook().toString(), "--yes", "--output", "json") + " > " + json);

    // then: bars with percentage, count, rate, redrawn with carriage returns (the rate is the
    // bar library's "?" while less than a second has passed: since S3Mock's readers share one
    // snapshot, a refresh of these 200 objects can end within its first second)
    assertThat(refresh)
        .contains("\r")
        .containsPattern(
            "refresh "
                + bucket
                + "\\s+100% \\[=+\\] "
                + OBJECTS
                + "/"
                + OBJECTS
                + " objects \\(\\d+:\\d\\d:\\d\\d / \\d+:\\d\\d:\\d\\d\\)"
                + " (?:[\\d.]+|\\?) objects/s")
        .doesNotContain("quarry: refresh");
    assertThat(run)
        .containsPattern(
            "job [0-9a-f]{8}\\s+100% \\[=+\\] "
                + OBJECTS
                + "/"
                + OBJECTS
                + " tasks .* tasks/s Complete")
        .doesNotContain("quarry: job");
    JsonNode result = Json.MAPPER.readTree(Files.readString(json));
    assertThat(result.toString()).contains("\"numberOfTasksSucceeded\":" + OBJECTS);
  }

  @Test
  void withoutATerminalProgressIsPlainLinesOnStderrAndStdoutIsJson() throws Exception {
    // when: the same commands, stdout and stderr apart, no terminal
    Result refresh =
        plain(
            List.of(
                "metadata",
                "refresh",
                "--bucket",
                bucket,
                "--concurrency",
                "2",
                "--output",
                "json"));
    Result run = plain(List.of("run", playbook().toString(), "--yes", "--output", "json"));

    // then: lines a log can keep, no bar; stdout parses as JSON
    assertThat(refresh.err())
        .contains("quarry: refresh " + bucket + "  ")
        .doesNotContain("\r")
        .doesNotContain("%");
    assertThat(Json.MAPPER.readTree(refresh.out()).get("versions").asLong())
        .isGreaterThanOrEqualTo(OBJECTS);
    assertThat(run.err())
        .containsPattern("quarry: job [0-9a-f-]{36}  Complete\\s+" + String.format("%,d", OBJECTS))
        .doesNotContain("\r")
        .doesNotContain("%");
    assertThat(Json.MAPPER.readTree(run.out()).toString())
        .contains("\"numberOfTasksSucceeded\":" + OBJECTS);
  }

  private static Path playbook() throws Exception {
    Path file = work.resolve("tag-logs.yaml");
    Files.writeString(
        file,
        """
        name: tag-logs
        bucket: %s
        query: SELECT bucket, key FROM inventory WHERE key LIKE 'logs/%%'
        action:
          type: put-tags
          tags: { seen: "yes" }
        """
            .formatted(bucket));
    return file;
  }

  private static List<String> command(List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(JAR.toAbsolutePath().toString());
    command.addAll(args);
    command.addAll(
        List.of(
            "--s3-endpoint",
            server.endpoint().toString(),
            "--state-dir",
            work.resolve("state").toString()));
    return command;
  }

  private static String quarry(String... args) {
    return command(List.of(args)).stream().map(a -> "'" + a + "'").collect(Collectors.joining(" "));
  }

  /** Everything the terminal shows while {@code shellCommand} runs under {@code script}. */
  private static String underTerminal(String shellCommand) throws Exception {
    Process p =
        environment(new ProcessBuilder("script", "-qec", shellCommand, "/dev/null"))
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.PIPE)
            .start();
    String shown = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(shown).isZero();
    return shown;
  }

  private record Result(String out, String err) {}

  private static Result plain(List<String> args) throws Exception {
    Path out = Files.createTempFile(work, "out-", ".txt");
    Path err = Files.createTempFile(work, "err-", ".txt");
    Process p =
        environment(new ProcessBuilder(command(args)))
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
    Result result = new Result(Files.readString(out), Files.readString(err));
    assertThat(p.exitValue()).as(result.toString()).isZero();
    return result;
  }

  private static ProcessBuilder environment(ProcessBuilder builder) {
    builder.directory(work.toFile());
    builder.environment().put("QUARRY_MANIFESTS_DIR", work.resolve("manifests").toString());
    builder.environment().remove("COLUMNS");
    return builder;
  }
}
