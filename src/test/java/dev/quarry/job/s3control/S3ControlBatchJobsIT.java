package dev.quarry.job.s3control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quarry.app.ManifestInfo;
import dev.quarry.config.QuarryConfig;
import dev.quarry.error.ErrorKind;
import dev.quarry.error.QuarryException;
import dev.quarry.job.JobRecord;
import dev.quarry.job.JobRequest;
import dev.quarry.job.JobStatus;
import dev.quarry.job.JobTracker;
import dev.quarry.job.local.JobDirectory;
import dev.quarry.manifest.Manifest;
import dev.quarry.manifest.ManifestWriter;
import dev.quarry.playbook.ActionSpec;
import dev.quarry.playbook.ReportSpec;
import dev.quarry.query.ObjectRow;
import dev.quarry.report.CompletionReportReader;
import dev.quarry.report.ReportLocation;
import dev.quarry.report.TaskResult;
import dev.quarry.sandbox.LocalS3Server;
import dev.quarry.sandbox.control.S3ControlEndpoint;
import dev.quarry.testing.S3Servers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Tag;
import software.amazon.awssdk.services.s3control.S3ControlClient;
import software.amazon.awssdk.services.s3control.model.JobDescriptor;
import software.amazon.awssdk.services.s3control.model.JobManifestFieldName;
import software.amazon.awssdk.services.s3control.model.JobManifestFormat;
import software.amazon.awssdk.services.s3control.model.JobReportFormat;
import software.amazon.awssdk.services.s3control.model.JobReportScope;

/**
 * The s3control executor with the real AWS SDK S3ControlClient against the local S3 Control
 * endpoint, which runs the jobs with the local executor on moto: what CreateJob received is read
 * back with DescribeJob, the manifest from S3, the report from S3.
 */
class S3ControlBatchJobsIT {
  /** moto's own account: S3 checks ExpectedBucketOwner against it. */
  static final String ACCOUNT = "123456789012";

  static final String ROLE = "arn:aws:iam::123456789012:role/quarry-batch-operations";
  static final String FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:quarry-rollback";
  static final JobTracker.Backoff QUICK =
      new JobTracker.Backoff(Duration.ofMillis(50), Duration.ofMillis(200), 1.5);

  @TempDir Path dir;

  private final LocalS3Server server = S3Servers.moto();
  private final S3Client s3 = S3Servers.client(server);
  private S3ControlEndpoint endpoint;
  private QuarryConfig config;
  private S3ControlBatchJobs jobs;
  private S3ControlClient control;
  private String dataBucket;
  private String quarryBucket;

  @BeforeEach
  void start() {
    endpoint = S3ControlEndpoint.start(S3ControlEndpoint.Settings.of(dir.resolve("control"), s3));
    dataBucket = S3Servers.newBucketName("data");
    quarryBucket = S3Servers.newBucketName("quarry");
    s3.createBucket(b -> b.bucket(dataBucket));
    s3.createBucket(b -> b.bucket(quarryBucket));
    for (String key : List.of("a.txt", "b c.txt")) {
      s3.putObject(b -> b.bucket(dataBucket).key(key), RequestBody.fromString(key));
    }
    config = config(dir.resolve("state"));
    jobs = S3ControlBatchJobs.create(config);
    control = S3ControlClients.create(config);
  }

  @AfterEach
  void stop() {
    control.close();
    endpoint.close();
  }

  private QuarryConfig config(Path stateDir) {
    QuarryConfig base = S3Servers.config(server, stateDir);
    QuarryConfig aws =
        new QuarryConfig(
            base.profile(),
            base.stateDir(),
            base.manifestsDir(),
            base.s3Endpoint(),
            base.region(),
            base.credentials(),
            base.engine(),
            "s3control",
            base.athena());
    return aws.withAws(
        new QuarryConfig.Aws(
            Optional.of(ACCOUNT),
            Optional.empty(),
            Optional.of(ROLE),
            Optional.of(QuarryConfig.S3Uri.parse("s3://" + quarryBucket + "/manifests/")),
            Optional.of(QuarryConfig.S3Uri.parse("s3://" + quarryBucket + "/reports/")),
            Optional.of(endpoint.uri()),
            Optional.empty()));
  }

