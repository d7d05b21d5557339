package dev.quarry.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.quarry.config.QuarryConfig;
import dev.quarry.config.S3Clients;
import dev.quarry.job.JobRecord;
import dev.quarry.job.JobRequest;
import dev.quarry.job.JobStatus;
import dev.quarry.job.ProgressListener;
import dev.quarry.job.local.LocalBatchJobs;
import dev.quarry.manifest.Manifest;
import dev.quarry.manifest.ManifestWriter;
import dev.quarry.metadata.MetadataRefresher;
import dev.quarry.metadata.RefreshProgress;
import dev.quarry.metadata.RefreshSummary;
import dev.quarry.metadata.Warehouse;
import dev.quarry.playbook.ActionSpec;
import dev.quarry.playbook.ReportSpec;
import dev.quarry.query.BoundQuery;
import dev.quarry.query.TaskIdentity;
import dev.quarry.query.embedded.EmbeddedEngine;
import dev.quarry.report.CompletionReportReader;
import dev.quarry.report.ReportLocation;
import dev.quarry.report.TaskResult;
import dev.quarry.testing.S3Servers;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectVersion;

/**
 * The S3 parts of a run against LocalStack: the metadata refresh, the embedded query over its
 * tables, the manifest, the local executor's rollback tasks and a completion report written to and
 * read back from a bucket. Runs only where a Docker engine exists; elsewhere it is skipped with a
 * message saying so (S3Mock and moto cover the same paths in the other tests).
 */
class LocalStackS3IT {
  private static final String IMAGE = "localstack/localstack:4.4";

  @TempDir Path dir;

  @BeforeEach
  void needsDocker() {
    boolean docker = DockerClientFactory.instance().isDockerAvailable();
    if (!docker) {
      System.err.println(
          "LocalStackS3IT skipped: no Docker engine on this machine, so Testcontainers cannot"
              + " start LocalStack");
    }
    assumeTrue(
        docker,
        "no Docker engine on this machine, so Testcontainers cannot start LocalStack;"
            + " LocalStackS3IT is skipped");
  }

  @Test
  void refreshQueryRollbackAndReportRunAgainstLocalStack() {
    try (LocalStackContainer localstack =
        new LocalStackContainer(DockerImageName.parse(IMAGE)).withServices("s3")) {
      localstack.start();
      QuarryConfig config =
          withCredentials(
              S3Servers.config(localstack.getEndpoint(), dir.resolve("state")),
              localstack.getAccessKey(),
              localstack.getSecretKey());
      S3Client s3 = S3Clients.create(config, 8);

      // given a versioned bucket with one deleted object and one live one
      String bucket = S3Servers.createVersionedBucket(s3, "localstack");
      s3.putObject(b -> b.bucket(bucket).key("gone.txt"), RequestBody.fromString("back"));
      s3.deleteObject(b -> b.bucket(bucket).key("gone.txt"));
      s3.putObject(b -> b.bucket(bucket).key("kept.txt"), RequestBody.fromString("kept"));
      String reports = S3Servers.newBucketName("reports");
      s3.createBucket(b -> b.bucket(reports));

      // when its metadata is refreshed, the markers queried, and the rollback job run
      Warehouse warehouse = new Warehouse(config.warehouseDir());
      RefreshSummary refreshed =
          new MetadataRefresher(
                  warehouse, s3, localstack.getEndpoint().toString(), Clock.systemUTC())
              .refresh(bucket, 4, RefreshProgress.NONE);
      Manifest manifest = markers(warehouse, bucket);
      JobRecord job = rollBack(config, s3, manifest, new ReportLocation.S3(reports, "quarry"));

      // then
      assertThat(refreshed.deleteMarkers()).isEqualTo(1);
      assertThat(manifest.rows()).isEqualTo(1);
      assertThat(job.status()).isEqualTo(JobStatus.COMPLETE);
      List<TaskResult> results = new ArrayList<>();
      CompletionReportReader.read(job.report().orElseThrow(), job.jobId(), s3, results::add);
      assertThat(results)
          .extracting(r -> r.key() + " " + r.outcome().message())
          .containsExactly("gone.txt delete marker removed");
      assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("gone.txt")).asUtf8String())
          .isEqualTo("back");
      assertThat(s3.listObjectVersions(b -> b.bucket(bucket)).versions())
          .extracting(ObjectVersion::key)
          .containsExactlyInAnyOrder("gone.txt", "kept.txt");
    }
  }

  private static QuarryConfig withCredentials(QuarryConfig config, String key, String secret) {
    return new QuarryConfig(
        config.profile(),
        config.stateDir(),
        config.manifestsDir(),
        config.s3Endpoint(),
        config.region(),
        Optional.of(new QuarryConfig.StaticCredentials(key, secret)),
        config.engine(),
        config.executor());
  }

  private Manifest markers(Warehouse warehouse, String bucket) {
    try (EmbeddedEngine engine = new EmbeddedEngine(warehouse, Optional.of(bucket));
        ManifestWriter writer = ManifestWriter.open(dir.resolve("manifest.csv"), true)) {
      engine.objects(
          BoundQuery.of(
              "SELECT bucket, key, version_id FROM journal"
                  + " WHERE record_type = 'DELETE' AND is_delete_marker"),
          TaskIdentity.BUCKET_KEY_VERSION,
          writer::write);
      return writer.finish();
    }
  }

  private JobRecord rollBack(
      QuarryConfig config, S3Client s3, Manifest manifest, ReportLocation report) {
    LocalBatchJobs jobs =
        LocalBatchJobs.create(config.stateDir(), s3, LocalBatchJobs.Settings.defaults());
    JobRecord submitted =
        jobs.submit(
            new JobRequest(
                "localstack-rollback",
                "rollback-deletes",
                "localstack-rollback",
                "LocalStack rollback",
                10,
                new ActionSpec(
                    "rollback-deletes",
                    JsonNodeFactory.instance.objectNode().put("type", "rollback-deletes")),
                new JobRequest.ManifestRef(
                    manifest.file(),
                    "S3BatchOperations_CSV_20180820",
                    manifest.etag(),
                    manifest.fields()),
                new JobRequest.Report(true, report, ReportSpec.Scope.ALL),
                false));
    return jobs.execute(submitted.jobId(), ProgressListener.NONE);
  }
}
