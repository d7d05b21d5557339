package dev.quarry.job.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.quarry.app.ReviewReport;
import dev.quarry.job.JobRecord;
import dev.quarry.job.JobRequest;
import dev.quarry.job.JobStatus;
import dev.quarry.job.ProgressListener;
import dev.quarry.manifest.Manifest;
import dev.quarry.manifest.ManifestWriter;
import dev.quarry.playbook.ActionSpec;
import dev.quarry.playbook.ReportSpec;
import dev.quarry.query.ObjectRow;
import dev.quarry.report.CompletionReportReader;
import dev.quarry.report.ReportAnalysis;
import dev.quarry.report.ReportLocation;
import dev.quarry.testing.S3Servers;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.StorageClass;

/**
 * The review of a report the local executor wrote against moto (faithful archive-tier errors), read
 * back through the use case {@code quarry report} calls, odd keys included.
 */
class ReviewLocalReportIT {
  @TempDir Path dir;

  private final S3Client s3 = S3Servers.client(S3Servers.moto());

  @Test
  void reviewsWhatTheLocalExecutorReported() {
    // given: a job over a hot object, an archived one and one that is gone, with odd keys
    String bucket = S3Servers.createVersionedBucket(s3, "review");
    String hot = "photos/a b+c,\"é\".txt";
    String cold = "archive/<cold>&.txt";
    s3.putObject(b -> b.bucket(bucket).key(hot), RequestBody.fromString("hot"));
    s3.putObject(
        b -> b.bucket(bucket).key(cold).storageClass(StorageClass.GLACIER),
        RequestBody.fromString("cold"));
    Manifest manifest;
    try (ManifestWriter writer = ManifestWriter.open(dir.resolve("manifest.csv"), false)) {
      writer.write(new ObjectRow(bucket, hot, null, null, null));
      writer.write(new ObjectRow(bucket, cold, null, null, null));
      writer.write(new ObjectRow(bucket, "photos/gone.txt", null, null, null));
      manifest = writer.finish();
    }
    LocalBatchJobs jobs =
        LocalBatchJobs.create(dir.resolve("state"), s3, LocalBatchJobs.Settings.defaults());
    JobRecord submitted =
        jobs.submit(
            new JobRequest(
                "run-review",
                "reencrypt",
                "run-review",
                "test",
                10,
                new ActionSpec(
                    "reencrypt",
                    JsonNodeFactory.instance
                        .objectNode()
                        .put("type", "reencrypt")
                        .put("sse", "AES256")),
                new JobRequest.ManifestRef(
                    manifest.file(),
                    "S3BatchOperations_CSV_20180820",
                    manifest.etag(),
                    manifest.fields()),
                new JobRequest.Report(
                    true, new ReportLocation.Local(dir.resolve("report")), ReportSpec.Scope.ALL),
                false));
    JobRecord job = jobs.execute(submitted.jobId(), ProgressListener.NONE);
    assertThat(job.status()).isEqualTo(JobStatus.COMPLETE);
    ReviewReport review =
        new ReviewReport(
            id -> Optional.empty(),
            id -> Optional.of(job),
            id -> job.report(),
            (where, id, rows) -> CompletionReportReader.read(where, id, null, rows));

    // when
    ReportAnalysis a = review.review(job.jobId(), 10, r -> {}).analysis();

    // then: the figures the job record counted, the archive failure explained
    assertThat(a.tasks()).isEqualTo(job.progress().totalNumberOfTasks()).isEqualTo(3);
    assertThat(a.succeeded()).isEqualTo(job.progress().numberOfTasksSucceeded()).isEqualTo(1);
    assertThat(a.failures())
        .anySatisfy(
            g -> {
              assertThat(g.errorCode()).isEqualTo("ObjectNotInActiveTierError");
              assertThat(g.hint()).hasValueSatisfying(h -> assertThat(h).startsWith("archived"));
            });
    assertThat(a.failedTasks())
        .extracting(ReportAnalysis.FailedTask::key)
        .containsExactlyInAnyOrder(cold, "photos/gone.txt");
    assertThat(a.prefixes())
        .containsExactly(
            new ReportAnalysis.Group("photos/", 2, 1, 1),
            new ReportAnalysis.Group("archive/", 1, 0, 1));
    assertThat(a.duration()).isPresent();
    assertThat(a.timeline().get(a.timeline().size() - 1))
        .satisfies(
            p -> {
              assertThat(p.status()).isEqualTo("Complete");
              assertThat(p.tasksDone()).isEqualTo(3);
            });
  }
}
