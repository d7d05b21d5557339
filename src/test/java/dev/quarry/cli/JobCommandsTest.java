package dev.quarry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.testing.TestWarehouse;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code quarry run}, {@code jobs}, {@code job}, {@code cancel} up to the point where tasks would
 * run (the executor itself is tested in dev.quarry.job.local with a fake action).
 */
class JobCommandsTest {
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
            ('logs', 'app/2.log', 'v1', '02', false, 300, 'STANDARD'),
            ('logs', 'web/a b.log', 'v1', '03', false, 50, 'STANDARD')
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

  private Path playbook(String yaml) throws Exception {
    return Files.writeString(dir.resolve("playbook.yaml"), yaml);
  }

  @Test
  void runRefusesAPlaybookOverItsLimitAndSubmitsNothing() throws Exception {
    // given
    Path file =
        playbook(
            """
            name: tag-all
            query: SELECT bucket, key FROM inventory
            action: { type: put-tags, tags: { a: b } }
            limits: { max-objects: 2 }
            """);

    // when
    int code = quarry("run", file.toString(), "--yes");

    // then
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("[LIMIT_EXCEEDED]");
    assertThat(stateDir.resolve("jobs")).doesNotExist();
  }

  @Test
  void aJobNeedingConfirmationWaitsAndCanBeListedShownAndCancelled() throws Exception {
    // given: no terminal and no --yes
    Path file =
        playbook(
            """
            name: tag-all
            query: SELECT bucket, key FROM inventory
            action: { type: put-tags, tags: { a: b } }
            limits: { confirm: required }
            """);

    // when
    int run = quarry("run", file.toString());

    // then: the job waits, and says how to go on
    assertThat(run).as(err.toString()).isZero();
    Matcher id =
        Pattern.compile("waiting for confirmation: quarry confirm ([0-9a-f-]{36})")
            .matcher(out.toString());
    assertThat(id.find()).as(out.toString()).isTrue();
    String jobId = id.group(1);
    assertThat(out.toString()).contains("Job " + jobId + "  Suspended").contains("of 3");

    assertThat(quarry("jobs")).isZero();
    assertThat(out.toString())
        .containsPattern(jobId + "\\s+tag-all\\s+Suspended\\s+0/3")
        .startsWith("ID");

    assertThat(quarry("job", jobId)).isZero();
    assertThat(out.toString())
        .contains("playbook   tag-all")
        .containsPattern("New\\s*\\n.*Preparing\\s*\\n.*Suspended\\s+waiting for confirmation");

    assertThat(quarry("cancel", jobId)).as(err.toString()).isZero();
    assertThat(out.toString()).contains("Job " + jobId + "  Cancelled");

    assertThat(quarry("job", jobId, "--output", "json")).isZero();
    JsonNode job = Json.MAPPER.readTree(out.toString()).path("job");
    assertThat(job.path("status").asText()).isEqualTo("CANCELLED");
    assertThat(job.path("progress").path("totalNumberOfTasks").asLong()).isEqualTo(3);

    assertThat(quarry("cancel", jobId)).isEqualTo(2);
    assertThat(err.toString()).contains("has ended (Cancelled)");
  }

  @Test
  void anUnknownJobIsAUserError() {
    assertThat(quarry("job", "00000000-0000-0000-0000-000000000000")).isEqualTo(2);
    assertThat(err.toString()).contains("[JOB_NOT_FOUND]");
  }
}
