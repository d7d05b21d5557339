package dev.quarry.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.action.TaskOutcome;
import dev.quarry.error.ErrorKind;
import dev.quarry.error.QuarryException;
import dev.quarry.playbook.ReportSpec;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompletionReportReaderTest {
  private static final String JOB = "11111111-2222-3333-4444-555555555555";

  @TempDir Path dir;

  private static Path fixtures() throws URISyntaxException {
    return Path.of(CompletionReportReaderTest.class.getResource("aws").toURI());
  }

  private static List<TaskResult> read(ReportLocation location, String job) {
    List<TaskResult> rows = new ArrayList<>();
    CompletionReportReader.read(location, job, null, rows::add);
    return rows;
  }

  private CompletionReport write(List<TaskResult> results) {
    try (CompletionReportWriter writer =
        CompletionReportWriter.open(
            new ReportLocation.Local(dir), JOB, ReportSpec.Scope.ALL, null)) {
      results.forEach(writer::write);
      return writer.finish();
    }
  }

  @Test
  void oddKeysSurviveTheRoundTrip() {
    // given
    List<String> keys =
        List.of(
            "a b/c d.txt",
            "plus+sign",
            "100%/%20literal",
            "comma,separated,key",
            "quote\"d 'single'",
            "new\nline\r\nand tab\t",
            "ÄéøßЖ中文日本語\u00a0",
            "emoji/😀.png",
            "<script>&amp;",
            "x".repeat(1_000) + "/ü".repeat(8));
    assertThat(keys.get(keys.size() - 1).getBytes(java.nio.charset.StandardCharsets.UTF_8))
        .hasSize(1_024);
    List<TaskResult> written = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      written.add(
          i % 2 == 0
              ? new TaskResult("bucket", keys.get(i), "v" + i, TaskOutcome.succeeded("Successful"))
              : new TaskResult(
                  "bucket",
                  keys.get(i),
                  null,
                  TaskOutcome.failed("NoSuchKey", 404, "gone, \"x\"")));
    }

    // when
    write(written);
    List<TaskResult> read = read(new ReportLocation.Local(dir), JOB);

    // then
    assertThat(read).containsExactlyInAnyOrderElementsOf(written);
  }

  @Test
  void readsAReportAsAwsWritesIt() throws Exception {
    // given: a fixture built from AWS's documented examples (see CompletionReportWriterTest):
    // HTTP status fifth, a quoted Lambda message, CRLF line ends, no line end after the last row,
    // a ReportCreationDate with nanoseconds and keys that name the report bucket
    String job = "f8fb9d89-a3aa-461d-bddc-ea6a1b131955";
    List<TaskResult> rows = new ArrayList<>();

    // when
    CompletionReport report =
        CompletionReportReader.read(new ReportLocation.Local(fixtures()), job, null, rows::add);

    // then
    assertThat(report.results())
        .extracting(CompletionReport.ResultFile::taskExecutionStatus)
        .containsExactly(TaskOutcome.Status.SUCCEEDED, TaskOutcome.Status.FAILED);
    assertThat(report.results().get(0).key())
        .isEqualTo("job-" + job + "/results/6217b0fab0de85c408b4be96aeaca9b195a7daa5.csv");
    assertThat(rows)
        .containsExactly(
            new TaskResult(
                "awsexamplebucket1",
                "image_17775",
                null,
                TaskOutcome.succeeded(
                    "{u'CopySourceVersionId': '1', u'CopyObjectResult': {u'ETag':"
                        + " '\"d41d8cd98f00b204e9800998ecf8427e\"'}}")),
            new TaskResult(
                "awsexamplebucket1",
                "photos/2019/a b+c.jpg",
                "886twyul.uJ3wIF3zzQG8196hf_SOCCW",
                TaskOutcome.succeeded("Successful")),
            new TaskResult(
                "awsexamplebucket1",
                "image_14975",
                null,
                TaskOutcome.failed(
                    "PermanentFailure",
                    200,
                    "Lambda returned function error: {\"errorMessage\":\"Task timed out after 3.00"
                        + " seconds\"}")),
            new TaskResult(
                "awsexamplebucket1",
                "prefix/file_name",
                null,
                TaskOutcome.failed("InvalidRequest", 400, "Task failed due to missing VersionId")));
  }

  @Test
  void readsRowsInTheOrderReportSchemaNames() throws Exception {
    // given: the same fields with the error code fifth and the HTTP status sixth

    // when
    List<TaskResult> rows = read(new ReportLocation.Local(fixtures()), "0b1c2d3e-schema-order");

    // then
    assertThat(rows)
        .containsExactly(
            new TaskResult("awsexamplebucket1", "a.jpg", null, TaskOutcome.succeeded("Successful")),
            new TaskResult(
                "awsexamplebucket1",
                "b c.jpg",
                null,
                TaskOutcome.failed("NoSuchKey", 404, "The specified key does not exist.")));
  }

  @Test
  void aChangedResultsFileIsRefusedBeforeAnyOfItsRows() throws Exception {
    // given
    CompletionReport report =
        write(List.of(new TaskResult("b", "k", null, TaskOutcome.succeeded("Successful"))));
    Path file = Path.of(report.results().get(0).key());
    Files.writeString(file, "b,other,,succeeded,200,,Successful\n");
    List<TaskResult> rows = new ArrayList<>();

    // when / then
    assertThatThrownBy(
            () -> CompletionReportReader.read(new ReportLocation.Local(dir), JOB, null, rows::add))
        .isInstanceOf(QuarryException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("MD5");
    assertThat(rows).isEmpty();
  }

  @Test
  void aRowWithTheWrongFieldCountNamesFileAndLine() throws Exception {
    // given: line 3 has six fields; line 2 spans two lines of the file
    Path jobDir = dir.resolve("job-" + JOB);
    String csv =
        "b,k1,,succeeded,200,,Successful\n"
            + "b,k2,,failed,500,InternalError,\"two\nlines\"\n"
            + "b,k3,,succeeded,200,Successful\n";
    Path file = results(jobDir, csv);

    // when / then
    assertThatThrownBy(() -> read(new ReportLocation.Local(dir), JOB))
        .isInstanceOf(QuarryException.class)
        .hasMessageContaining(file + ":4: expected 7 fields, got 6")
        .satisfies(e -> assertThat(((QuarryException) e).kind()).isEqualTo(ErrorKind.EXTERNAL));
  }

  @Test
  void anUnknownTaskStatusNamesFileAndLine() throws Exception {
    Path file = results(dir.resolve("job-" + JOB), "b,k1,,maybe,200,,Successful\n");

    assertThatThrownBy(() -> read(new ReportLocation.Local(dir), JOB))
        .hasMessageContaining(file + ":1: unknown task status 'maybe'");
  }

  @Test
  void aMissingReportIsTheUsersError() {
    assertThatThrownBy(() -> read(new ReportLocation.Local(dir), "nope"))
        .isInstanceOf(QuarryException.class)
        .hasMessageContaining("no completion report for job nope")
        .satisfies(e -> assertThat(((QuarryException) e).kind()).isEqualTo(ErrorKind.USER));
  }

  @Test
  void aListedFileThatIsMissingIsNamed() throws Exception {
    // given
    CompletionReport report =
        write(List.of(new TaskResult("b", "k", null, TaskOutcome.succeeded("Successful"))));
    Files.delete(Path.of(report.results().get(0).key()));

    // when / then
    assertThatThrownBy(() -> read(new ReportLocation.Local(dir), JOB))
        .hasMessageContaining(report.results().get(0).key())
        .hasMessageContaining("missing");
  }

  @Test
  void aSpaceWrittenAsPlusReadsAsASpaceAndAnEncodedPlusAsAPlus() throws Exception {
    // given a report whose keys use both readings: AWS's Lambda task keys write a space as +,
    // its manifest examples as %20; Quarry's manifests never hold a bare +, so one is a space
    Path job = dir.resolve("reports/job-" + JOB);
    results(
        job,
        "b,dir/b+c.txt,,failed,404,NoSuchKey,gone\n"
            + "b,dir/b%20c.txt,,failed,404,NoSuchKey,gone\n"
            + "b,one%2Bone.txt,,failed,404,NoSuchKey,gone\n");

    // when the failed rows become a retry manifest
    List<TaskResult> rows = read(new ReportLocation.Local(dir.resolve("reports")), JOB);
    Path retry = dir.resolve("retry.csv");
    try (RetryManifestWriter writer = new RetryManifestWriter(retry)) {
      rows.forEach(writer);
      writer.finish();
    }

    // then the retry manifest names the objects that exist, encoded as Quarry encodes keys
    assertThat(rows)
        .extracting(TaskResult::key)
        .containsExactly("dir/b c.txt", "dir/b c.txt", "one+one.txt");
    assertThat(Files.readAllLines(retry))
        .containsExactly("b,dir/b%20c.txt", "b,dir/b%20c.txt", "b,one%2Bone.txt");
  }

  /** A one-file report around {@code csv}, with the right MD5. */
  private static Path results(Path jobDir, String csv) throws Exception {
    Path file = jobDir.resolve("results/0123456789abcdef0123456789abcdef01234567.csv");
    Files.createDirectories(file.getParent());
    Files.writeString(file, csv);
    String md5 =
        java.util.HexFormat.of().formatHex(CompletionReportWriter.md5(Files.readAllBytes(file)));
    Files.writeString(
        jobDir.resolve("manifest.json"),
        """
        {"Format":"Report_CSV_20180820","ReportCreationDate":"2019-04-05T17:48:39.725Z",
         "Results":[{"TaskExecutionStatus":"succeeded","Bucket":"b","MD5Checksum":"%s",
                     "Key":"reports/%s/results/%s"}],
         "ReportSchema":"Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage"}
        """
            .formatted(md5, jobDir.getFileName(), file.getFileName()));
    return file;
  }
}
