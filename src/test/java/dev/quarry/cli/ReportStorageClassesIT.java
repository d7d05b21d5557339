package dev.quarry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.manifest.StorageClassFile;
import dev.quarry.sandbox.LocalS3Server;
import dev.quarry.testing.S3Servers;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.StorageClass;

/**
 * {@code quarry report}'s breakdown by storage class after a real local run on moto: the classes
 * are the ones the plan knew (the inventory's, or the query's own column), since completion reports
 * carry none; a run planned without the plan's file says so and counts {@code (unknown)}.
 */
class ReportStorageClassesIT {
  @TempDir Path dir;

  private final LocalS3Server server = S3Servers.moto();
  private final S3Client s3 = S3Servers.client(server);

  /**
   * The first query lets DuckDB write the manifest (classes joined from the inventory); the second
   * gives sizes as text, which the streamed path reads row by row.
   */
  @ParameterizedTest(autoCloseArguments = false)
  @ValueSource(
      strings = {
        "SELECT bucket, key FROM \"b_%s\".\"inventory\"",
        "SELECT bucket, key, CAST(size AS VARCHAR) AS size, storage_class"
            + " FROM \"b_%s\".\"inventory\""
      })
  void theReviewCountsTasksByTheClassesThePlanKnew(String query) throws Exception {
    // given: objects in three storage classes, tagged by a real local run
    String bucket = S3Servers.createVersionedBucket(s3, "classes");
    put(bucket, "hot/1", StorageClass.STANDARD);
    put(bucket, "hot/2", StorageClass.STANDARD);
    put(bucket, "warm/a b+c.txt", StorageClass.STANDARD_IA);
    put(bucket, "cold/1", StorageClass.GLACIER);
    assertThat(quarry("metadata", "refresh", "--bucket", bucket).code()).isZero();
    Path playbook =
        Files.writeString(
            dir.resolve("tag.yaml"),
            """
            name: tag-classes
            query: '%s'
            action: { type: put-tags, tags: { checked: "yes" } }
            """
                .formatted(query.formatted(bucket).replace("'", "''")));
    Result run = quarry("run", playbook.toString(), "--yes");
    assertThat(run.code()).as(run.err()).isZero();
    String runId =
        Json.MAPPER
            .readTree(quarry("runs", "-o", "json").out())
            .path("runs")
            .get(0)
            .path("id")
            .asText();

    // when
    JsonNode analysis = analysis(runId);

    // then: every task under the class the plan saw
    assertThat(classes(analysis))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("STANDARD", 2L, "STANDARD_IA", 1L, "GLACIER", 1L));
    assertThat(analysis.path("storageClassSource").asText()).contains("the plan of run " + runId);

    // when: the run had been planned before the plan kept its classes
    JsonNode shown =
        Json.MAPPER.readTree(quarry("runs", "show", runId, "-o", "json").out()).path("run");
    Path manifest = Path.of(shown.path("manifest").path("location").asText());
    Files.delete(StorageClassFile.beside(manifest));
    JsonNode old = analysis(runId);

    // then: unknown, and said why
    assertThat(classes(old)).containsExactly(Map.entry("(unknown)", 4L));
    assertThat(old.path("storageClassSource").asText())
        .startsWith("none: run " + runId)
        .contains(StorageClassFile.NAME);
  }

  private void put(String bucket, String key, StorageClass storageClass) {
    s3.putObject(
        b -> b.bucket(bucket).key(key).storageClass(storageClass), RequestBody.fromString("x"));
  }

  private JsonNode analysis(String runId) throws Exception {
    Result report = quarry("report", runId, "-o", "json");
    assertThat(report.code()).as(report.err()).isZero();
    return Json.MAPPER.readTree(report.out()).path("analysis");
  }

  private static Map<String, Long> classes(JsonNode analysis) {
    Map<String, Long> out = new HashMap<>();
    analysis
        .path("storageClasses")
        .forEach(g -> out.put(g.path("name").asText(), g.path("tasks").asLong()));
    return out;
  }

  private record Result(int code, String out, String err) {}

  private Result quarry(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] all = new String[args.length + 4];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--s3-endpoint";
    all[args.length + 1] = server.endpoint().toString();
    all[args.length + 2] = "--state-dir";
    all[args.length + 3] = dir.resolve("state").toString();
    int code =
        QuarryCommand.execute(
            new CliContext(
                Map.of("QUARRY_MANIFESTS_DIR", dir.resolve("manifests").toString()),
                new PrintWriter(out, true),
                new PrintWriter(err, true),
                false),
            all);
    return new Result(code, out.toString(), err.toString());
  }
}
