package dev.quarry.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.action.TaskOutcome;
import dev.quarry.playbook.ReportSpec;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks what the writer puts on disk against the format as AWS documents and writes it, with a
 * reader of its own (Jackson and Commons CSV), not {@link CompletionReportReader}.
 *
 * <p>The column order follows AWS's published rows, which put the HTTP status before the error code
 * although manifest.json's ReportSchema names them the other way round:
 *
 * <ul>
 *   <li>https://docs.aws.amazon.com/AmazonS3/latest/userguide/batch-ops-examples-reports.html: a
 *       failed Lambda task {@code
 *       awsexamplebucket1,image_14975,,failed,200,PermanentFailure,"Lambda returned function error:
 *       ..."} next to {@code "ReportSchema": "Bucket, Key, VersionId, TaskStatus, ErrorCode,
 *       HTTPStatusCode, ResultMessage"}.
 *   <li>https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshooting-batch-operations.html:
 *       {@code BUCKET_NAME,prefix/file_name,failed,400,InvalidRequest,Task failed due to missing
 *       VersionId}.
 *   <li>https://github.com/linz/topo-workflows (README, restore workflow), a real restore job's
 *       report: {@code linz-topographic-archive,pfouquet/sub/directory/AS21.tiff.zst,886twyul...,
 *       succeeded,200,,Successful}, its manifest.json dated {@code 2025-07-20T21:18:22.395320681Z}.
 * </ul>
 */
class CompletionReportWriterTest {
  private static final String JOB = "f8fb9d89-a3aa-461d-bddc-ea6a1b131955";
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2019-04-05T17:48:39.725Z"), ZoneOffset.UTC);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private CompletionReport write(ReportSpec.Scope scope, TaskResult... results) {
    try (CompletionReportWriter writer =
        CompletionReportWriter.open(new ReportLocation.Local(dir), JOB, scope, null, CLOCK)) {
      for (TaskResult result : results) {
        writer.write(result);
      }
      return writer.finish();
    }
  }

  private static TaskResult succeeded(String bucket, String key, String version) {
    return new TaskResult(bucket, key, version, TaskOutcome.succeeded("Successful"));
  }

  private static TaskResult failed(String key, String code, int status, String message) {
    return new TaskResult("photos", key, null, TaskOutcome.failed(code, status, message));
  }

  @Test
  void writesTheLayoutManifestAndRowsAsAwsDoes() throws Exception {
    // given
    TaskResult[] results = {
      succeeded("photos", "2019/a b.jpg", "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY"),
      failed("x+y,z.jpg", "NoSuchKey", 404, "The specified key does not exist."),
      failed("q\"uote.jpg", "AccessDenied", 403, "Access Denied, \"really\""),
      succeeded("photos", "ü/ö.jpg", "v2"),
    };

    // when
    CompletionReport report = write(ReportSpec.Scope.ALL, results);

    // then: the folder holds manifest.json and one results file per status
    Path jobDir = dir.resolve("job-" + JOB);
    List<String> names;
    try (Stream<Path> files = Files.list(jobDir.resolve("results"))) {
      names = files.map(p -> p.getFileName().toString()).sorted().toList();
    }
    assertThat(names).hasSize(2).allMatch(n -> n.matches("[0-9a-f]{40}\\.csv"));
    try (Stream<Path> files = Files.list(jobDir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("manifest.json", "results");
    }

    // and: manifest.json has AWS's fields, names and value formats, in AWS's order
    JsonNode manifest = JSON.readTree(jobDir.resolve("manifest.json").toFile());
    assertThat(fieldNames(manifest))
        .containsExactly("Format", "ReportCreationDate", "Results", "ReportSchema");
    assertThat(manifest.get("Format").asText()).isEqualTo("Report_CSV_20180820");
    assertThat(manifest.get("ReportCreationDate").asText()).isEqualTo("2019-04-05T17:48:39.725Z");
    assertThat(manifest.get("ReportSchema").asText())
        .isEqualTo("Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage");
    List<String> succeededRows = null;
    List<String> failedRows = null;
    for (JsonNode result : manifest.get("Results")) {
      assertThat(fieldNames(result))
          .containsExactly("TaskExecutionStatus", "Bucket", "MD5Checksum", "Key");
      assertThat(result.get("Bucket").asText()).isEmpty();
      String key = result.get("Key").asText();
      assertThat(key).matches("job-" + JOB + "/results/[0-9a-f]{40}\\.csv");
      Path file = dir.resolve(key);
      assertThat(result.get("MD5Checksum").asText()).isEqualTo(md5(file));
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      switch (result.get("TaskExecutionStatus").asText()) {
        case "succeeded" -> succeededRows = lines;
        case "failed" -> failedRows = lines;
        default -> throw new AssertionError(result);
      }
    }

    // and: rows are Bucket, Key (encoded), VersionId, TaskStatus, HTTP status, error code, message
    assertThat(succeededRows)
        .containsExactly(
            "photos,2019/a%20b.jpg,3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY,succeeded,200,,Successful",
            "photos,%C3%BC/%C3%B6.jpg,v2,succeeded,200,,Successful");
    assertThat(failedRows)
        .containsExactly(
            "photos,x%2By%2Cz.jpg,,failed,404,NoSuchKey,The specified key does not exist.",
            "photos,q%22uote.jpg,,failed,403,AccessDenied,\"Access Denied, \"\"really\"\"\"");

    // and: what the writer says matches what is on disk
    assertThat(report.results()).hasSize(2);
    assertThat(report.manifestKey()).isEqualTo(jobDir.resolve("manifest.json").toString());
  }

  @Test
  void manifestJsonIsExactlyThis() throws Exception {
    // given
    TaskResult ok = succeeded("b", "k", null);

    // when
    CompletionReport report = write(ReportSpec.Scope.ALL, ok);

    // then
    Path jobDir = dir.resolve("job-" + JOB);
    String name = report.results().get(0).key();
    Path file = Path.of(name);
    assertThat(Files.readString(file)).isEqualTo("b,k,,succeeded,200,,Successful\n");
    assertThat(Files.readString(jobDir.resolve("manifest.json")))
        .isEqualTo(
            """
            {
              "Format" : "Report_CSV_20180820",
              "ReportCreationDate" : "2019-04-05T17:48:39.725Z",
              "Results" : [ {
                "TaskExecutionStatus" : "succeeded",
                "Bucket" : "",
                "MD5Checksum" : "%s",
                "Key" : "job-%s/results/%s"
              } ],
              "ReportSchema" : "Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage"
            }
            """
                .formatted(md5(file), JOB, file.getFileName()));
  }

  @Test
  void failedScopeWritesOnlyFailedTasks() throws Exception {
    // when
    CompletionReport report =
        write(
            ReportSpec.Scope.FAILED,
            succeeded("photos", "a.jpg", null),
            failed("b.jpg", "NoSuchKey", 404, "gone"),
            succeeded("photos", "c.jpg", null));

    // then
    assertThat(report.results())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.taskExecutionStatus()).isEqualTo(TaskOutcome.Status.FAILED);
              assertThat(Files.readString(Path.of(r.key())))
                  .isEqualTo("photos,b.jpg,,failed,404,NoSuchKey,gone\n");
            });
  }

  @Test
  void aReportWithNothingToListHasAManifestWithNoResults() throws Exception {
    // when
    CompletionReport report = write(ReportSpec.Scope.FAILED, succeeded("photos", "a.jpg", null));

    // then
    assertThat(report.results()).isEmpty();
    JsonNode manifest = JSON.readTree(dir.resolve("job-" + JOB + "/manifest.json").toFile());
    assertThat(manifest.get("Results")).isEmpty();
  }

  @Test
  void rowsParseAsSevenRfc4180Fields() throws Exception {
    // given: a message with a line break, a comma and quotes
    String message = "line one\nline two, \"quoted\"";

    // when
    CompletionReport report =
        write(ReportSpec.Scope.ALL, failed("k", "InternalError", 500, message));

    // then
    List<CSVRecord> records =
        CSVFormat.RFC4180
            .parse(new StringReader(Files.readString(Path.of(report.results().get(0).key()))))
            .getRecords();
    assertThat(records)
        .singleElement()
        .satisfies(
            r ->
                assertThat(r.toList())
                    .containsExactly("photos", "k", "", "failed", "500", "InternalError", message));
  }

  @Test
  void anAbandonedReportLeavesNothingBehind() throws Exception {
    // when
    try (CompletionReportWriter writer =
        CompletionReportWriter.open(
            new ReportLocation.Local(dir), JOB, ReportSpec.Scope.ALL, null, CLOCK)) {
      writer.write(succeeded("photos", "a.jpg", null));
    }

    // then
    try (Stream<Path> files = Files.walk(dir)) {
      assertThat(files.filter(Files::isRegularFile)).isEmpty();
    }
  }

  @Test
  void refusesAJobIdThatIsAPath() {
    assertThatThrownBy(
            () ->
                CompletionReportWriter.open(
                    new ReportLocation.Local(dir), "../x", ReportSpec.Scope.ALL, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a job id");
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static String md5(Path file) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("MD5").digest(Files.readAllBytes(file)));
  }
}
