package dev.quarry.sandbox.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.job.local.LocalBatchJobs;
import dev.quarry.testing.S3Servers;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectLockLegalHoldStatus;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;
import software.amazon.awssdk.services.s3control.S3ControlClient;
import software.amazon.awssdk.services.s3control.model.CreateJobRequest;
import software.amazon.awssdk.services.s3control.model.JobDescriptor;
import software.amazon.awssdk.services.s3control.model.JobOperation;
import software.amazon.awssdk.services.s3control.model.JobStatus;

/**
 * S3PutObjectLegalHold and S3PutObjectRetention jobs run end to end through the endpoint, driven by
 * the real SDK, on moto's Object Lock bucket.
 */
class S3ControlObjectLockIT {
  private static final String ACCOUNT = "111122223333";

  @TempDir static Path root;

  private static S3Client s3;
  private static S3ControlEndpoint endpoint;
  private static S3ControlClient control;
  private static String bucket;

  @BeforeAll
  static void start() {
    s3 = S3Servers.client(S3Servers.moto());
    endpoint =
        S3ControlEndpoint.start(
            new S3ControlEndpoint.Settings(
                0, root, "us-east-1", s3, LocalBatchJobs.Settings.defaults()));
    control = S3ControlEndpointIT.controlClient(endpoint.uri());
    bucket = S3Servers.newBucketName("locked");
    s3.createBucket(b -> b.bucket(bucket).objectLockEnabledForBucket(true));
  }

  @AfterAll
  static void stop() {
    control.close();
    endpoint.close();
    s3.close();
  }

  @Test
  void aLegalHoldJobHoldsEveryObject() {
    // given
    String key = put("hold/a b.pdf");

    // when
    JobDescriptor job =
        run(
            JobOperation.builder()
                .s3PutObjectLegalHold(h -> h.legalHold(l -> l.status("ON")))
                .build(),
            bucket + ",hold/a%20b.pdf\n");

    // then
    assertThat(job.status()).isEqualTo(JobStatus.COMPLETE);
    assertThat(job.progressSummary().numberOfTasksSucceeded()).isEqualTo(1);
    assertThat(s3.getObjectLegalHold(b -> b.bucket(bucket).key(key)).legalHold().status())
        .isEqualTo(ObjectLockLegalHoldStatus.ON);
  }

  @Test
  void aRetentionJobSetsModeAndDate() {
    // given
    String key = put("retain/a.log");
    Instant until = Instant.now().plus(7, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);

    // when
    JobDescriptor job =
        run(
            JobOperation.builder()
                .s3PutObjectRetention(
                    r -> r.retention(t -> t.mode("GOVERNANCE").retainUntilDate(until)))
                .build(),
            bucket + ",retain/a.log\n");

    // then
    assertThat(job.status()).isEqualTo(JobStatus.COMPLETE);
    assertThat(job.progressSummary().numberOfTasksSucceeded()).isEqualTo(1);
    var head = s3.headObject(b -> b.bucket(bucket).key(key));
    assertThat(head.objectLockMode()).isEqualTo(ObjectLockMode.GOVERNANCE);
    assertThat(head.objectLockRetainUntilDate()).isEqualTo(until);
  }

  private static String put(String key) {
    s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString("x"));
    return key;
  }

  private static JobDescriptor run(JobOperation operation, String manifest) {
    String manifestKey = "manifests/" + UUID.randomUUID() + ".csv";
    String etag =
        s3.putObject(b -> b.bucket(bucket).key(manifestKey), RequestBody.fromString(manifest))
            .eTag();
    CreateJobRequest request =
        CreateJobRequest.builder()
            .accountId(ACCOUNT)
            .clientRequestToken(UUID.randomUUID().toString())
            .priority(10)
            .roleArn("arn:aws:iam::111122223333:role/batch-operations")
            .confirmationRequired(false)
            .operation(operation)
            .manifest(
                m ->
                    m.spec(
                            s ->
                                s.format("S3BatchOperations_CSV_20180820")
                                    .fieldsWithStrings("Bucket", "Key"))
                        .location(
                            l ->
                                l.objectArn("arn:aws:s3:::" + bucket + "/" + manifestKey)
                                    .eTag(etag)))
            .report(r -> r.enabled(false))
            .build();
    String jobId = control.createJob(request).jobId();
    return S3ControlEndpointIT.awaitEnd(control, ACCOUNT, jobId);
  }
}
