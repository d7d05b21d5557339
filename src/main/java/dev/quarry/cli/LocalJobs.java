package dev.quarry.cli;

import dev.quarry.config.QuarryConfig;
import dev.quarry.error.ErrorKind;
import dev.quarry.error.QuarryException;
import dev.quarry.job.JobRecord;
import dev.quarry.job.JobStatus;
import dev.quarry.job.local.LocalBatchJobs;
import dev.quarry.report.CompletionReportReader;
import dev.quarry.report.ReportLocation;
import dev.quarry.report.ReportReview;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * What the job commands share: the local executor for a configuration, job rendering, and the
 * review of a finished job's completion report (read from a folder or from S3).
 */
final class LocalJobs {
  static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

  private LocalJobs() {}

  /** Runs a Ready job here, with its progress on stderr while it runs. */
  static JobRecord execute(CliContext context, LocalBatchJobs jobs, String jobId) {
    try (ProgressBars.JobProgress progress = progressLine(context)) {
      return jobs.execute(jobId, progress);
    }
  }

  /**
   * A job's progress on stderr (stdout is for the result, e.g. {@code --output json}): a bar on a
   * terminal, plain lines otherwise (see {@link ProgressBars}). Its bar ends when the job stops
   * running; closing it ends it sooner.
   */
  static ProgressBars.JobProgress progressLine(CliContext context) {
    return ProgressBars.job(context);
  }

  static String progressText(JobRecord job) {
    JobRecord.Progress p = job.progress();
    return String.format(
        "%-10s %s/%s tasks  (%s failed)  %ss",
        job.status().awsName(),
        Sizes.count(p.tasksDone()),
        Sizes.count(p.totalNumberOfTasks()),
        Sizes.count(p.numberOfTasksFailed()),
        p.elapsedTimeInActiveSeconds());
  }

  static String progress(JobRecord job) {
    JobRecord.Progress p = job.progress();
    return p.tasksDone()
        + "/"
        + p.totalNumberOfTasks()
        + (p.numberOfTasksFailed() > 0 ? " (" + p.numberOfTasksFailed() + " failed)" : "");
  }

  /** The summary a run, confirm or resume ends with. */
  static void summary(JobRecord job, PrintWriter out) {
    summary(job, false, out);
  }

  /**
   * The status to show: the record's, or "Interrupted" for a job that waits for a process that is
   * gone (see {@link dev.quarry.job.local.JobDirectory#interrupted}); the record is not changed.
   */
  static String displayStatus(JobRecord job, boolean interrupted) {
    return interrupted ? "Interrupted" : job.status().awsName();
  }

  /** The command that takes the job on from here, when it waits for one. */
  static Optional<String> continueWith(JobRecord job, boolean interrupted) {
    if (interrupted || job.status() == JobStatus.READY) {
      return Optional.of("quarry resume " + job.jobId());
    }
    return job.status() == JobStatus.SUSPENDED
        ? Optional.of("quarry confirm " + job.jobId())
        : Optional.empty();
  }

  /** The job as JSON, with its display status and the command that continues it. */
  static com.fasterxml.jackson.databind.node.ObjectNode json(JobRecord job, boolean interrupted) {
    com.fasterxml.jackson.databind.node.ObjectNode node = Json.MAPPER.valueToTree(job);
    node.put("interrupted", interrupted);
    node.put("displayStatus", displayStatus(job, interrupted));
    continueWith(job, interrupted).ifPresent(c -> node.put("continueWith", c));
    return node;
  }

  /** The summary, with an interrupted job shown as such and the command that continues it. */
  static void summary(JobRecord job, boolean interrupted, PrintWriter out) {
    JobRecord.Progress p = job.progress();
    if (interrupted) {
      out.printf(
          "Job %s  Interrupted (%s; the process that ran it is gone)%n",
          job.jobId(), job.status().awsName());
      out.printf("  continue   quarry resume %s%n", job.jobId());
    } else {
      out.printf("Job %s  %s%n", job.jobId(), job.status().awsName());
    }
    out.printf(
        "  tasks      %s succeeded, %s failed, of %s%n",
        Sizes.count(p.numberOfTasksSucceeded()),
        Sizes.count(p.numberOfTasksFailed()),
        Sizes.count(p.totalNumberOfTasks()));
    out.printf("  elapsed    %s%n", Duration.ofSeconds(p.elapsedTimeInActiveSeconds()));
    job.failureReasons().forEach(r -> out.printf("  failure    %s%n", r));
    job.report().ifPresent(r -> out.printf("  report     %s%n", location(r, job.jobId())));
    if (job.status() == JobStatus.SUSPENDED) {
      out.printf("  waiting for confirmation: quarry confirm %s%n", job.jobId());
    }
  }