  @Test
  void createJobGetsTheUploadedManifestTheReportTheOperationAndTheRequestsSettings()
      throws Exception {
    // given
    JobRequest request = request("20261121T201500Z-aaaaaa", ReportSpec.Scope.FAILED, true);

    // when
    JobRecord job = jobs.submit(request);

    // then: the job waits for its confirmation
    assertThat(job.status()).isEqualTo(JobStatus.SUSPENDED);
    assertThat(job.playbook()).isEqualTo("tag-all");
    assertThat(job.runId()).isEqualTo(request.runId());
    assertThat(job.clientRequestToken()).isEqualTo(request.clientRequestToken());

    // and: the manifest is in S3 under <prefix><playbook>/<run>/manifest.csv, byte for byte
    String key = "manifests/tag-all/" + request.runId() + "/manifest.csv";
    byte[] uploaded = s3.getObjectAsBytes(b -> b.bucket(quarryBucket).key(key)).asByteArray();
    assertThat(uploaded).isEqualTo(Files.readAllBytes(request.manifest().file()));
    assertThat(s3.headObject(b -> b.bucket(quarryBucket).key(key)).serverSideEncryption())
        .isEqualTo(software.amazon.awssdk.services.s3.model.ServerSideEncryption.AES256);

    // and: DescribeJob shows exactly what CreateJob was sent
    JobDescriptor described =
        control.describeJob(b -> b.accountId(ACCOUNT).jobId(job.jobId())).job();
    assertThat(described.manifest().location().objectArn())
        .isEqualTo("arn:aws:s3:::" + quarryBucket + "/" + key);
    assertThat(described.manifest().location().eTag()).isEqualTo(request.manifest().etag());
    assertThat(described.manifest().spec().format())
        .isEqualTo(JobManifestFormat.S3_BATCH_OPERATIONS_CSV_20180820);
    assertThat(described.manifest().spec().fields())
        .containsExactly(JobManifestFieldName.BUCKET, JobManifestFieldName.KEY);
    assertThat(described.report().bucket()).isEqualTo("arn:aws:s3:::" + quarryBucket);
    assertThat(described.report().prefix()).isEqualTo("reports");
    assertThat(described.report().format()).isEqualTo(JobReportFormat.REPORT_CSV_20180820);
    assertThat(described.report().enabled()).isTrue();
    assertThat(described.report().reportScope()).isEqualTo(JobReportScope.FAILED_TASKS_ONLY);
    assertThat(described.operation().s3PutObjectTagging().tagSet())
        .extracting(t -> t.key() + "=" + t.value())
        .containsExactly("team=data");
    assertThat(described.roleArn()).isEqualTo(ROLE);
    assertThat(described.priority()).isEqualTo(42);
    assertThat(described.confirmationRequired()).isTrue();
    assertThat(described.description())
        .isEqualTo("tag-all (quarry run " + request.runId() + "): Tag every object");

    // and: the endpoint's job carries the token (the run id)
    assertThat(
            new JobDirectory(dir.resolve("control/accounts").resolve(ACCOUNT).resolve("jobs"))
                .find(job.jobId())
                .orElseThrow()
                .clientRequestToken())
        .isEqualTo(request.runId());
  }

