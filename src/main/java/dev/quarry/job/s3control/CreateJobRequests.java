package dev.quarry.job.s3control;

import dev.quarry.iam.Arns;
import dev.quarry.job.JobRequest;
import dev.quarry.playbook.ReportSpec;
import dev.quarry.report.ReportLocation;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.s3control.model.CreateJobRequest;
import software.amazon.awssdk.services.s3control.model.JobManifest;
import software.amazon.awssdk.services.s3control.model.JobManifestFieldName;
import software.amazon.awssdk.services.s3control.model.JobManifestFormat;
import software.amazon.awssdk.services.s3control.model.JobOperation;
import software.amazon.awssdk.services.s3control.model.JobReport;
import software.amazon.awssdk.services.s3control.model.JobReportFormat;
import software.amazon.awssdk.services.s3control.model.JobReportScope;
import software.amazon.awssdk.services.s3control.model.S3CopyObjectOperation;
import software.amazon.awssdk.services.s3control.model.S3Tag;

/** CreateJob requests, built from a {@link JobRequest} and its uploaded manifest. */
final class CreateJobRequests {
  static final String PLAYBOOK_TAG = "quarry-playbook";
  static final String RUN_TAG = "quarry-run";

  /** CreateJob's limit on Description. */
  static final int MAX_DESCRIPTION = 256;

  /** How a description starts, so that a job listed on another machine still names its run. */
  private static final Pattern DESCRIPTION = Pattern.compile("^(\\S+) \\(quarry run (\\S+)\\)");

  private CreateJobRequests() {}

  /**
   * @param operation the action's operation, its function ARN filled in where needed
   * @param manifestEtag the ETag S3 gave the uploaded manifest (unquoted)
   * @param region the job's region, whose partition every ARN of the request is in
   */
  static CreateJobRequest build(
      JobRequest request,
      String region,
      S3ControlSettings settings,
      JobOperation operation,
      Submission submission,
      String manifestEtag) {
    if (!(request.report().location() instanceof ReportLocation.S3 report)) {
      throw new IllegalArgumentException(
          "S3 Batch Operations writes reports to S3, not to " + request.report().location());
    }
    JobReport.Builder jobReport =
        JobReport.builder()
            .bucket(Arns.s3Bucket(region, report.bucket()))
            .format(JobReportFormat.REPORT_CSV_20180820)
            .enabled(request.report().enabled())
            .reportScope(scope(request.report().scope()));
    String prefix = report.prefix().replaceAll("^/+|/+$", "");
    if (!prefix.isEmpty()) {
      jobReport.prefix(prefix);
    }
    return CreateJobRequest.builder()
        .accountId(settings.accountId())
        .clientRequestToken(request.clientRequestToken())
        .confirmationRequired(request.confirmationRequired())
        .operation(inPartition(operation, region))
        .manifest(
            JobManifest.builder()
                .spec(
                    s ->
                        s.format(JobManifestFormat.S3_BATCH_OPERATIONS_CSV_20180820)
                            .fields(
                                request.manifest().fields().stream()
                                    .map(JobManifestFieldName::fromValue)
                                    .toList()))
                .location(l -> l.objectArn(submission.manifestArn(region)).eTag(manifestEtag))
                .build())
        .report(jobReport.build())
        .priority(request.priority())
        .roleArn(settings.roleArn())
        .description(description(request))
        .tags(
            List.of(
                S3Tag.builder().key(PLAYBOOK_TAG).value(request.playbook()).build(),
                S3Tag.builder().key(RUN_TAG).value(request.runId()).build()))
        .build();
  }

  /** Actions name their copy target in the aws partition; the job's region decides. */
  private static JobOperation inPartition(JobOperation operation, String region) {
    S3CopyObjectOperation copy = operation.s3PutObjectCopy();
    if (copy == null || copy.targetResource() == null) {
      return operation;
    }
    return operation.toBuilder()
        .s3PutObjectCopy(
            copy.toBuilder()
                .targetResource(Arns.inPartitionOf(region, copy.targetResource()))
                .build())
        .build();
  }

  static JobReportScope scope(ReportSpec.Scope scope) {
    return switch (scope) {
      case ALL -> JobReportScope.ALL_TASKS;
      case FAILED -> JobReportScope.FAILED_TASKS_ONLY;
    };
  }

  /**
   * {@code <playbook> (quarry run <runId>): <description>}, cut to CreateJob's 256 characters:
   * DescribeJob and ListJobs return the description but not the tags.
   */
  static String description(JobRequest request) {
    String text = request.playbook() + " (quarry run " + request.runId() + ")";
    if (!request.description().isBlank()) {
      text += ": " + request.description().strip().replaceAll("\\s+", " ");
    }
    if (text.length() <= MAX_DESCRIPTION) {
      return text;
    }
    int end = MAX_DESCRIPTION - 1;
    if (Character.isHighSurrogate(text.charAt(end - 1))) {
      end--;
    }
    return text.substring(0, end) + "…";
  }

  /** The playbook and run id a description made by {@link #description} names. */
  static Optional<String[]> playbookAndRun(String description) {
    if (description == null) {
      return Optional.empty();
    }
    Matcher m = DESCRIPTION.matcher(description);
    return m.find() ? Optional.of(new String[] {m.group(1), m.group(2)}) : Optional.empty();
  }
}
