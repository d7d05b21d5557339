package dev.quarry.sandbox.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.quarry.job.local.LocalBatchJobs;
import dev.quarry.report.CompletionReport;
import dev.quarry.report.CompletionReportReader;
import dev.quarry.report.ReportLocation;
import dev.quarry.report.TaskResult;
import dev.quarry.sandbox.LocalS3Server;
import dev.quarry.testing.S3Servers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.endpoints.Endpoint;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.StorageClass;
import software.amazon.awssdk.services.s3.model.Tag;
import software.amazon.awssdk.services.s3control.S3ControlClient;
import software.amazon.awssdk.services.s3control.model.BadRequestException;
import software.amazon.awssdk.services.s3control.model.CreateJobRequest;
import software.amazon.awssdk.services.s3control.model.IdempotencyException;
import software.amazon.awssdk.services.s3control.model.InvalidRequestException;
import software.amazon.awssdk.services.s3control.model.JobDescriptor;
import software.amazon.awssdk.services.s3control.model.JobListDescriptor;
import software.amazon.awssdk.services.s3control.model.JobManifest;
import software.amazon.awssdk.services.s3control.model.JobOperation;
import software.amazon.awssdk.services.s3control.model.JobReport;
import software.amazon.awssdk.services.s3control.model.JobStatus;
import software.amazon.awssdk.services.s3control.model.JobStatusException;
import software.amazon.awssdk.services.s3control.model.NotFoundException;
import software.amazon.awssdk.services.s3control.model.S3ControlException;
import software.amazon.awssdk.services.s3control.model.S3Tag;
import software.amazon.awssdk.services.s3control.model.UpdateJobPriorityResponse;
import software.amazon.awssdk.services.s3control.model.UpdateJobStatusResponse;

/**
 * The endpoint driven by the real AWS SDK v2 {@link S3ControlClient} against real S3 servers: every
 * request and answer goes through the SDK's own marshalling, endpoint rules and error parsing.
 */
class S3ControlEndpointIT {
  private static final String ACCOUNT = "111122223333";
  private static final String OTHER_ACCOUNT = "444455556666";
  private static final String ROLE = "arn:aws:iam::111122223333:role/batch-operations";

  @TempDir static Path root;

  private static final List<Running> RUNNING = new ArrayList<>();

  /** An endpoint on one S3 server, with the clients the tests use. */
  record Running(
      String name,
      LocalS3Server server,
      S3Client s3,
      S3ControlEndpoint endpoint,
      S3ControlClient control) {
    @Override
    public String toString() {
      return name;
    }
  }

  @BeforeAll
  static void startEndpoints() {
    for (LocalS3Server server : List.of(S3Servers.s3mock(), S3Servers.moto())) {
      S3Client s3 = S3Servers.client(server);
      S3ControlEndpoint endpoint =
          S3ControlEndpoint.start(
              new S3ControlEndpoint.Settings(
                  0,
                  root.resolve(server.kind()),
                  "us-east-1",
                  s3,
                  LocalBatchJobs.Settings.defaults().withConcurrency(2)));
      RUNNING.add(new Running(server.kind(), server, s3, endpoint, controlClient(endpoint.uri())));
    }
  }

  @AfterAll
  static void stopEndpoints() {
    for (Running running : RUNNING) {
      running.control().close();
      running.endpoint().close();
      running.s3().close();
    }
  }

  static Stream<Running> servers() {
    return RUNNING.stream();
  }

  static Running s3mock() {
    return RUNNING.get(0);
  }

  static Running moto() {
    return RUNNING.get(1);
  }