  @Test
  void aManifestAboveTheThresholdGoesUpInPartsAndTheJobRunsWithItsMultipartEtag() {
    // given: an executor that uploads every manifest in parts
    JobRequest request = request("20261121T201500Z-mpmpmp", ReportSpec.Scope.ALL, true);
    S3ControlBatchJobs inParts =
        new S3ControlBatchJobs(
            S3ControlClients.create(config),
            S3Servers.client(server),
            S3ControlSettings.from(config),
            config.runsDir(),
            java.time.Clock.systemUTC(),
            new ManifestUpload.Limits(0, 5L << 20, 2));

    // when
    JobRecord submitted = inParts.submit(request);

    // then: S3 holds it as a one-part upload and CreateJob got that object's ETag
    String key = "manifests/tag-all/" + request.runId() + "/manifest.csv";
    String etag = s3.headObject(b -> b.bucket(quarryBucket).key(key)).eTag().replace("\"", "");
    assertThat(etag)
        .endsWith("-1")
        .isEqualTo(ManifestUpload.multipartEtag(request.manifest().file(), 5L << 20));
    assertThat(
            control
                .describeJob(b -> b.accountId(ACCOUNT).jobId(submitted.jobId()))
                .job()
                .manifest()
                .location()
                .eTag())
        .isEqualTo(etag);

    // and: the job reads that manifest and runs to its end
    inParts.confirm(submitted.jobId());
    JobRecord ended =
        new JobTracker(inParts, QUICK, d -> Thread.sleep(d.toMillis()))
            .track(submitted.jobId(), j -> {});
    assertThat(ended.status()).isEqualTo(JobStatus.COMPLETE);
    assertThat(ended.progress().numberOfTasksSucceeded()).isEqualTo(2);
    inParts.close();
  }

  @Test
  void aSubmissionRetriedWithTheSameTokenFindsTheSameJobAndCreatesNoOther() {
    // given
    JobRequest request = request("20261121T201500Z-bbbbbb", ReportSpec.Scope.ALL, true);
    JobRecord first = jobs.submit(request);

    // when: the same run again, and again from a machine that lost its submission record
    JobRecord again = jobs.submit(request);
    S3ControlBatchJobs elsewhere = S3ControlBatchJobs.create(config(dir.resolve("other")));
    JobRecord fromElsewhere = elsewhere.submit(request);

    // then
    assertThat(again.jobId()).isEqualTo(first.jobId());
    assertThat(fromElsewhere.jobId()).isEqualTo(first.jobId());
    assertThat(jobs.list())
        .filteredOn(j -> j.runId().equals(request.runId()))
        .extracting(JobRecord::jobId)
        .containsExactly(first.jobId());
    assertThat(jobs.resubmit(request.runId()).map(JobRecord::jobId)).contains(first.jobId());
  }

  @Test
  void aRunWhoseJobExistsIsTakenUpEvenAfterItsLocalManifestIsGone() throws Exception {
    // given a submitted run whose local manifest was cleaned up since
    JobRequest request = request("20261121T201500Z-eeeeee", ReportSpec.Scope.ALL, true);
    JobRecord first = jobs.submit(request);
    Files.delete(request.manifest().file());

    // when
    JobRecord again = jobs.submit(request);

    // then: nothing had to be uploaded or created, so nothing needed the manifest
    assertThat(again.jobId()).isEqualTo(first.jobId());
  }

