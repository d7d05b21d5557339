package dev.quarry.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.action.TaskOutcome;
import dev.quarry.error.QuarryException;
import dev.quarry.playbook.ReportSpec;
import dev.quarry.testing.S3Servers;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/** A report in a bucket of the shared S3Mock: written, listed, encrypted, read back. */
class CompletionReportS3IT {
  private static final String JOB = "9a8b7c6d-0000-4000-8000-000000000001";

  private final S3Client s3 = S3Servers.client(S3Servers.s3mock());

  private CompletionReport write(String bucket, List<TaskResult> results) {
    try (CompletionReportWriter writer =
        CompletionReportWriter.open(
            new ReportLocation.S3(bucket, "reports/batch"), JOB, ReportSpec.Scope.ALL, s3)) {
      results.forEach(writer::write);
      return writer.finish();
    }
  }

  @Test
  void writesAReportToABucketAndReadsItBack() {
    // given
    String bucket = S3Servers.newBucketName("report");
    s3.createBucket(b -> b.bucket(bucket));
    List<TaskResult> written =
        List.of(
            new TaskResult("photos", "a b/ü+1.jpg", "v1", TaskOutcome.succeeded("Successful")),
            new TaskResult("photos", "c,d\".jpg", null, TaskOutcome.failed("NoSuchKey", 404, "x")));

    // when
    CompletionReport report = write(bucket, written);
    List<TaskResult> read = new ArrayList<>();
    CompletionReport listed =
        CompletionReportReader.read(
            new ReportLocation.S3(bucket, "reports/batch"), JOB, s3, read::add);

    // then: AWS's layout under the prefix
    List<String> keys =
        s3.listObjectsV2(b -> b.bucket(bucket)).contents().stream().map(S3Object::key).toList();
    assertThat(keys)
        .hasSize(3)
        .contains("reports/batch/job-" + JOB + "/manifest.json")
        .filteredOn(k -> k.contains("/results/"))
        .allMatch(k -> k.matches("reports/batch/job-" + JOB + "/results/[0-9a-f]{40}\\.csv"));
    assertThat(report.manifestKey()).isEqualTo("reports/batch/job-" + JOB + "/manifest.json");

    // and: every object is SSE-S3, as AWS writes reports
    for (String key : keys) {
      assertThat(s3.headObject(b -> b.bucket(bucket).key(key)).serverSideEncryption())
          .as(key)
          .isEqualTo(ServerSideEncryption.AES256);
    }

    // and: the reader sees what was written and what the manifest lists
    assertThat(read).containsExactlyInAnyOrderElementsOf(written);
    assertThat(listed.results()).isEqualTo(report.results());
  }

  @Test
  void aReplacedResultsObjectIsDetected() {
    // given
    String bucket = S3Servers.newBucketName("report");
    s3.createBucket(b -> b.bucket(bucket));
    CompletionReport report =
        write(
            bucket,
            List.of(new TaskResult("photos", "a", null, TaskOutcome.succeeded("Successful"))));
    String key = report.results().get(0).key();
    s3.putObject(
        b -> b.bucket(bucket).key(key),
        RequestBody.fromString("photos,b,,succeeded,200,,Successful\n"));

    // when / then
    assertThatThrownBy(
            () ->
                CompletionReportReader.read(
                    new ReportLocation.S3(bucket, "reports/batch"), JOB, s3, row -> {}))
        .isInstanceOf(QuarryException.class)
        .hasMessageContaining("s3://" + bucket + "/" + key)
        .hasMessageContaining("MD5");
  }
}