  @ParameterizedTest(name = "{0}", autoCloseArguments = false)
  @MethodSource("servers")
  void aPutTagsJobRunsToCompleteTagsTheObjectsAndWritesItsReport(Running running) {
    // given two objects and a manifest naming them
    S3Client s3 = running.s3();
    String bucket = bucketWith(s3, "a.txt", "dir/b c.txt");
    String etag = putManifest(s3, bucket, bucket + ",a.txt\n" + bucket + ",dir/b%20c.txt\n");
    CreateJobRequest request =
        createJob(bucket, etag)
            .operation(tagging("retention", "long"))
            .confirmationRequired(false)
            .build();

    // when
    String jobId = running.control().createJob(request).jobId();
    JobDescriptor job = awaitEnd(running.control(), ACCOUNT, jobId);

    // then the objects are tagged
    assertThat(job.status()).isEqualTo(JobStatus.COMPLETE);
    assertThat(job.progressSummary().totalNumberOfTasks()).isEqualTo(2);
    assertThat(job.progressSummary().numberOfTasksSucceeded()).isEqualTo(2);
    assertThat(job.progressSummary().numberOfTasksFailed()).isZero();
    assertThat(job.progressSummary().timers().elapsedTimeInActiveSeconds()).isNotNull();
    assertThat(job.terminationDate()).isNotNull();
    for (String key : List.of("a.txt", "dir/b c.txt")) {
      assertThat(s3.getObjectTagging(b -> b.bucket(bucket).key(key)).tagSet())
          .containsExactly(Tag.builder().key("retention").value("long").build());
    }
    // and the completion report is on S3, in AWS's format
    List<TaskResult> rows = new ArrayList<>();
    CompletionReport report =
        CompletionReportReader.read(new ReportLocation.S3(bucket, "reports"), jobId, s3, rows::add);
    assertThat(report.manifestKey()).isEqualTo("reports/job-" + jobId + "/manifest.json");
    assertThat(rows).extracting(TaskResult::key).containsExactlyInAnyOrder("a.txt", "dir/b c.txt");
    assertThat(rows)
        .allSatisfy(r -> assertThat(r.outcome().status().name()).isEqualTo("SUCCEEDED"));
  }

  @Test
  void describeJobShowsTheFieldsSentAndTheTokenIsIdempotentPerAccount() {
    // given
    Running running = s3mock();
    String bucket = bucketWith(running.s3(), "a.txt");
    String etag = putManifest(running.s3(), bucket, bucket + ",a.txt\n");
    CreateJobRequest request =
        createJob(bucket, etag)
            .operation(tagging("k", "v"))
            .confirmationRequired(true)
            .description("tag the photos")
            .priority(42)
            .build();

    // when
    String jobId = running.control().createJob(request).jobId();
    String again = running.control().createJob(request).jobId();
    JobDescriptor job = running.control().describeJob(b -> b.accountId(ACCOUNT).jobId(jobId)).job();

    // then
    assertThat(again).isEqualTo(jobId);
    assertThat(job.jobId()).isEqualTo(jobId);
    assertThat(job.jobArn()).isEqualTo("arn:aws:s3:us-east-1:" + ACCOUNT + ":job/" + jobId);
    assertThat(job.confirmationRequired()).isTrue();
    assertThat(job.description()).isEqualTo("tag the photos");
    assertThat(job.priority()).isEqualTo(42);
    assertThat(job.roleArn()).isEqualTo(ROLE);
    assertThat(job.operation()).isEqualTo(request.operation());
    assertThat(job.manifest()).isEqualTo(request.manifest());
    assertThat(job.report()).isEqualTo(request.report());
    assertThat(job.status()).isEqualTo(JobStatus.SUSPENDED);
    assertThat(job.progressSummary().totalNumberOfTasks()).isEqualTo(1);
    assertThat(job.creationTime()).isNotNull();
    assertThat(job.terminationDate()).isNull();

    // when another account asks
    S3ControlException other =
        catchThrowableOfType(
            S3ControlException.class,
            () -> running.control().describeJob(b -> b.accountId(OTHER_ACCOUNT).jobId(jobId)));
    List<JobListDescriptor> otherList =
        running.control().listJobs(b -> b.accountId(OTHER_ACCOUNT)).jobs();
    String otherJob =
        running.control().createJob(request.toBuilder().accountId(OTHER_ACCOUNT).build()).jobId();

    // then it sees nothing of the first account's job, and its own token is its own
    assertThat(other).isInstanceOf(NotFoundException.class);
    assertThat(other.statusCode()).isEqualTo(400);
    assertThat(otherList).extracting(JobListDescriptor::jobId).doesNotContain(jobId);
    assertThat(otherJob).isNotEqualTo(jobId);
  }

