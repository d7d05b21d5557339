package dev.quarry.job.s3control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.error.ErrorKind;
import dev.quarry.error.QuarryException;
import dev.quarry.job.JobRecord;
import dev.quarry.job.JobStatus;
import dev.quarry.playbook.ReportSpec;
import dev.quarry.report.ReportLocation;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3control.model.JobDescriptor;
import software.amazon.awssdk.services.s3control.model.JobFailure;
import software.amazon.awssdk.services.s3control.model.JobListDescriptor;
import software.amazon.awssdk.services.s3control.model.JobOperation;
import software.amazon.awssdk.services.s3control.model.JobReportScope;
import software.amazon.awssdk.services.s3control.model.OperationName;

/** DescribeJob's and ListJobs' answers (SDK model objects) as JobRecords. */
class JobDescriptionsTest {
  static final Instant CREATED = Instant.parse("2026-11-21T20:15:00Z");
  static final Instant ENDED = Instant.parse("2026-11-21T20:45:00Z");
  static final Instant NOW = Instant.parse("2026-11-21T21:00:00Z");

  static JobDescriptor.Builder failedJob() {
    return JobDescriptor.builder()
        .jobId("0b6f3c9e-6a55-4f7e-9a43-3f1a3c1f2b7d")
        .description("untag (quarry run 20261121T201500Z-3f9a1c): Untag everything")
        .status("Failed")
        .priority(7)
        .operation(JobOperation.builder().s3DeleteObjectTagging(b -> {}).build())
        .progressSummary(
            p ->
                p.totalNumberOfTasks(2000L)
                    .numberOfTasksSucceeded(400L)
                    .numberOfTasksFailed(1100L)
                    .timers(t -> t.elapsedTimeInActiveSeconds(95L)))
        .failureReasons(
            JobFailure.builder()
                .failureCode("JobFailureThresholdExceeded")
                .failureReason("more than 50% of tasks failed")
                .build())
        .report(
            r ->
                r.bucket("arn:aws:s3:::my-reports")
                    .prefix("batch")
                    .enabled(true)
                    .reportScope(JobReportScope.ALL_TASKS))
        .statusUpdateReason("too many failures")
        .creationTime(CREATED)
        .terminationDate(ENDED);
  }

  @Test
  void aJobOfAnotherMachineIsNamedFromItsDescriptionAndOperation() {
    // when
    JobRecord job = JobDescriptions.fromDescribe(failedJob().build(), Optional.empty(), NOW);

    // then
    assertThat(job.jobId()).isEqualTo("0b6f3c9e-6a55-4f7e-9a43-3f1a3c1f2b7d");
    assertThat(job.playbook()).isEqualTo("untag");
    assertThat(job.runId()).isEqualTo("20261121T201500Z-3f9a1c");
    assertThat(job.clientRequestToken()).isEmpty();
    assertThat(job.action()).isEqualTo("S3DeleteObjectTagging");
    assertThat(job.status()).isEqualTo(JobStatus.FAILED);
    assertThat(job.priority()).isEqualTo(7);
    assertThat(job.progress()).isEqualTo(new JobRecord.Progress(2000, 400, 1100, 95));
    assertThat(job.failureReasons())
        .containsExactly("JobFailureThresholdExceeded: more than 50% of tasks failed");
    assertThat(job.report()).contains(new ReportLocation.S3("my-reports", "batch"));
    assertThat(job.created()).isEqualTo(CREATED);
    assertThat(job.terminated()).contains(ENDED);
    assertThat(job.transitions())
        .containsExactly(new JobRecord.Transition(JobStatus.FAILED, NOW, "too many failures"));
  }

  @Test
  void whatThisMachineSubmittedAddsTheTokenActionAndTheStatusesItSaw() {
    // given
    Submission submission =
        Submission.start(
                CreateJobRequestsTest.request(
                    "Untag everything", ReportSpec.Scope.ALL, List.of("Bucket", "Key")),
                "my-quarry",
                "manifests/untag/20261121T201500Z-3f9a1c/manifest.csv")
            .observed(JobStatus.SUSPENDED, CREATED, "")
            .observed(JobStatus.ACTIVE, CREATED.plusSeconds(60), "");

    // when
    JobRecord job = JobDescriptions.fromDescribe(failedJob().build(), Optional.of(submission), NOW);

    // then
    assertThat(job.clientRequestToken()).isEqualTo("20261121T201500Z-3f9a1c");
    assertThat(job.action()).isEqualTo("delete-tags");
    assertThat(job.transitions())
        .extracting(JobRecord.Transition::status)
        .containsExactly(JobStatus.SUSPENDED, JobStatus.ACTIVE, JobStatus.FAILED);
  }

  @Test
  void aJobWithoutProgressOrReportHasNone() {
    // when
    JobRecord job =
        JobDescriptions.fromDescribe(
            JobDescriptor.builder()
                .jobId("11111111-2222-3333-4444-555555555555")
                .status("New")
                .report(r -> r.enabled(false))
                .build(),
            Optional.empty(),
            NOW);

    // then
    assertThat(job.progress()).isEqualTo(JobRecord.Progress.NONE);
    assertThat(job.report()).isEmpty();
    assertThat(job.created()).isEqualTo(NOW);
    assertThat(job.terminated()).isEmpty();
    assertThat(job.playbook()).isEmpty();
  }

  @Test
  void aListedJobHasItsStatusProgressAndOperation() {
    // when
    JobRecord job =
        JobDescriptions.fromList(
            JobListDescriptor.builder()
                .jobId("0b6f3c9e-6a55-4f7e-9a43-3f1a3c1f2b7d")
                .description("nightly restore")
                .operation(OperationName.S3_INITIATE_RESTORE_OBJECT)
                .priority(10)
                .status("Active")
                .creationTime(CREATED)
                .progressSummary(p -> p.totalNumberOfTasks(10L).numberOfTasksSucceeded(4L))
                .build(),
            Optional.empty(),
            NOW);

    // then
    assertThat(job.status()).isEqualTo(JobStatus.ACTIVE);
    assertThat(job.action()).isEqualTo("S3InitiateRestoreObject");
    assertThat(job.progress()).isEqualTo(new JobRecord.Progress(10, 4, 0, 0));
    assertThat(job.playbook()).isEmpty();
    assertThat(job.description()).isEqualTo("nightly restore");
  }

  @Test
  void aStatusThisVersionDoesNotKnowIsAnExternalError() {
    assertThatThrownBy(() -> JobDescriptions.status("Hibernating"))
        .isInstanceOfSatisfying(
            QuarryException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.EXTERNAL))
        .hasMessageContaining("'Hibernating'");
  }

  @Test
  void everyAwsStatusMapsToOurs() {
    for (software.amazon.awssdk.services.s3control.model.JobStatus aws :
        software.amazon.awssdk.services.s3control.model.JobStatus.knownValues()) {
      assertThat(JobDescriptions.status(aws.toString()).awsName()).isEqualTo(aws.toString());
    }
  }
}
