package dev.quarry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.action.TaskOutcome;
import dev.quarry.playbook.ReportSpec;
import dev.quarry.report.CompletionReportWriter;
import dev.quarry.report.ReportLocation;
import dev.quarry.report.TaskResult;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ReportCommandTest {
  private static final String JOB = "5078d22c-bad2-4ba8-82e2-3c120c719a38";

  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private CliContext context;

  @BeforeEach
  void report() {
    context =
        new CliContext(
            Map.of("QUARRY_STATE_DIR", dir.resolve("state").toString()),
            new PrintWriter(out, true),
            new PrintWriter(err, true),
            false);
    try (CompletionReportWriter writer =
        CompletionReportWriter.open(
            new ReportLocation.Local(dir.resolve("reports")), JOB, ReportSpec.Scope.ALL, null)) {
      writer.write(new TaskResult("photos", "a.jpg", null, TaskOutcome.succeeded("Successful")));
      writer.write(
          new TaskResult("photos", "gone 1.jpg", null, TaskOutcome.failed("NoSuchKey", 404, "x")));
      writer.write(
          new TaskResult(
              "photos", "line\nbreak.jpg", null, TaskOutcome.failed("NoSuchKey", 404, "x")));
      writer.write(
          new TaskResult("photos", "<b>.jpg", null, TaskOutcome.failed("AccessDenied", 403, "x")));
      writer.finish();
    }
  }

  private int quarry(ReportLocator locator, String... args) {
    CommandLine cli = new CommandLine(new ReportCommand(context, locator));
    cli.setOut(context.out());
    cli.setErr(context.err());
    return cli.execute(args);
  }

  private int quarry(String... args) {
    return quarry(ReportLocator.NONE, args);
  }

  @Test
  void printsTotalsThenFailuresByErrorCode() {
    // when
    int code = quarry("--location", dir.resolve("reports").toString(), JOB);

    // then
    assertThat(code).isZero();
    assertThat(out.toString())
        .isEqualTo(
            """
            Job %s: 4 tasks, 1 succeeded, 3 failed (25.0%% succeeded)
            Report: %s
            Duration: unknown (no job or run record here says when it ended)

            Failures by error code:
              NoSuchKey (HTTP 404): 2 tasks
                hint: no such key: the object was deleted after the query ran
                gone 1.jpg
                line\\nbreak.jpg
              AccessDenied (HTTP 403): 1 task
                hint: access denied: the job's role, the bucket policy or an SCP does not allow\
             this operation on these objects; see quarry iam-policy
                <b>.jpg

            Top prefixes:
              <b>.jpg: 1 task, 1 failed
              a.jpg: 1 task, 0 failed
              gone 1.jpg: 1 task, 1 failed
              line\\nbreak.jpg: 1 task, 1 failed

            Storage classes (source: none: neither the completion report nor the manifest\
             records a storage class):
              (unknown): 4 tasks, 3 failed
            """
                .formatted(JOB, dir.resolve("reports/job-" + JOB + "/manifest.json")));
  }

  @Test
  void printsTheReviewAsJson() throws Exception {
    // when
    int code =
        quarry(
            "--location",
            dir.resolve("reports").toString(),
            JOB,
            "--output",
            "json",
            "--examples",
            "1");

    // then
    assertThat(code).isZero();
    JsonNode json = Json.MAPPER.readTree(out.toString());
    JsonNode review = json.get("review");
    assertThat(review.get("tasks").asLong()).isEqualTo(4);
    assertThat(review.get("failed").asLong()).isEqualTo(3);
    JsonNode first = review.get("failures").get(0);
    assertThat(first.get("errorCode").asText()).isEqualTo("NoSuchKey");
    assertThat(first.get("httpStatus").asInt()).isEqualTo(404);
    assertThat(first.get("count").asLong()).isEqualTo(2);
    assertThat(first.get("exampleKeys")).hasSize(1);
    assertThat(first.get("exampleKeys").get(0).asText()).isEqualTo("gone 1.jpg");
  }

  @Test
  void writesTheRetryManifestAndHtml() throws Exception {
    // given
    Path retry = dir.resolve("retry.csv");
    Path html = dir.resolve("report.html");

    // when
    int code =
        quarry(
            "--location",
            dir.resolve("reports").toString(),
            JOB,
            "--failed-manifest",
            retry.toString(),
            "--html",
            html.toString());

    // then
    assertThat(code).isZero();
    assertThat(Files.readString(retry))
        .isEqualTo("photos,gone%201.jpg\nphotos,line%0Abreak.jpg\nphotos,%3Cb%3E.jpg\n");
    // the key is JSON-escaped data the page's script renders as text, never markup
    assertThat(Files.readString(html)).contains("\\u003cb\\u003e.jpg").doesNotContain("<b>.jpg");
    assertThat(out.toString()).contains("Retry manifest: " + retry + " (3 rows)");
  }

  @Test
  void asksTheLocatorWhenNoLocationIsGiven() {
    // when
    int code = quarry(job -> Optional.of(new ReportLocation.Local(dir.resolve("reports"))), JOB);

    // then
    assertThat(code).isZero();
    assertThat(out.toString()).startsWith("Job " + JOB + ": 4 tasks");
  }

  @Test
  void anUnknownLocalJobWithoutLocationSaysWhatIsMissing() {
    // when
    int code =
        QuarryCommand.execute(
            context, "report", JOB, "--state-dir", dir.resolve("state").toString());

    // then
    assertThat(code).isEqualTo(2);
    assertThat(err.toString())
        .contains("no run or job " + JOB + " with a report (see quarry runs, quarry jobs)")
        .contains("give --location");
  }
}
