package dev.quarry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.manifest.ManifestReader;
import dev.quarry.query.ObjectRow;
import dev.quarry.report.CompletionReportReader;
import dev.quarry.report.ReportLocation;
import dev.quarry.report.TaskResult;
import dev.quarry.sandbox.S3MockServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * The whole README quickstart ({@code bin/quickstart}): after it, the S3 server itself shows that
 * the re-encrypted objects are under SSE-KMS with the configured key, that the rolled-back objects
 * are readable again, and the completion reports list every task of their manifests.
 */
class QuickstartRunIT {
  @TempDir static Path work;

  private static QuickstartRunner quickstart;
  private static String output;

  @BeforeAll
  static void runQuickstart() throws Exception {
    quickstart = new QuickstartRunner(work);
    QuickstartRunner.Result result = quickstart.run("bin/quickstart");
    output = result.output();
    assertThat(result.exitCode()).as(output).isZero();
  }

  @AfterAll
  static void stopSandbox() throws Exception {
    quickstart.stopSandbox();
  }

  @Test
  void reencryptedObjectsAreUnderTheConfiguredKmsKey() throws Exception {
    // given the objects the re-encrypt job acted on
    Job job = Job.of(quickstart.manifests().resolve("reencrypt-to-kms"));
    assertThat(job.rows()).hasSizeGreaterThan(1000);
    S3Client s3 = quickstart.sandboxS3();

    // then every one of them is now SSE-KMS with the playbook's key
    for (ObjectRow row : job.rows()) {
      HeadObjectResponse head = s3.headObject(b -> b.bucket(row.bucket()).key(row.key()));
      assertThat(head.serverSideEncryption()).as(row.key()).isEqualTo(ServerSideEncryption.AWS_KMS);
      assertThat(head.ssekmsKeyId()).as(row.key()).endsWith(S3MockServer.DEMO_KMS_KEY_ID);
    }
    assertThat(job.results()).hasSameSizeAs(job.rows()).allMatch(r -> r.outcome().succeeded());
  }

  @Test
  void rolledBackObjectsAreReadableAgain() throws Exception {
    // given the delete markers the rollback job removed
    Job job = Job.of(quickstart.manifests().resolve("rollback-deletes"));
    assertThat(job.rows()).hasSize(100);
    S3Client s3 = quickstart.sandboxS3();

    // then each key's current version is an object again, and its marker is gone
    for (ObjectRow row : job.rows()) {
      byte[] body = s3.getObjectAsBytes(b -> b.bucket(row.bucket()).key(row.key())).asByteArray();
      assertThat(body).as(row.key()).isNotEmpty();
      assertThat(
              s3.listObjectVersions(b -> b.bucket(row.bucket()).prefix(row.key())).deleteMarkers())
          .as(row.key())
          .noneMatch(m -> m.key().equals(row.key()));
    }
    assertThat(job.results())
        .hasSameSizeAs(job.rows())
        .allMatch(r -> r.outcome().succeeded())
        // a Lambda job's report keeps the function's result string, as AWS's does
        .allMatch(r -> r.outcome().message().equals("delete marker removed"));
  }

  @Test
  void theTaggingJobRanThroughTheSandboxsS3ControlApiWithItsReportInS3() throws Exception {
    // given the job the quickstart submitted with executor s3control, and its manifest
    Matcher submitted =
        Pattern.compile("Submitted job (\\S+) for tag-untagged-logs").matcher(output);
    assertThat(submitted.find()).as(output).isTrue();
    String jobId = submitted.group(1);
    List<ObjectRow> rows = new ArrayList<>();
    try (Stream<Path> runs = Files.list(quickstart.manifests().resolve("tag-untagged-logs"))) {
      ManifestReader.read(runs.findFirst().orElseThrow().resolve("manifest.csv"), rows::add);
    }
    S3Client s3 = quickstart.sandboxS3();

    // then every log it selected is tagged, and the report in the jobs bucket lists each task
    assertThat(rows).isNotEmpty().allMatch(r -> r.key().startsWith("logs/"));
    for (ObjectRow row : rows) {
      assertThat(s3.getObjectTagging(b -> b.bucket(row.bucket()).key(row.key())).tagSet())
          .as(row.key())
          .extracting(t -> t.key() + "=" + t.value())
          .containsExactly("team=unassigned");
    }
    List<TaskResult> results = new ArrayList<>();
    CompletionReportReader.read(
        new ReportLocation.S3("quarry-jobs", "reports"), jobId, s3, results::add);
    assertThat(results)
        .hasSameSizeAs(rows)
        .allMatch(r -> r.outcome().succeeded())
        .extracting(TaskResult::key)
        .containsExactlyInAnyOrderElementsOf(rows.stream().map(ObjectRow::key).toList());
    assertThat(output).contains("Report: s3://quarry-jobs/reports/job-" + jobId + "/manifest.json");
  }

  @Test
  void showsReportsTheChangedStateAndThatNothingIsLeftToRollBack() {
    assertThat(output)
        .contains("Job ")
        .containsPattern("tasks\\s+1,1\\d\\d succeeded, 0 failed")
        .contains("100 tasks, 100 succeeded, 0 failed")
        .containsPattern("SSE-KMS\\s+\\|\\s+2,?\\d{3}");
    String replan = output.substring(output.indexOf("== plan again"));
    assertThat(replan)
        .containsPattern("Plan rollback-deletes[^\\n]*\\n(?:[^\\n]*\\n)*?\\s+objects\\s+0 ");
  }

  /** A job the quickstart ran: the manifest of the run that has a report, and that report. */
  private record Job(List<ObjectRow> rows, List<TaskResult> results) {
    static Job of(Path playbookManifests) throws Exception {
      Path run;
      try (Stream<Path> runs = Files.list(playbookManifests)) {
        run = runs.filter(Job::hasReports).findFirst().orElseThrow();
      }
      // one job per step: the run's folder, or its step-<n>/ folders when the plan was split
      List<Path> steps = new ArrayList<>();
      if (Files.isDirectory(run.resolve("report"))) {
        steps.add(run);
      }
      try (Stream<Path> parts = Files.list(run)) {
        parts
            .filter(p -> p.getFileName().toString().startsWith("step-"))
            .filter(p -> Files.isDirectory(p.resolve("report")))
            .sorted()
            .forEach(steps::add);
      }
      List<ObjectRow> rows = new ArrayList<>();
      List<TaskResult> results = new ArrayList<>();
      for (Path step : steps) {
        ManifestReader.read(step.resolve("manifest.csv"), rows::add);
        Path reportDir;
        try (Stream<Path> jobs = Files.list(step.resolve("report"))) {
          reportDir = jobs.findFirst().orElseThrow();
        }
        String jobId = reportDir.getFileName().toString().substring("job-".length());
        CompletionReportReader.read(
            new ReportLocation.Local(step.resolve("report")), jobId, null, results::add);
      }
      return new Job(rows, results);
    }

    private static boolean hasReports(Path run) {
      return Files.isDirectory(run.resolve("report"))
          || Files.isDirectory(run.resolve("step-1").resolve("report"));
    }
  }
}