  /** Where a job's report is: its manifest.json, under {@code <prefix>/job-<jobId>/}. */
  static String location(ReportLocation location, String jobId) {
    return dev.quarry.app.ExecuteRun.reportManifest(location, jobId);
  }

  /**
   * Exit code of a command that ran a job: 0 when it completed, 1 when it ended otherwise, and 3
   * (an external error) when tasks ran and none succeeded: the endpoint or the objects refused them
   * all, whether the job ended Failed or, under AWS's threshold, Complete.
   */
  static int exitCode(JobRecord job) {
    JobRecord.Progress progress = job.progress();
    if ((job.status() == JobStatus.COMPLETE || job.status() == JobStatus.FAILED)
        && progress.tasksDone() > 0
        && progress.numberOfTasksSucceeded() == 0) {
      return ErrorKind.EXTERNAL.exitCode();
    }
    return switch (job.status()) {
      case COMPLETE, SUSPENDED, READY -> 0;
      case CANCELLED, FAILED -> 1;
      case NEW, PREPARING, ACTIVE, PAUSING, PAUSED, COMPLETING, CANCELLING, FAILING -> 0;
    };
  }

  static void print(CliContext context, GlobalOptions global, JobRecord job) {
    if (global.output() == OutputFormat.json) {
      context.out().println(Json.write(Map.of("job", job)));
    } else {
      summary(job, context.out());
    }
  }

  /**
   * Prints the job as a run, confirm or resume ends: its summary, then, once it has ended with a
   * report, the report's failures (read back with {@link CompletionReportReader}, from S3 for a job
   * on AWS). JSON has the job and the review.
   */
  static void finish(CliContext context, GlobalOptions global, QuarryConfig config, JobRecord job) {
    finish(context, global, job, review(context, config, job));
  }

  /** {@link #finish(CliContext, GlobalOptions, QuarryConfig, JobRecord)} with its review read. */
  static void finish(
      CliContext context, GlobalOptions global, JobRecord job, Optional<ReportReview> review) {
    finish(context, global, Optional.empty(), job, review);
  }

  /**
   * The run's last job and its review; for a run of several steps, also the tasks of all its jobs
   * added up ({@code run} in JSON).
   */
  static void finish(
      CliContext context,
      GlobalOptions global,
      Optional<dev.quarry.run.RunRecord> run,
      JobRecord job,
      Optional<ReportReview> review) {
    Optional<dev.quarry.run.RunRecord> steps = run.filter(r -> r.steps().size() > 1);
    if (global.output() == OutputFormat.json) {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("job", job);
      review.ifPresent(r -> out.put("review", r));
      steps.ifPresent(
          r -> {
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("id", r.id());
            summary.put("status", r.phase().label());
            summary.put("jobs", r.jobIds());
            summary.put("tasks", r.totalCounts());
            out.put("run", summary);
          });
      context.out().println(Json.write(out));
      return;
    }
    summary(job, context.out());
    review.ifPresent(r -> ReportCommand.printFailures(context.out(), r));
    steps.ifPresent(
        r -> {
          dev.quarry.run.RunRecord.Counts total = r.totalCounts();
          context
              .out()
              .printf(
                  "Run %s  %s: %d jobs (quarry runs show %s lists them)%n"
                      + "  tasks      %s succeeded, %s failed, of %s%n",
                  r.id(),
                  r.phase().label(),
                  r.jobIds().size(),
                  r.id(),
                  Sizes.count(total.succeeded()),
                  Sizes.count(total.failed()),
                  Sizes.count(total.objects()));
        });
  }

  /** The review of an ended job's report; empty when it has none or it cannot be read. */
  static Optional<ReportReview> review(CliContext context, QuarryConfig config, JobRecord job) {
    if (!job.status().terminal() || job.report().isEmpty() || job.progress().tasksDone() == 0) {
      return Optional.empty();
    }
    ReportReview.Builder review = ReportReview.builder(job.jobId(), 5);
    try (S3Client s3 = JobBackend.reportClient(config, job).orElse(null)) {
      CompletionReportReader.read(job.report().get(), job.jobId(), s3, review);
      return Optional.of(review.build());
    } catch (QuarryException e) {
      // the job's outcome stands without its report; say why the review is missing
      context.err().println("quarry: cannot review the completion report: " + e.getMessage());
      return Optional.empty();
    }
  }
}
