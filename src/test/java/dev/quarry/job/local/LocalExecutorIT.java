package dev.quarry.job.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quarry.action.TaskOutcome;
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
import dev.quarry.report.ReportLocation;
import dev.quarry.report.TaskResult;
import dev.quarry.testing.S3Servers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.StorageClass;

/**
 * The executor with the real actions and the real report writer against moto, whose archive-tier
 * errors are faithful: what each task did shows in the AWS-format completion report and in the
 * bucket.
 */
class LocalExecutorIT {
  @TempDir Path dir;

  private final S3Client s3 = S3Servers.client(S3Servers.moto());

  @Test
  void aCopyOfAnArchivedObjectFailsInTheReportWhileTheOthersAreReencrypted() {
    // given
    String bucket = S3Servers.createVersionedBucket(s3, "exec");
    s3.putObject(b -> b.bucket(bucket).key("hot.txt"), RequestBody.fromString("hot"));
    s3.putObject(
        b -> b.bucket(bucket).key("cold.txt").storageClass(StorageClass.GLACIER),
        RequestBody.fromString("cold"));
    Manifest manifest =
        manifest(
            false,
            new ObjectRow(bucket, "hot.txt", null, null, null),
            new ObjectRow(bucket, "cold.txt", null, null, null));
    ObjectNode options =
        JsonNodeFactory.instance.objectNode().put("type", "reencrypt").put("sse", "AES256");

    // when
    JobRecord job = run("reencrypt", options, manifest);

    // then
    assertThat(job.status()).isEqualTo(JobStatus.COMPLETE);
    assertThat(job.progress().numberOfTasksSucceeded()).isEqualTo(1);
    assertThat(job.progress().numberOfTasksFailed()).isEqualTo(1);
    Map<String, TaskOutcome> report = report(job);
    assertThat(report.get("hot.txt").succeeded()).isTrue();
    assertThat(report.get("cold.txt").errorCode()).isEqualTo("ObjectNotInActiveTierError");
    assertThat(report.get("cold.txt").httpStatus()).isEqualTo(403);
    assertThat(s3.headObject(b -> b.bucket(bucket).key("hot.txt")).serverSideEncryption())
        .isEqualTo(ServerSideEncryption.AES256);
  }

  @Test
  void rollbackRemovesMarkersAndRefusesARealVersionWhichSurvives() {
    // given a deleted object (its marker) and a live one (a real version) in one manifest
    String bucket = S3Servers.createVersionedBucket(s3, "exec");
    s3.putObject(b -> b.bucket(bucket).key("gone.txt"), RequestBody.fromString("back"));
    s3.deleteObject(b -> b.bucket(bucket).key("gone.txt"));
    String marker =
        s3.listObjectVersions(b -> b.bucket(bucket).prefix("gone.txt"))
            .deleteMarkers()
            .get(0)
            .versionId();
    String real =
        s3.putObject(b -> b.bucket(bucket).key("kept.txt"), RequestBody.fromString("kept"))
            .versionId();
    Manifest manifest =
        manifest(
            true,
            new ObjectRow(bucket, "gone.txt", marker, null, null),
            new ObjectRow(bucket, "kept.txt", real, null, null));
    ObjectNode options = JsonNodeFactory.instance.objectNode().put("type", "rollback-deletes");

    // when
    JobRecord job = run("rollback-deletes", options, manifest);

    // then
    Map<String, TaskOutcome> report = report(job);
    // a Lambda job's report keeps the function's result string, as AWS's does
    assertThat(report.get("gone.txt")).isEqualTo(TaskOutcome.succeeded("delete marker removed"));
    assertThat(report.get("kept.txt").errorCode()).isEqualTo("NotADeleteMarker");
    assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("gone.txt")).asUtf8String())
        .isEqualTo("back");
    assertThat(s3.listObjectVersions(b -> b.bucket(bucket).prefix("kept.txt")).versions())
        .extracting(v -> v.versionId())
        .containsExactly(real);
  }

  private Manifest manifest(boolean withVersionIds, ObjectRow... rows) {
    try (ManifestWriter writer = ManifestWriter.open(dir.resolve("manifest.csv"), withVersionIds)) {
      for (ObjectRow row : rows) {
        writer.write(row);
      }
      return writer.finish();
    }
  }

  private JobRecord run(String action, ObjectNode options, Manifest manifest) {
    LocalBatchJobs jobs =
        LocalBatchJobs.create(dir.resolve("state"), s3, LocalBatchJobs.Settings.defaults());
    JobRecord submitted =
        jobs.submit(
            new JobRequest(
                "run-" + action,
                action,
                "run-" + action,
                "test",
                10,
                new ActionSpec(action, options),
                new JobRequest.ManifestRef(
                    manifest.file(),
                    "S3BatchOperations_CSV_20180820",
                    manifest.etag(),
                    manifest.fields()),
                new JobRequest.Report(
                    true, new ReportLocation.Local(dir.resolve("report")), ReportSpec.Scope.ALL),
                false));
    return jobs.execute(submitted.jobId(), ProgressListener.NONE);
  }

  private Map<String, TaskOutcome> report(JobRecord job) {
    List<TaskResult> rows = new ArrayList<>();
    CompletionReportReader.read(job.report().orElseThrow(), job.jobId(), null, rows::add);
    return rows.stream()
        .collect(Collectors.toMap(TaskResult::key, TaskResult::outcome, (a, b) -> a));
  }
}