  @Test
  void aSuspendedJobRunsOnlyOnceConfirmed() {
    // given
    Running running = s3mock();
    String bucket = bucketWith(running.s3(), "a.txt");
    String etag = putManifest(running.s3(), bucket, bucket + ",a.txt\n");
    String jobId =
        running
            .control()
            .createJob(
                createJob(bucket, etag)
                    .operation(tagging("state", "confirmed"))
                    .confirmationRequired(true)
                    .build())
            .jobId();
    sleep(Duration.ofMillis(500));
    assertThat(describe(running.control(), ACCOUNT, jobId).status()).isEqualTo(JobStatus.SUSPENDED);
    assertThat(running.s3().getObjectTagging(b -> b.bucket(bucket).key("a.txt")).tagSet())
        .isEmpty();

    // when
    UpdateJobStatusResponse ready =
        running
            .control()
            .updateJobStatus(
                b ->
                    b.accountId(ACCOUNT)
                        .jobId(jobId)
                        .requestedJobStatus("Ready")
                        .statusUpdateReason("looks right"));
    JobDescriptor job = awaitEnd(running.control(), ACCOUNT, jobId);

    // then
    assertThat(ready.jobId()).isEqualTo(jobId);
    assertThat(ready.statusUpdateReason()).isEqualTo("looks right");
    assertThat(ready.status()).isIn(JobStatus.READY, JobStatus.ACTIVE, JobStatus.COMPLETE);
    assertThat(job.status()).isEqualTo(JobStatus.COMPLETE);
    assertThat(job.statusUpdateReason()).isEqualTo("looks right");
    assertThat(running.s3().getObjectTagging(b -> b.bucket(bucket).key("a.txt")).tagSet())
        .extracting(Tag::value)
        .containsExactly("confirmed");
    CompletionReport report =
        CompletionReportReader.read(
            new ReportLocation.S3(bucket, "reports"), jobId, running.s3(), r -> {});
    assertThat(report.results()).hasSize(1);

    // when confirming again
    S3ControlException again =
        catchThrowableOfType(
            S3ControlException.class,
            () ->
                running
                    .control()
                    .updateJobStatus(
                        b -> b.accountId(ACCOUNT).jobId(jobId).requestedJobStatus("Ready")));

    // then
    assertThat(again.statusCode()).isEqualTo(400);
    assertThat(again.awsErrorDetails().errorCode()).isEqualTo("JobStatusException");
  }

