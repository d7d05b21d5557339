package dev.quarry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.action.TaskOutcome;
import dev.quarry.playbook.ReportSpec;
import dev.quarry.report.CompletionReportWriter;
import dev.quarry.report.ReportLocation;
import dev.quarry.report.TaskResult;
import dev.quarry.run.RunPhase;
import dev.quarry.run.RunRecord;
import dev.quarry.run.RunStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
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

  private static final String JOB2 = "6a1f0c3e-2b4d-4e8f-9a0b-1c2d3e4f5a6b";

  /** A finished run of {@code playbook} whose one job is {@code job}, in the profile's store. */
  private void storeRun(String runId, String playbook, String job, long seconds) {
    Instant t0 = Instant.parse("2026-11-30T10:00:00Z");
    try (RunStore store = Composition.runStore(context.config(new GlobalOptions()))) {
      store.save(
          RunRecord.planned(
                  runId,
                  playbook,
                  "-",
                  Map.of(),
                  "embedded",
                  new RunRecord.Manifest("m.csv", "e", 4),
                  t0)
              .withJob(job)
              .withOutcome(
                  new RunRecord.Counts(4, 1, 3),
                  Optional.of(dir.resolve("reports/job-" + job + "/manifest.json").toString()),
                  Optional.empty())
              .enter(RunPhase.COMPLETED, t0.plusSeconds(seconds)));
    }
  }

  @Test
  void aRunIdResolvesThroughTheRunStore() throws Exception {
    // given: the run's job is not known here; the run record's report path is enough
    storeRun("run-1", "tidy", JOB, 8);

    // when
    int code = quarry("run-1", "--output", "json");

    // then
    assertThat(code).isZero();
    JsonNode analysis = Json.MAPPER.readTree(out.toString()).get("analysis");
    assertThat(analysis.get("subject").asText()).isEqualTo("run-1");
    assertThat(analysis.get("jobIds").get(0).asText()).isEqualTo(JOB);
    assertThat(analysis.get("tasks").asLong()).isEqualTo(4);
    assertThat(analysis.get("durationSeconds").asDouble()).isEqualTo(8.0);
    assertThat(analysis.get("tasksPerSecond").asDouble()).isEqualTo(0.5);
    assertThat(analysis.get("failures").get(0).get("hint").asText()).startsWith("no such key");
  }

  @Test
  void listsTheFailedKeysDecodedAsCsv() {
    // when
    int code =
        quarry("--location", dir.resolve("reports").toString(), JOB, "--failed", "--output", "csv");

    // then
    assertThat(code).isZero();
    assertThat(out.toString())
        .isEqualTo(
            "bucket,key,versionId,errorCode,httpStatus,message\r\n"
                + "photos,gone 1.jpg,,NoSuchKey,404,x\r\n"
                + "photos,\"line\nbreak.jpg\",,NoSuchKey,404,x\r\n"
                + "photos,<b>.jpg,,AccessDenied,403,x\r\n");
  }

  @Test
  void comparesTwoRunsOfOnePlaybook() {
    // given: a later run where only one task failed
    try (CompletionReportWriter writer =
        CompletionReportWriter.open(
            new ReportLocation.Local(dir.resolve("reports")), JOB2, ReportSpec.Scope.ALL, null)) {
      for (String key : new String[] {"a.jpg", "gone 1.jpg", "line\nbreak.jpg"}) {
        writer.write(new TaskResult("photos", key, null, TaskOutcome.succeeded("Successful")));
      }
      writer.write(
          new TaskResult("photos", "<b>.jpg", null, TaskOutcome.failed("AccessDenied", 403, "x")));
      writer.finish();
    }
    storeRun("run-1", "tidy", JOB, 8);
    storeRun("run-2", "tidy", JOB2, 5);

    // when
    int code = quarry("--compare", "run-1", "run-2");

    // then
    assertThat(code).isZero();
    assertThat(out.toString())
        .contains("Comparing run-1 (a) with run-2 (b)")
        .contains("  succeeded             1          3         +2")
        .contains("  failed                3          1         -2")
        .contains("  duration          8.0 s      5.0 s     -3.0 s")
        .contains("  NoSuchKey (HTTP 404): 2 -> 0 (-2)")
        .contains("  AccessDenied (HTTP 403): 1 -> 1 (+0)");
  }

  @Test
  void refusesToCompareRunsOfTwoPlaybooks() {
    // given
    storeRun("run-1", "tidy", JOB, 8);
    storeRun("run-3", "other", JOB, 8);

    // when
    int code =
        QuarryCommand.execute(
            context,
            "report",
            "--compare",
            "run-1",
            "run-3",
            "--state-dir",
            dir.resolve("state").toString());

    // then
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("compare two runs of one playbook");
  }
}
