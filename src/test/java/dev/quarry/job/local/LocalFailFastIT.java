package dev.quarry.job.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quarry.action.ActionRegistry;
import dev.quarry.config.S3Clients;
import dev.quarry.job.JobRecord;
import dev.quarry.job.JobRequest;
import dev.quarry.job.JobStatus;
import dev.quarry.manifest.Manifest;
import dev.quarry.manifest.ManifestWriter;
import dev.quarry.playbook.ActionSpec;
import dev.quarry.playbook.ReportSpec;
import dev.quarry.query.ObjectRow;
import dev.quarry.report.CompletionReportReader;
import dev.quarry.report.ReportLocation;
import dev.quarry.report.TaskResult;
import dev.quarry.sandbox.LocalS3Server;
import dev.quarry.sandbox.MotoServer;
import dev.quarry.testing.S3Servers;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 server (moto, a process of its own) stopped in the middle of a put-tags job: the job
 * stops within seconds instead of trying every task, and a resume against a server that is back
 * runs exactly the tasks that did not succeed.
 */
class LocalFailFastIT {
  private static final int ROWS = 100;

  @TempDir Path dir;

  @Test
  void aJobWhoseServerStopsMidJobStopsEarlyAndResumesOnceAServerIsBack() {
    // given: 100 objects on a moto of this test's own
    LocalS3Server first = MotoServer.start(dir.resolve("moto-1.log"));
    String bucket = S3Servers.newBucketName("failfast");
    LocalBatchJobs.Settings settings =
        new LocalBatchJobs.Settings(
            4, 5, 5, Duration.ofMillis(20), Duration.ofMillis(200), Duration.ofMillis(50));
    JobRecord stopped;
    Duration took;
    try (S3Client s3 = client(first)) {
      seed(s3, bucket);
      LocalBatchJobs jobs = jobs(s3, settings);
      JobRecord job = jobs.submit(request(manifest(bucket)));

      // when: the server is stopped once 20 tasks succeeded
      AtomicBoolean down = new AtomicBoolean();
      long start = System.nanoTime();
      stopped =
          jobs.execute(
              job.jobId(),
              j -> {
                if (j.progress().numberOfTasksSucceeded() >= 20
                    && down.compareAndSet(false, true)) {
                  first.stop();
                }
              });
      took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(down).isTrue();
    } finally {
      first.stop();
    }

    // then: Failed by Quarry's early stop, with most tasks never tried
    assertThat(stopped.status()).isEqualTo(JobStatus.FAILED);
    assertThat(stopped.failureReasons())
        .singleElement()
        .asString()
        .contains("stopped early", "did not answer");
    assertThat(stopped.progress().numberOfTasksSucceeded()).isGreaterThanOrEqualTo(20);
    assertThat(stopped.progress().tasksDone()).isLessThan(ROWS);
    assertThat(took).isLessThan(Duration.ofSeconds(60));

    // when: resumed against a server that is back (moto keeps nothing: the objects are put again)
    LocalS3Server second = MotoServer.start(dir.resolve("moto-2.log"));
    try (S3Client s3 = client(second)) {
      seed(s3, bucket);
      JobRecord resumed = jobs(s3, settings).execute(stopped.jobId(), j -> {});

      // then: every task succeeded once in the report; only the resumed ones touched the new server
      assertThat(resumed.status()).isEqualTo(JobStatus.COMPLETE);
      assertThat(resumed.progress().numberOfTasksSucceeded()).isEqualTo(ROWS);
      List<TaskResult> rows = new ArrayList<>();
      CompletionReportReader.read(resumed.report().orElseThrow(), resumed.jobId(), null, rows::add);
      assertThat(rows).extracting(TaskResult::key).hasSize(ROWS).doesNotHaveDuplicates();
      long tagged =
          rows.stream()
              .filter(
                  r -> !s3.getObjectTagging(b -> b.bucket(bucket).key(r.key())).tagSet().isEmpty())
              .count();
      assertThat(tagged).isEqualTo(ROWS - stopped.progress().numberOfTasksSucceeded());
    } finally {
      second.stop();
    }
  }

  private static S3Client client(LocalS3Server server) {
    return S3Clients.create(S3Servers.config(server, Path.of("unused")), 8);
  }

  private LocalBatchJobs jobs(S3Client s3, LocalBatchJobs.Settings settings) {
    return new LocalBatchJobs(
        dir.resolve("jobs"),
        s3,
        ActionRegistry::create,
        CompletionReports.writer(null),
        settings,
        Clock.systemUTC());
  }

  private static void seed(S3Client s3, String bucket) {
    s3.createBucket(b -> b.bucket(bucket));
    for (int i = 0; i < ROWS; i++) {
      String key = JobFixture.key(i);
      s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(key));
    }
  }

  private Manifest manifest(String bucket) {
    try (ManifestWriter writer = ManifestWriter.open(dir.resolve("manifest.csv"), false)) {
      for (int i = 0; i < ROWS; i++) {
        writer.write(new ObjectRow(bucket, JobFixture.key(i), null, null, null));
      }
      return writer.finish();
    }
  }

  private JobRequest request(Manifest manifest) {
    ObjectNode tags = JsonNodeFactory.instance.objectNode().put("type", "put-tags");
    tags.set("tags", JsonNodeFactory.instance.objectNode().put("resumed", "yes"));
    return new JobRequest(
        JobRequest.tokenFor("run-failfast"),
        "failfast",
        "run-failfast",
        "a job whose server stops",
        10,
        new ActionSpec("put-tags", tags),
        new JobRequest.ManifestRef(
            manifest.file(), "S3BatchOperations_CSV_20180820", manifest.etag(), manifest.fields()),
        new JobRequest.Report(
            true, new ReportLocation.Local(dir.resolve("report")), ReportSpec.Scope.ALL),
        false);
  }
}