  @Test
  void aCancelledJobEndsCancelledAndListJobsFiltersByStatus() {
    // given two suspended jobs
    Running running = s3mock();
    String bucket = bucketWith(running.s3(), "a.txt");
    String etag = putManifest(running.s3(), bucket, bucket + ",a.txt\n");
    String first =
        running
            .control()
            .createJob(createJob(bucket, etag).operation(tagging("a", "1")).build())
            .jobId();
    String second =
        running
            .control()
            .createJob(createJob(bucket, etag).operation(tagging("a", "2")).build())
            .jobId();

    // when
    UpdateJobStatusResponse cancelled =
        running
            .control()
            .updateJobStatus(
                b ->
                    b.accountId(ACCOUNT)
                        .jobId(first)
                        .requestedJobStatus("Cancelled")
                        .statusUpdateReason("not today"));
    List<String> cancelledJobs =
        running
            .control()
            .listJobs(b -> b.accountId(ACCOUNT).jobStatuses(JobStatus.CANCELLED))
            .jobs()
            .stream()
            .map(JobListDescriptor::jobId)
            .toList();
    List<JobListDescriptor> suspended =
        running
            .control()
            .listJobs(b -> b.accountId(ACCOUNT).jobStatuses(JobStatus.SUSPENDED))
            .jobs();

    // then
    assertThat(cancelled.status()).isEqualTo(JobStatus.CANCELLED);
    assertThat(describe(running.control(), ACCOUNT, first).terminationDate()).isNotNull();
    assertThat(cancelledJobs).contains(first).doesNotContain(second);
    assertThat(suspended)
        .extracting(JobListDescriptor::jobId)
        .contains(second)
        .doesNotContain(first);
    JobListDescriptor listed =
        suspended.stream().filter(j -> j.jobId().equals(second)).findFirst().orElseThrow();
    assertThat(listed.operationAsString()).isEqualTo("S3PutObjectTagging");
    assertThat(listed.progressSummary().totalNumberOfTasks()).isEqualTo(1);

    // when cancelling a job that has ended
    S3ControlException ended =
        catchThrowableOfType(
            S3ControlException.class,
            () ->
                running
                    .control()
                    .updateJobStatus(
                        b -> b.accountId(ACCOUNT).jobId(first).requestedJobStatus("Cancelled")));

    // then
    assertThat(ended.awsErrorDetails().errorCode()).isEqualTo("JobStatusException");
  }

  @Test
  void listJobsPagesWithNextToken() {
    // given three jobs
    Running running = s3mock();
    String bucket = bucketWith(running.s3(), "a.txt");
    String etag = putManifest(running.s3(), bucket, bucket + ",a.txt\n");
    String account = "999900001111";
    for (int i = 0; i < 3; i++) {
      running
          .control()
          .createJob(
              createJob(bucket, etag).accountId(account).operation(tagging("n", "" + i)).build());
    }

    // when
    var page1 = running.control().listJobs(b -> b.accountId(account).maxResults(2));
    var page2 =
        running
            .control()
            .listJobs(b -> b.accountId(account).maxResults(2).nextToken(page1.nextToken()));

    // then
    assertThat(page1.jobs()).hasSize(2);
    assertThat(page1.nextToken()).isNotNull();
    assertThat(page2.jobs()).hasSize(1);
    assertThat(page2.nextToken()).isNull();
  }

  @Test
  void aWrongManifestEtagFailsTheJobWithAReason() {
    // given
    Running running = s3mock();
    String bucket = bucketWith(running.s3(), "a.txt");
    putManifest(running.s3(), bucket, bucket + ",a.txt\n");

    // when
    String jobId =
        running
            .control()
            .createJob(
                createJob(bucket, "0123456789abcdef0123456789abcdef")
                    .operation(tagging("a", "1"))
                    .confirmationRequired(false)
                    .build())
            .jobId();
    JobDescriptor job = awaitEnd(running.control(), ACCOUNT, jobId);

    // then
    assertThat(job.status()).isEqualTo(JobStatus.FAILED);
    assertThat(job.failureReasons()).hasSize(1);
    assertThat(job.failureReasons().get(0).failureCode()).isEqualTo("InvalidManifestContent");
    assertThat(job.failureReasons().get(0).failureReason()).contains("ETag");
    assertThat(running.s3().getObjectTagging(b -> b.bucket(bucket).key("a.txt")).tagSet())
        .isEmpty();
  }

  @Test
  void anUnsupportedOperationIsRefusedWithA400NamingIt() {
    // given
    Running running = s3mock();
    String bucket = bucketWith(running.s3(), "a.txt");
    String etag = putManifest(running.s3(), bucket, bucket + ",a.txt\n");
    CreateJobRequest request =
        createJob(bucket, etag)
            .operation(
                o ->
                    o.s3PutObjectAcl(
                        a -> a.accessControlPolicy(p -> p.cannedAccessControlList("private"))))
            .build();

    // when
    S3ControlException error =
        catchThrowableOfType(S3ControlException.class, () -> running.control().createJob(request));

    // then
    assertThat(error).isInstanceOf(BadRequestException.class);
    assertThat(error.statusCode()).isEqualTo(400);
    assertThat(error.awsErrorDetails().errorCode()).isEqualTo("BadRequestException");
    assertThat(error.awsErrorDetails().errorMessage()).contains("S3PutObjectAcl");
  }