  @Test
  void aRollbackGoesAsTheProfilesLambdaAndRemovesOnlyTheDeleteMarker() {
    // given a deleted object (its marker) and a live one (a real version) in one manifest, and a
    // profile naming the rollback Lambda (the sandbox's endpoint runs the same rollback locally)
    String bucket = S3Servers.createVersionedBucket(s3, "rollback");
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
    QuarryConfig base = config(dir.resolve("state"));
    QuarryConfig.Aws aws = base.aws();
    QuarryConfig withLambda =
        base.withAws(
            new QuarryConfig.Aws(
                aws.accountId(),
                aws.awsProfile(),
                aws.roleArn(),
                aws.manifestLocation(),
                aws.reportLocation(),
                aws.s3ControlEndpoint(),
                Optional.of(FUNCTION)));
    S3ControlBatchJobs rollbacks = S3ControlBatchJobs.create(withLambda);
    JobRequest request =
        new JobRequest(
            "20261121T201500Z-ffffff",
            "rollback",
            "20261121T201500Z-ffffff",
            "Roll back",
            10,
            new ActionSpec(
                "rollback-deletes",
                JsonNodeFactory.instance.objectNode().put("type", "rollback-deletes")),
            manifestRef(
                manifest(
                    true,
                    new ObjectRow(bucket, "gone.txt", marker, null, null),
                    new ObjectRow(bucket, "kept.txt", real, null, null))),
            new JobRequest.Report(true, rollbacks.settings().report(), ReportSpec.Scope.ALL),
            false);

    // when
    JobRecord submitted = rollbacks.submit(request);
    JobRecord ended =
        new JobTracker(rollbacks, QUICK, d -> Thread.sleep(d.toMillis()))
            .track(submitted.jobId(), j -> {});

    // then CreateJob named the profile's Lambda with invocation schema 2.0
    JobDescriptor described =
        control.describeJob(b -> b.accountId(ACCOUNT).jobId(submitted.jobId())).job();
    assertThat(described.operation().lambdaInvoke().functionArn()).isEqualTo(FUNCTION);
    assertThat(described.operation().lambdaInvoke().invocationSchemaVersion()).isEqualTo("2.0");
    assertThat(described.operation().lambdaInvoke().userArguments())
        .containsEntry("action", "rollback-deletes");
    // and only the marker went: the object is back, the real version survives
    assertThat(ended.status()).isEqualTo(JobStatus.COMPLETE);
    assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("gone.txt")).asUtf8String())
        .isEqualTo("back");
    assertThat(s3.listObjectVersions(b -> b.bucket(bucket).prefix("kept.txt")).versions())
        .extracting(v -> v.versionId())
        .containsExactly(real);
    List<TaskResult> rows = new ArrayList<>();
    CompletionReportReader.read(ended.report().orElseThrow(), ended.jobId(), s3, rows::add);
    assertThat(rows)
        .extracting(r -> r.key() + " " + r.outcome().status() + " " + r.outcome().errorCode())
        .containsExactlyInAnyOrder("gone.txt SUCCEEDED null", "kept.txt FAILED NotADeleteMarker");
  }

  @Test
  void aConfirmedJobRunsToCompleteAndItsReportIsReadBackFromS3() {
    // given
    JobRequest request = request("20261121T201500Z-cccccc", ReportSpec.Scope.ALL, true);
    JobRecord submitted = jobs.submit(request);

    // when
    JobRecord confirmed = jobs.confirm(submitted.jobId());
    JobRecord ended =
        new JobTracker(jobs, QUICK, d -> Thread.sleep(d.toMillis()))
            .track(submitted.jobId(), j -> {});

    // then
    assertThat(confirmed.status()).isNotEqualTo(JobStatus.SUSPENDED);
    assertThat(ended.status()).isEqualTo(JobStatus.COMPLETE);
    assertThat(ended.progress().totalNumberOfTasks()).isEqualTo(2);
    assertThat(ended.progress().numberOfTasksSucceeded()).isEqualTo(2);
    assertThat(ended.terminated()).isPresent();
    assertThat(ended.report()).contains(new ReportLocation.S3(quarryBucket, "reports"));
    assertThat(ended.transitions())
        .extracting(JobRecord.Transition::status)
        .startsWith(JobStatus.SUSPENDED)
        .endsWith(JobStatus.COMPLETE);
    assertThat(s3.getObjectTagging(b -> b.bucket(dataBucket).key("b c.txt")).tagSet())
        .extracting(Tag::key, Tag::value)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("team", "data"));

    // and: the report, as AWS would have written it
    List<TaskResult> rows = new ArrayList<>();
    CompletionReportReader.read(ended.report().get(), ended.jobId(), s3, rows::add);
    assertThat(rows)
        .extracting(r -> r.key() + " " + r.outcome().status())
        .containsExactlyInAnyOrder("a.txt SUCCEEDED", "b c.txt SUCCEEDED");
  }

  @Test
  void aCancelledJobIsCancelledAndCannotBeCancelledTwice() {
    // given
    JobRecord submitted =
        jobs.submit(request("20261121T201500Z-dddddd", ReportSpec.Scope.ALL, true));

    // when
    JobRecord cancelled = jobs.cancel(submitted.jobId());

    // then
    assertThat(cancelled.status()).isEqualTo(JobStatus.CANCELLED);
    assertThatThrownBy(() -> jobs.cancel(submitted.jobId()))
        .isInstanceOfSatisfying(
            QuarryException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.USER))
        .hasMessageContaining("UpdateJobStatus(Cancelled) of job " + submitted.jobId())
        .hasMessageContaining("AWS answered 4");
    assertThatThrownBy(() -> jobs.confirm(submitted.jobId()))
        .isInstanceOfSatisfying(
            QuarryException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.USER));
  }

  @Test
  void anUnknownJobIsNotFound() {
    assertThat(jobs.describe("00000000-0000-0000-0000-000000000000")).isEmpty();
  }

  @Test
  void aRollbackWithoutAFunctionIsRefusedBeforeAnythingIsUploadedOrCreated() {
    // given: rollback-deletes, and neither the playbook nor the profile names the Lambda
    JobRequest request =
        new JobRequest(
            "20261121T201500Z-eeeeee",
            "rollback",
            "20261121T201500Z-eeeeee",
            "",
            10,
            new ActionSpec(
                "rollback-deletes",
                JsonNodeFactory.instance.objectNode().put("type", "rollback-deletes")),
            manifestRef(manifest(true, new ObjectRow(dataBucket, "a.txt", "v1", null, null))),
            new JobRequest.Report(true, jobs.settings().report(), ReportSpec.Scope.ALL),
            true);

    // when / then
    assertThatThrownBy(() -> jobs.submit(request))
        .isInstanceOfSatisfying(
            QuarryException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.USER))
        .hasMessageContaining("action.function-arn is required on AWS")
        .hasMessageContaining("rollback-function-arn");
    assertThat(s3.listObjectsV2(b -> b.bucket(quarryBucket)).contents()).isEmpty();
    assertThat(dir.resolve("state/runs")).doesNotExist();
    assertThat(jobs.list()).isEmpty();
  }

  @Test
  void anUnreachableEndpointIsAnExternalError() {
    // given
    QuarryConfig unreachable = config(dir.resolve("state"));
    unreachable =
        new QuarryConfig(
            unreachable.profile(),
            unreachable.stateDir(),
            unreachable.manifestsDir(),
            unreachable.s3Endpoint(),
            unreachable.region(),
            unreachable.credentials(),
            unreachable.engine(),
            unreachable.executor(),
            unreachable.athena(),
            new QuarryConfig.Aws(
                unreachable.aws().accountId(),
                Optional.empty(),
                unreachable.aws().roleArn(),
                unreachable.aws().manifestLocation(),
                unreachable.aws().reportLocation(),
                Optional.of(java.net.URI.create("http://127.0.0.1:9")),
                Optional.empty()));
    S3ControlBatchJobs nowhere = S3ControlBatchJobs.create(unreachable);

    // when / then
    assertThatThrownBy(nowhere::list)
        .isInstanceOfSatisfying(
            QuarryException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.EXTERNAL))
        .hasMessageContaining("ListJobs: no answer");
  }

  private JobRequest request(String runId, ReportSpec.Scope scope, boolean confirm) {
    ObjectNode options = JsonNodeFactory.instance.objectNode().put("type", "put-tags");
    options.putObject("tags").put("team", "data");
    Manifest manifest =
        manifest(
            false,
            new ObjectRow(dataBucket, "a.txt", null, null, null),
            new ObjectRow(dataBucket, "b c.txt", null, null, null));
    return new JobRequest(
        JobRequest.tokenFor(runId),
        "tag-all",
        runId,
        "Tag every object",
        42,
        new ActionSpec("put-tags", options),
        manifestRef(manifest),
        new JobRequest.Report(true, jobs.settings().report(), scope),
        confirm);
  }

  private JobRequest.ManifestRef manifestRef(Manifest manifest) {
    return new JobRequest.ManifestRef(
        manifest.file(), ManifestInfo.FORMAT, manifest.etag(), manifest.fields());
  }

  private Manifest manifest(boolean withVersionIds, ObjectRow... rows) {
    Path file = dir.resolve("manifests").resolve(java.util.UUID.randomUUID() + ".csv");
    try (ManifestWriter writer = ManifestWriter.open(file, withVersionIds)) {
      for (ObjectRow row : rows) {
        writer.write(row);
      }
      return writer.finish();
    }
  }
}
