package dev.quarry.job.local;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.quarry.app.ManifestInfo;
import dev.quarry.job.JobRequest;
import dev.quarry.manifest.Manifest;
import dev.quarry.manifest.ManifestWriter;
import dev.quarry.playbook.ActionSpec;
import dev.quarry.playbook.ReportSpec;
import dev.quarry.query.ObjectRow;
import dev.quarry.report.CompletionReport;
import dev.quarry.report.ReportLocation;
import dev.quarry.report.TaskResult;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** Manifests, requests and executors for the local executor's tests. */
final class JobFixture {
  /** Fast settings: short backoff and polling, small chunks (larger for idempotent actions). */
  static final LocalBatchJobs.Settings SETTINGS =
      new LocalBatchJobs.Settings(
          4, 5, 10, 3, Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(20));

  private JobFixture() {}

  /** A manifest of {@code rows} keys {@code k0000, k0001, ...} in bucket "b". */
  static Manifest manifest(Path dir, int rows) {
    try (ManifestWriter writer = ManifestWriter.open(dir.resolve("manifest.csv"), false)) {
      for (int i = 0; i < rows; i++) {
        writer.write(new ObjectRow("b", key(i), null, null, null));
      }
      return writer.finish();
    }
  }

  static String key(int i) {
    return String.format("k%04d", i);
  }

  static JobRequest request(String runId, Manifest manifest, Path reportDir, boolean confirm) {
    return new JobRequest(
        JobRequest.tokenFor(runId),
        "fake-playbook",
        runId,
        "a test job",
        10,
        new ActionSpec("fake", JsonNodeFactory.instance.objectNode().put("type", "fake")),
        new JobRequest.ManifestRef(
            manifest.file(), ManifestInfo.FORMAT, manifest.etag(), manifest.fields()),
        new JobRequest.Report(true, new ReportLocation.Local(reportDir), ReportSpec.Scope.ALL),
        confirm);
  }

  static S3Client unusedS3() {
    return S3Client.builder()
        .region(Region.US_EAST_1)
        .credentialsProvider(AnonymousCredentialsProvider.create())
        .build();
  }

  static LocalBatchJobs jobs(
      Path root, FakeAction action, CompletionReports reports, LocalBatchJobs.Settings settings) {
    return new LocalBatchJobs(
        root, unusedS3(), spec -> action, reports, settings, Clock.systemUTC());
  }

  /** Keeps every report "written", with all its rows. */
  static final class RecordingReports implements CompletionReports {
    final List<TaskResult> rows = new CopyOnWriteArrayList<>();
    final List<String> jobs = new CopyOnWriteArrayList<>();

    @Override
    public CompletionReport write(
        ReportLocation location,
        String jobId,
        ReportSpec.Scope scope,
        java.util.function.Consumer<java.util.function.Consumer<TaskResult>> results) {
      jobs.add(jobId);
      results.accept(rows::add);
      return new CompletionReport(jobId, location, "job-" + jobId + "/manifest.json", List.of());
    }
  }
}
