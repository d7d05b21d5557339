package dev.quarry.sandbox.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.quarry.job.local.LocalBatchJobs;
import dev.quarry.testing.S3Servers;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3control.S3ControlClient;
import software.amazon.awssdk.services.s3control.model.JobListDescriptor;
import software.amazon.awssdk.services.s3control.model.JobStatus;
import software.amazon.awssdk.services.s3control.model.NotFoundException;

/** AWS deletes a job 90 days after it ended: ListJobs and DescribeJob no longer know it. */
class S3ControlEndpointRetentionIT {
  private static final String ACCOUNT = "111122223333";

  @TempDir Path root;

  /** A clock the test moves forward. */
  static final class MovingClock extends Clock {
    private volatile Instant now = Instant.now();

    void advance(Duration by) {
      now = now.plus(by);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void aJobEndedMoreThanNinetyDaysAgoIsGoneAndOneEndedEightyNineDaysAgoIsNot() {
    // given a cancelled job
    MovingClock clock = new MovingClock();
    S3Client s3 = S3Servers.client(S3Servers.s3mock());
    String bucket = S3Servers.createVersionedBucket(s3, "kept");
    String etag =
        s3.putObject(
                b -> b.bucket(bucket).key("m.csv"), RequestBody.fromString(bucket + ",a.txt\n"))
            .eTag()
            .replace("\"", "");
    try (S3ControlEndpoint endpoint =
            S3ControlEndpoint.start(
                new S3ControlEndpoint.Settings(
                    0, root, "us-east-1", s3, LocalBatchJobs.Settings.defaults()),
                clock);
        S3ControlClient control = S3ControlEndpointIT.controlClient(endpoint.uri())) {
      String jobId =
          control
              .createJob(
                  b ->
                      b.accountId(ACCOUNT)
                          .clientRequestToken(UUID.randomUUID().toString())
                          .priority(1)
                          .roleArn("arn:aws:iam::111122223333:role/batch")
                          .confirmationRequired(true)
                          .operation(o -> o.s3DeleteObjectTagging(d -> {}))
                          .manifest(
                              m ->
                                  m.spec(
                                          s ->
                                              s.format("S3BatchOperations_CSV_20180820")
                                                  .fieldsWithStrings("Bucket", "Key"))
                                      .location(
                                          l ->
                                              l.objectArn("arn:aws:s3:::" + bucket + "/m.csv")
                                                  .eTag(etag)))
                          .report(r -> r.enabled(false)))
              .jobId();
      control.updateJobStatus(
          b -> b.accountId(ACCOUNT).jobId(jobId).requestedJobStatus("Cancelled"));

      // when 89 days pass
      clock.advance(Duration.ofDays(89));

      // then it is still there
      assertThat(control.describeJob(b -> b.accountId(ACCOUNT).jobId(jobId)).job().status())
          .isEqualTo(JobStatus.CANCELLED);
      assertThat(control.listJobs(b -> b.accountId(ACCOUNT)).jobs())
          .extracting(JobListDescriptor::jobId)
          .contains(jobId);

      // when two more days pass
      clock.advance(Duration.ofDays(2));

      // then AWS would have deleted it
      assertThat(control.listJobs(b -> b.accountId(ACCOUNT)).jobs())
          .extracting(JobListDescriptor::jobId)
          .doesNotContain(jobId);
      NotFoundException gone =
          catchThrowableOfType(
              NotFoundException.class,
              () -> control.describeJob(b -> b.accountId(ACCOUNT).jobId(jobId)));
      assertThat(gone.statusCode()).isEqualTo(400);
    }
  }
}
