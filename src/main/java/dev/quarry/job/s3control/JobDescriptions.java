package dev.quarry.job.s3control;

import dev.quarry.action.OperationView;
import dev.quarry.job.JobRecord;
import dev.quarry.job.JobStatus;
import dev.quarry.report.ReportLocation;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.s3control.model.JobDescriptor;
import software.amazon.awssdk.services.s3control.model.JobFailure;
import software.amazon.awssdk.services.s3control.model.JobListDescriptor;
import software.amazon.awssdk.services.s3control.model.JobProgressSummary;
import software.amazon.awssdk.services.s3control.model.JobReport;

/**
 * DescribeJob's and ListJobs' answers as {@link JobRecord}s. What S3 Control does not return (the
 * client request token, the playbook and run, the action's name, the history of statuses) comes
 * from this machine's {@link Submission} when it made the job; else the playbook and run from the
 * job's description, and the operation's name stands for the action.
 */
final class JobDescriptions {
  private JobDescriptions() {}

  static JobRecord fromDescribe(JobDescriptor job, Optional<Submission> submission, Instant now) {
    JobStatus status = status(job.statusAsString());
    String action =
        submission
            .map(s -> s.request().action().type())
            .orElseGet(
                () -> job.operation() == null ? "" : OperationView.of(job.operation()).name());
    List<String> reasons = job.failureReasons().stream().map(JobDescriptions::failure).toList();
    return new JobRecord(
        job.jobId(),
        submission.map(s -> s.request().clientRequestToken()).orElse(""),
        playbook(job.description(), submission),
        runId(job.description(), submission),
        nullToEmpty(job.description()),
        job.priority() == null ? 0 : job.priority(),
        action,
        status,
        progress(job.progressSummary()),
        reasons,
        report(job.report()),
        status == JobStatus.CANCELLING || status == JobStatus.CANCELLED,
        creation(job.creationTime(), now),
        Optional.ofNullable(job.terminationDate()),
        transitions(submission, status, job.statusUpdateReason(), now));
  }

  static JobRecord fromList(JobListDescriptor job, Optional<Submission> submission, Instant now) {
    JobStatus status = status(job.statusAsString());
    return new JobRecord(
        job.jobId(),
        submission.map(s -> s.request().clientRequestToken()).orElse(""),
        playbook(job.description(), submission),
        runId(job.description(), submission),
        nullToEmpty(job.description()),
        job.priority() == null ? 0 : job.priority(),
        submission
            .map(s -> s.request().action().type())
            .orElseGet(() -> nullToEmpty(job.operationAsString())),
        status,
        progress(job.progressSummary()),
        List.of(),
        submission.map(s -> s.request().report()).filter(r -> r.enabled()).map(r -> r.location()),
        status == JobStatus.CANCELLING || status == JobStatus.CANCELLED,
        creation(job.creationTime(), now),
        Optional.ofNullable(job.terminationDate()),
        transitions(submission, status, null, now));
  }

  static JobStatus status(String aws) {
    try {
      return JobStatus.fromAws(aws);
    } catch (IllegalArgumentException e) {
      throw new dev.quarry.error.QuarryException(
          dev.quarry.error.ErrorCode.S3_CONTROL_FAILED,
          "S3 Control answered job status '"
              + aws
              + "', which this version of Quarry does not know");
    }
  }

  static JobRecord.Progress progress(JobProgressSummary summary) {
    if (summary == null) {
      return JobRecord.Progress.NONE;
    }
    long elapsed =
        summary.timers() == null || summary.timers().elapsedTimeInActiveSeconds() == null
            ? 0
            : summary.timers().elapsedTimeInActiveSeconds();
    return new JobRecord.Progress(
        orZero(summary.totalNumberOfTasks()),
        orZero(summary.numberOfTasksSucceeded()),
        orZero(summary.numberOfTasksFailed()),
        elapsed);
  }

  /** A report that is enabled, as its bucket (an ARN) and prefix. */
  static Optional<ReportLocation> report(JobReport report) {
    if (report == null || !Boolean.TRUE.equals(report.enabled()) || report.bucket() == null) {
      return Optional.empty();
    }
    String bucket = report.bucket();
    int colons = bucket.lastIndexOf(":::");
    if (bucket.startsWith("arn:") && colons >= 0) {
      bucket = bucket.substring(colons + 3);
    }
    return Optional.of(
        new ReportLocation.S3(bucket, nullToEmpty(report.prefix()).replaceAll("^/+|/+$", "")));
  }

  private static String failure(JobFailure failure) {
    String code = nullToEmpty(failure.failureCode());
    String reason = nullToEmpty(failure.failureReason());
    return code.isEmpty() ? reason : reason.isEmpty() ? code : code + ": " + reason;
  }

  private static String playbook(String description, Optional<Submission> submission) {
    return submission
        .map(s -> s.request().playbook())
        .or(() -> CreateJobRequests.playbookAndRun(description).map(p -> p[0]))
        .orElse("");
  }

  private static String runId(String description, Optional<Submission> submission) {
    return submission
        .map(s -> s.request().runId())
        .or(() -> CreateJobRequests.playbookAndRun(description).map(p -> p[1]))
        .orElse("");
  }

  /** What this machine saw, ending with what S3 Control says now. */
  private static List<JobRecord.Transition> transitions(
      Optional<Submission> submission, JobStatus status, String reason, Instant now) {
    List<JobRecord.Transition> seen = submission.map(Submission::transitions).orElse(List.of());
    if (!seen.isEmpty() && seen.get(seen.size() - 1).status() == status) {
      return seen;
    }
    return java.util.stream.Stream.concat(
            seen.stream(),
            java.util.stream.Stream.of(new JobRecord.Transition(status, now, nullToEmpty(reason))))
        .toList();
  }

  private static Instant creation(Instant created, Instant now) {
    return created == null ? now : created;
  }

  private static long orZero(Long value) {
    return value == null ? 0 : value;
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
