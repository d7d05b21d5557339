package dev.quarry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.testing.TestWarehouse;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@code quarry run} ends when no task succeeds: its exit code, its progress on stderr (stdout
 * stays one JSON document), and {@code quarry report} writing a report that is missing. The
 * endpoint is a loopback port where nothing listens, so every task fails with no answer.
 */
class RunEndTest {
  @TempDir Path dir;

  private StringWriter out = new StringWriter();
  private StringWriter err = new StringWriter();
  private Path stateDir;

  @BeforeEach
  void warehouse() throws Exception {
    stateDir = dir.resolve("state");
    try (TestWarehouse warehouse = new TestWarehouse(stateDir.resolve("warehouse"))) {
      warehouse.inventory(
          "b_logs",
          """
          SELECT * FROM (VALUES
            ('logs', 'app/1.log', 'v1', '01', false, 100, 'STANDARD'),
            ('logs', 'app/2.log', 'v1', '02', false, 300, 'STANDARD')
          ) AS t(bucket, key, version_id, sequence_number, is_delete_marker, size, storage_class)
          """);
    }
  }

  private int quarry(String... args) {
    out = new StringWriter();
    err = new StringWriter();
    CliContext context =
        new CliContext(
            Map.of("QUARRY_MANIFESTS_DIR", dir.resolve("manifests").toString()),
            new PrintWriter(out, true),
            new PrintWriter(err, true),
            false);
    String[] all = new String[args.length + 4];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--state-dir";
    all[args.length + 1] = stateDir.toString();
    all[args.length + 2] = "--s3-endpoint";
    all[args.length + 3] = "http://127.0.0.1:9";
    return QuarryCommand.execute(context, all);
  }

  @Test
  void aRunWhereNoTaskSucceededExitsAsAnExternalErrorWithItsProgressOnStderr() throws Exception {
    // given
    Path file =
        Files.writeString(
            dir.resolve("playbook.yaml"),
            """
            name: tag-all
            query: SELECT bucket, key FROM inventory
            action: { type: put-tags, tags: { a: b } }
            """);

    // when
    int code = quarry("run", file.toString(), "--yes", "--output", "json");

    // then: exit 3, stdout is the one JSON document, the progress went to stderr
    assertThat(code).as(err.toString()).isEqualTo(3);
    JsonNode job = Json.MAPPER.readTree(out.toString()).path("job");
    assertThat(job.path("progress").path("numberOfTasksFailed").asLong()).isEqualTo(2);
    assertThat(job.path("progress").path("numberOfTasksSucceeded").asLong()).isZero();
    String jobId = job.path("jobId").asText();
    assertThat(err.toString())
        .contains("quarry: job " + jobId + "  Active")
        .contains("quarry: job " + jobId + "  Complete");

    // when: the report is lost, quarry report writes it again from the job's outcomes
    Path reportDir;
    try (Stream<Path> found = Files.walk(dir.resolve("manifests"))) {
      reportDir =
          found.filter(p -> p.getFileName().toString().equals("job-" + jobId)).findFirst().get();
    }
    try (Stream<Path> files = Files.walk(reportDir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    int report = quarry("report", jobId, "--output", "json");

    // then
    assertThat(report).as(err.toString()).isZero();
    assertThat(err.toString()).contains("the completion report was missing");
    JsonNode review = Json.MAPPER.readTree(out.toString()).path("review");
    assertThat(review.toString()).contains("SdkClientException", "app/1.log");
  }
}