  @Test
  void invalidParametersAreAllNamedInOne400() {
    // given
    Running running = s3mock();
    CreateJobRequest request =
        createJob("bucket", "etag")
            .clientRequestToken("x".repeat(65))
            .roleArn("not-a-role")
            .report(r -> r.enabled(true).bucket("bucket").format("Report_CSV_20180820"))
            .operation(tagging("a", "1"))
            .build();

    // when
    S3ControlException error =
        catchThrowableOfType(S3ControlException.class, () -> running.control().createJob(request));

    // then
    assertThat(error).isInstanceOf(BadRequestException.class);
    assertThat(error.statusCode()).isEqualTo(400);
    assertThat(error.awsErrorDetails().errorMessage())
        .contains("ClientRequestToken", "RoleArn", "Report.Bucket", "Report.ReportScope");
  }

  @Test
  void anUnsignedRequestWithoutTheAccountHeaderIsRefusedForItsSignatureFirst() throws Exception {
    // given a client that neither signs nor sends x-amz-account-id (the signed case without the
    // header: S3ControlEndpointSecurityTest)
    HttpClient http = HttpClient.newHttpClient();
    URI jobs = s3mock().endpoint().uri().resolve("/v20180820/jobs");

    // when
    HttpResponse<String> response =
        http.send(HttpRequest.newBuilder(jobs).GET().build(), HttpResponse.BodyHandlers.ofString());

    // then: as AWS, authentication is checked before the request's content
    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.body()).contains("<ErrorResponse>", "<Code>AccessDenied</Code>");
  }

  @Test
  void aSuspendedJobSaysWhyAndTakesTheModelsWholeRanges() {
    // given a job waiting for its confirmation, with 256 characters of description (512 UTF-16
    // units) and the highest priority the model allows
    Running running = s3mock();
    String bucket = bucketWith(running.s3(), "a.txt");
    String etag = putManifest(running.s3(), bucket, bucket + ",a.txt\n");
    String description = "😀".repeat(256);
    CreateJobRequest request =
        createJob(bucket, etag)
            .operation(tagging("k", "v"))
            .confirmationRequired(true)
            .description(description)
            .priority(Integer.MAX_VALUE)
            .build();

    // when
    String jobId = running.control().createJob(request).jobId();
    JobDescriptor job = describe(running.control(), ACCOUNT, jobId);

    // then
    assertThat(job.status()).isEqualTo(JobStatus.SUSPENDED);
    assertThat(job.suspendedCause()).isNotBlank();
    assertThat(job.suspendedDate()).isNotNull();
    assertThat(job.description()).isEqualTo(description);
    assertThat(job.priority()).isEqualTo(Integer.MAX_VALUE);
    // no empty <FailureReasons/>: the SDK reads a missing list as an unset one
    assertThat(job.hasFailureReasons()).isFalse();
    assertThat(job.creationTime().getNano() % 1_000_000).isZero();
  }

  @Test
  void anUnknownJobIsTheModelsNotFoundException() {
    // when
    S3ControlException error =
        catchThrowableOfType(
            NotFoundException.class,
            () ->
                s3mock()
                    .control()
                    .describeJob(b -> b.accountId(ACCOUNT).jobId(UUID.randomUUID().toString())));
    S3ControlException priority =
        catchThrowableOfType(
            NotFoundException.class,
            () ->
                s3mock()
                    .control()
                    .updateJobPriority(
                        b -> b.accountId(ACCOUNT).jobId(UUID.randomUUID().toString()).priority(1)));

    // then: the model gives its errors no HTTP status; AWS's API reference lists 400
    assertThat(error.statusCode()).isEqualTo(400);
    assertThat(error.awsErrorDetails().errorCode()).isEqualTo("NotFoundException");
    assertThat(priority.statusCode()).isEqualTo(400);
  }

  @Test
  void aTokenUsedForAnotherRequestIsTheModelsIdempotencyException() {
    // given a job created with a token
    Running running = s3mock();
    String bucket = bucketWith(running.s3(), "a.txt");
    String etag = putManifest(running.s3(), bucket, bucket + ",a.txt\n");
    CreateJobRequest request =
        createJob(bucket, etag).operation(tagging("k", "v")).confirmationRequired(true).build();
    running.control().createJob(request);

    // when the same token comes with another request
    S3ControlException error =
        catchThrowableOfType(
            IdempotencyException.class,
            () ->
                running
                    .control()
                    .createJob(request.toBuilder().description("something else").build()));

    // then
    assertThat(error.statusCode()).isEqualTo(400);
    assertThat(error.awsErrorDetails().errorCode()).isEqualTo("IdempotencyException");
  }

  @Test
  void updateJobPriorityChangesThePriorityWithinTheModelsRange() {
    // given a suspended job of priority 10
    Running running = s3mock();
    String bucket = bucketWith(running.s3(), "a.txt");
    String etag = putManifest(running.s3(), bucket, bucket + ",a.txt\n");
    String jobId =
        running
            .control()
            .createJob(
                createJob(bucket, etag)
                    .operation(tagging("k", "v"))
                    .confirmationRequired(true)
                    .priority(10)
                    .build())
            .jobId();

    // when
    UpdateJobPriorityResponse updated =
        running
            .control()
            .updateJobPriority(b -> b.accountId(ACCOUNT).jobId(jobId).priority(Integer.MAX_VALUE));
    S3ControlException negative =
        catchThrowableOfType(
            BadRequestException.class,
            () ->
                running
                    .control()
                    .updateJobPriority(b -> b.accountId(ACCOUNT).jobId(jobId).priority(-1)));

    // then
    assertThat(updated.jobId()).isEqualTo(jobId);
    assertThat(updated.priority()).isEqualTo(Integer.MAX_VALUE);
    assertThat(describe(running.control(), ACCOUNT, jobId).priority()).isEqualTo(Integer.MAX_VALUE);
    assertThat(running.control().listJobs(b -> b.accountId(ACCOUNT)).jobs())
        .filteredOn(j -> j.jobId().equals(jobId))
        .extracting(JobListDescriptor::priority)
        .containsExactly(Integer.MAX_VALUE);
    assertThat(negative.statusCode()).isEqualTo(400);
  }

  @Test
  void eachOperationRefusesABadParameterWithItsModelledException() {
    // given a suspended job
    Running running = s3mock();
    String bucket = bucketWith(running.s3(), "a.txt");
    String etag = putManifest(running.s3(), bucket, bucket + ",a.txt\n");
    String jobId =
        running
            .control()
            .createJob(createJob(bucket, etag).operation(tagging("k", "v")).build())
            .jobId();

    // when ListJobs gets a page size beyond the model's 1000, UpdateJobStatus a status the
    // model does not request, and a transition the job's status does not allow
    S3ControlException list =
        catchThrowableOfType(
            InvalidRequestException.class,
            () -> running.control().listJobs(b -> b.accountId(ACCOUNT).maxResults(5000)));
    S3ControlException status =
        catchThrowableOfType(
            BadRequestException.class,
            () ->
                running
                    .control()
                    .updateJobStatus(
                        b -> b.accountId(ACCOUNT).jobId(jobId).requestedJobStatus("Active")));
    running
        .control()
        .updateJobStatus(b -> b.accountId(ACCOUNT).jobId(jobId).requestedJobStatus("Cancelled"));
    S3ControlException transition =
        catchThrowableOfType(
            JobStatusException.class,
            () ->
                running
                    .control()
                    .updateJobStatus(
                        b -> b.accountId(ACCOUNT).jobId(jobId).requestedJobStatus("Ready")));

    // then: each is the SDK's class for the operation's modelled error, with status 400
    assertThat(List.of(list, status, transition))
        .extracting(S3ControlException::statusCode)
        .containsExactly(400, 400, 400);
  }

  @Test
  void aRestoreJobInitiatesRestoresOnMoto() {
    // given an object in Glacier on moto, which keeps archive semantics
    Running running = moto();
    S3Client s3 = running.s3();
    String bucket = S3Servers.newBucketName("control-restore");
    s3.createBucket(b -> b.bucket(bucket));
    s3.putObject(
        b -> b.bucket(bucket).key("cold.txt").storageClass(StorageClass.GLACIER),
        RequestBody.fromString("brr"));
    String etag = putManifest(s3, bucket, bucket + ",cold.txt\n");

    // when
    String jobId =
        running
            .control()
            .createJob(
                createJob(bucket, etag)
                    .operation(
                        o ->
                            o.s3InitiateRestoreObject(
                                r -> r.expirationInDays(3).glacierJobTier("BULK")))
                    .confirmationRequired(false)
                    .build())
            .jobId();
    JobDescriptor job = awaitEnd(running.control(), ACCOUNT, jobId);

    // then
    assertThat(job.status()).isEqualTo(JobStatus.COMPLETE);
    assertThat(job.progressSummary().numberOfTasksSucceeded()).isEqualTo(1);
    assertThat(s3.headObject(b -> b.bucket(bucket).key("cold.txt")).restore()).isNotNull();
  }

  // ---------------------------------------------------------------- helpers

  static S3ControlClient controlClient(URI uri) {
    return S3ControlClient.builder()
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("quarry", "quarry")))
        .endpointProvider(
            params -> CompletableFuture.completedFuture(Endpoint.builder().url(uri).build()))
        .build();
  }

  private static CreateJobRequest.Builder createJob(String bucket, String etag) {
    return CreateJobRequest.builder()
        .accountId(ACCOUNT)
        .clientRequestToken(UUID.randomUUID().toString())
        .priority(10)
        .roleArn(ROLE)
        .manifest(
            JobManifest.builder()
                .spec(
                    s ->
                        s.format("S3BatchOperations_CSV_20180820")
                            .fieldsWithStrings("Bucket", "Key"))
                .location(
                    l -> l.objectArn("arn:aws:s3:::" + bucket + "/manifests/m.csv").eTag(etag))
                .build())
        .report(
            JobReport.builder()
                .enabled(true)
                .bucket("arn:aws:s3:::" + bucket)
                .prefix("reports")
                .format("Report_CSV_20180820")
                .reportScope("AllTasks")
                .build());
  }

  private static JobOperation tagging(String key, String value) {
    return JobOperation.builder()
        .s3PutObjectTagging(t -> t.tagSet(S3Tag.builder().key(key).value(value).build()))
        .build();
  }

  private static String bucketWith(S3Client s3, String... keys) {
    String bucket = S3Servers.newBucketName("control");
    s3.createBucket(b -> b.bucket(bucket));
    for (String key : keys) {
      s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString("content of " + key));
    }
    return bucket;
  }

  /** Puts the manifest at {@code manifests/m.csv} and returns its ETag. */
  private static String putManifest(S3Client s3, String bucket, String csv) {
    return s3.putObject(b -> b.bucket(bucket).key("manifests/m.csv"), RequestBody.fromString(csv))
        .eTag();
  }

  private static JobDescriptor describe(S3ControlClient control, String account, String jobId) {
    return control.describeJob(b -> b.accountId(account).jobId(jobId)).job();
  }

  static JobDescriptor awaitEnd(S3ControlClient control, String account, String jobId) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      JobDescriptor job = describe(control, account, jobId);
      if (List.of(JobStatus.COMPLETE, JobStatus.FAILED, JobStatus.CANCELLED).contains(job.status())
          || System.nanoTime() > deadline) {
        return job;
      }
      sleep(Duration.ofMillis(200));
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
