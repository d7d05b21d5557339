package dev.quarry.job.s3control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quarry.app.ManifestInfo;
import dev.quarry.config.QuarryConfig;
import dev.quarry.job.JobRequest;
import dev.quarry.playbook.ActionSpec;
import dev.quarry.playbook.ReportSpec;
import dev.quarry.report.ReportLocation;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3control.model.CreateJobRequest;
import software.amazon.awssdk.services.s3control.model.JobManifestFieldName;
import software.amazon.awssdk.services.s3control.model.JobManifestFormat;
import software.amazon.awssdk.services.s3control.model.JobOperation;
import software.amazon.awssdk.services.s3control.model.JobReportFormat;
import software.amazon.awssdk.services.s3control.model.JobReportScope;
import software.amazon.awssdk.services.s3control.model.S3Tag;

/** CreateJob requests built from a JobRequest, field by field. */
class CreateJobRequestsTest {
  static final S3ControlSettings SETTINGS =
      new S3ControlSettings(
          "111122223333",
          "arn:aws:iam::111122223333:role/quarry",
          QuarryConfig.S3Uri.parse("s3://my-quarry/manifests/"),
          QuarryConfig.S3Uri.parse("s3://my-reports/batch/"),
          Optional.empty());

  static JobRequest request(String description, ReportSpec.Scope scope, List<String> fields) {
    ObjectNode options = JsonNodeFactory.instance.objectNode().put("type", "delete-tags");
    return new JobRequest(
        "20261121T201500Z-3f9a1c",
        "untag",
        "20261121T201500Z-3f9a1c",
        description,
        7,
        new ActionSpec("delete-tags", options),
        new JobRequest.ManifestRef(
            Path.of("manifest.csv"),
            ManifestInfo.FORMAT,
            "0cc175b9c0f1b6a831c399e269772661",
            fields),
        new JobRequest.Report(true, SETTINGS.report(), scope),
        false);
  }

  @Test
  void everyFieldComesFromTheRequestTheSettingsAndTheUpload() {
    // given
    JobRequest request =
        request("Untag everything", ReportSpec.Scope.ALL, List.of("Bucket", "Key", "VersionId"));
    Submission submission =
        Submission.start(
            request, "my-quarry", "manifests/untag/20261121T201500Z-3f9a1c/manifest.csv");
    JobOperation operation = JobOperation.builder().s3DeleteObjectTagging(b -> {}).build();

    // when
    CreateJobRequest create =
        CreateJobRequests.build(
            request,
            "us-east-1",
            SETTINGS,
            operation,
            submission,
            "0cc175b9c0f1b6a831c399e269772661");

    // then
    assertThat(create.accountId()).isEqualTo("111122223333");
    assertThat(create.clientRequestToken()).isEqualTo("20261121T201500Z-3f9a1c");
    assertThat(create.operation()).isEqualTo(operation);
    assertThat(create.manifest().spec().format())
        .isEqualTo(JobManifestFormat.S3_BATCH_OPERATIONS_CSV_20180820);
    assertThat(create.manifest().spec().fields())
        .containsExactly(
            JobManifestFieldName.BUCKET, JobManifestFieldName.KEY, JobManifestFieldName.VERSION_ID);
    assertThat(create.manifest().location().objectArn())
        .isEqualTo("arn:aws:s3:::my-quarry/manifests/untag/20261121T201500Z-3f9a1c/manifest.csv");
    assertThat(create.manifest().location().eTag()).isEqualTo("0cc175b9c0f1b6a831c399e269772661");
    assertThat(create.report().bucket()).isEqualTo("arn:aws:s3:::my-reports");
    assertThat(create.report().prefix()).isEqualTo("batch");
    assertThat(create.report().format()).isEqualTo(JobReportFormat.REPORT_CSV_20180820);
    assertThat(create.report().enabled()).isTrue();
    assertThat(create.report().reportScope()).isEqualTo(JobReportScope.ALL_TASKS);
    assertThat(create.priority()).isEqualTo(7);
    assertThat(create.roleArn()).isEqualTo("arn:aws:iam::111122223333:role/quarry");
    assertThat(create.description())
        .isEqualTo("untag (quarry run 20261121T201500Z-3f9a1c): Untag everything");
    assertThat(create.tags())
        .containsExactly(
            S3Tag.builder().key("quarry-playbook").value("untag").build(),
            S3Tag.builder().key("quarry-run").value("20261121T201500Z-3f9a1c").build());
    assertThat(create.confirmationRequired()).isFalse();
  }

  @Test
  void failedOnlyReportsAreFailedTasksOnly() {
    assertThat(CreateJobRequests.scope(ReportSpec.Scope.FAILED))
        .isEqualTo(JobReportScope.FAILED_TASKS_ONLY);
  }

  @Test
  void aLongDescriptionIsCutTo256CharactersAndStillNamesItsRun() {
    // given
    JobRequest request = request("x".repeat(500), ReportSpec.Scope.ALL, List.of("Bucket", "Key"));

    // when
    String description = CreateJobRequests.description(request);

    // then
    assertThat(description).hasSize(256).endsWith("…");
    assertThat(CreateJobRequests.playbookAndRun(description))
        .hasValueSatisfying(p -> assertThat(p).containsExactly("untag", "20261121T201500Z-3f9a1c"));
  }

  @Test
  void aDescriptionOfAnotherToolNamesNoRun() {
    assertThat(CreateJobRequests.playbookAndRun("Restore my files")).isEmpty();
    assertThat(CreateJobRequests.playbookAndRun(null)).isEmpty();
  }

  @Test
  void aLocalReportLocationIsABug() {
    JobRequest local =
        new JobRequest(
            "t",
            "untag",
            "r",
            "",
            1,
            new ActionSpec("delete-tags", JsonNodeFactory.instance.objectNode()),
            new JobRequest.ManifestRef(
                Path.of("m.csv"), ManifestInfo.FORMAT, "e", List.of("Bucket", "Key")),
            new JobRequest.Report(
                true, new ReportLocation.Local(Path.of("reports")), ReportSpec.Scope.ALL),
            false);

    assertThatThrownBy(
            () ->
                CreateJobRequests.build(
                    local,
                    "us-east-1",
                    SETTINGS,
                    JobOperation.builder().build(),
                    Submission.start(local, "b", "k"),
                    "e"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("writes reports to S3");
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource({
    "cn-north-1, aws-cn",
    "us-gov-west-1, aws-us-gov",
    "eu-west-1, aws"
  })
  void everyArnOfTheRequestIsInTheRegionsPartition(String region, String partition) {
    // given a copy in place, whose target is a bucket ARN
    JobRequest request = request("", ReportSpec.Scope.ALL, List.of("Bucket", "Key"));
    Submission submission = Submission.start(request, "my-quarry", "manifests/m.csv");
    JobOperation copy =
        new dev.quarry.action.ReencryptAction("AES256", null, null, null)
            .jobOperation("data-bucket");

    // when
    CreateJobRequest create =
        CreateJobRequests.build(request, region, SETTINGS, copy, submission, "etag");

    // then
    String arn = "arn:" + partition + ":s3:::";
    assertThat(create.manifest().location().objectArn())
        .isEqualTo(arn + "my-quarry/manifests/m.csv");
    assertThat(create.report().bucket()).isEqualTo(arn + "my-reports");
    assertThat(create.operation().s3PutObjectCopy().targetResource())
        .isEqualTo(arn + "data-bucket");
  }
}
