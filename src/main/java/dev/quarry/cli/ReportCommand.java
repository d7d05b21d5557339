package dev.quarry.cli;

import dev.quarry.config.QuarryConfig;
import dev.quarry.error.QuarryException;
import dev.quarry.io.AtomicFiles;
import dev.quarry.job.JobRecord;
import dev.quarry.job.local.JobDirectory;
import dev.quarry.job.local.LocalBatchJobs;
import dev.quarry.manifest.Manifest;
import dev.quarry.report.CompletionReport;
import dev.quarry.report.CompletionReportReader;
import dev.quarry.report.ReportHtml;
import dev.quarry.report.ReportLocation;
import dev.quarry.report.ReportReview;
import dev.quarry.report.RetryManifestWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import software.amazon.awssdk.services.s3.S3Client;

/** {@code quarry report}: reviews a job's completion report. */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description = {
      "Reviews a job's completion report (Report_CSV_20180820, as S3 Batch Operations or the local"
          + " executor writes it): how many tasks ran, succeeded and failed, and the failures"
          + " grouped by error code with some of their keys.",
      "Every results file is checked against the MD5 manifest.json gives for it.",
      "",
      "Examples:",
      "  quarry report 5078d22c-bad2-4ba8-82e2-3c120c719a38      # found by its id (quarry jobs)",
      "  quarry report --playbook reencrypt-to-kms                 # that playbook's latest job",
      "  quarry report --location reports/ 5078d22c-bad2-4ba8-82e2-3c120c719a38",
      "  quarry report --location s3://my-reports/batch 5078d22c-... --output json",
      "  quarry report --location s3://my-reports/batch 5078d22c-... \\",
      "      --failed-manifest retry.csv --html report.html",
      ""
    })
public final class ReportCommand implements Runnable {
  @Mixin GlobalOptions global;

  @Option(
      names = "--location",
      paramLabel = "DIR|S3URI",
      description =
          "The report prefix the job was given: a folder, or s3://bucket/prefix. The report is"
              + " <location>/job-<job-id>/manifest.json.")
  String location;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "JOB-ID",
      description = "The job whose report to read (see quarry jobs).")
  String jobId;

  @Option(
      names = "--playbook",
      paramLabel = "NAME",
      description =
          "Instead of a job id: the newest job of this playbook that has a report (see quarry"
              + " jobs); says so when a newer one has none yet.")
  String playbook;

  @Option(
      names = "--examples",
      paramLabel = "N",
      defaultValue = "5",
      description = "Keys shown per group of failures (default: ${DEFAULT-VALUE}).")
  int examples;

  @Option(
      names = "--failed-manifest",
      paramLabel = "FILE",
      description =
          "Also write the failed tasks as a manifest (S3BatchOperations_CSV_20180820) to submit"
              + " again. Nothing is written when no task failed.")
  Path failedManifest;

  @Option(
      names = "--html",
      paramLabel = "FILE",
      description = "Also write the review as a self-contained HTML page.")
  Path html;

  private final CliContext context;
  private final ReportLocator locator;

  /**
   * Finds a job's report through the profile's executor: a local job's record, or DescribeJob's
   * Report on S3 Batch Operations.
   */
  public ReportCommand(CliContext context) {
    this.context = context;
    this.locator =
        id -> {
          Optional<JobRecord> job = find(id);
          job.ifPresent(this::writeIfMissing);
          return job.flatMap(JobRecord::report);
        };
  }

  /**
   * A local job's report that could not be written when the job ended (a full disk) is written now,
   * from the outcomes the job keeps.
   */
  private void writeIfMissing(JobRecord job) {
    QuarryConfig config = context.config(global);
    if (!config.executor().equals("local") || !job.status().terminal()) {
      return;
    }
    JobBackend.with(
            config,
            1,
            b ->
                b instanceof JobBackend.Local local
                    ? local.jobs().writeMissingReport(job.jobId())
                    : Optional.<CompletionReport>empty())
        .ifPresent(
            r ->
                context
                    .err()
                    .println(
                        "quarry: the completion report was missing; written from the job's"
                            + " stored outcomes: "
                            + r.manifestKey()));
  }

  private Optional<JobRecord> find(String id) {
    QuarryConfig config = context.config(global);
    return config.executor().equals("local")
        ? new JobDirectory(LocalBatchJobs.jobsDir(config.stateDir())).find(id)
        : JobBackend.with(config, 1, b -> b.jobs().describe(id));
  }

  private java.util.List<JobRecord> jobs() {
    QuarryConfig config = context.config(global);
    return config.executor().equals("local")
        ? new JobDirectory(LocalBatchJobs.jobsDir(config.stateDir())).list()
        : JobBackend.with(config, 1, b -> b.jobs().list());
  }

  public ReportCommand(CliContext context, ReportLocator locator) {
    this.context = context;
    this.locator = locator;
  }

  @Override
  public void run() {
    if (global.output() == OutputFormat.csv) {
      throw QuarryException.user("report prints text or json, not csv");
    }
    if (examples < 0) {
      throw QuarryException.user("--examples must be 0 or more, not " + examples);
    }
    if ((jobId == null) == (playbook == null)) {
      throw QuarryException.user("give a JOB-ID or --playbook NAME (one of them)");
    }
    if (playbook != null) {
      jobId = latestJobOf(playbook);
    }
    ReportLocation where = location();
    ReportReview.Builder review = ReportReview.builder(jobId, examples);
    CompletionReport report;
    Optional<Manifest> retry = Optional.empty();
    try (S3Client s3 = where instanceof ReportLocation.S3 ? s3() : null;
        RetryManifestWriter retryWriter =
            failedManifest == null ? null : new RetryManifestWriter(failedManifest)) {
      report =
          CompletionReportReader.read(
              where,
              jobId,
              s3,
              row -> {
                review.accept(row);
                if (retryWriter != null) {
                  retryWriter.accept(row);
                }
              });
      if (retryWriter != null) {
        retry = retryWriter.finish();
      }
    }
    ReportReview result = review.build();
    if (html != null) {
      AtomicFiles.write(html, ReportHtml.render(result).getBytes(StandardCharsets.UTF_8));
    }
    switch (global.output()) {
      case json -> {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("report", report.manifestUri());
        out.put("review", result);
        if (failedManifest != null) {
          out.put("failedManifest", retry.map(m -> m.file().toString()).orElse(null));
        }
        if (html != null) {
          out.put("html", html.toString());
        }
        context.out().println(Json.write(out));
      }
      case text, csv -> printText(report, result, retry);
    }
  }

  private ReportLocation location() {
    if (location == null) {
      return locator
          .locate(jobId)
          .orElseThrow(
              () ->
                  QuarryException.user(
                      (context.config(global).executor().equals("local")
                              ? "no local job "
                              : "no job ")
                          + jobId
                          + " with a report (see quarry jobs); for another job give --location DIR|s3://B/P"));
    }
    if (location.startsWith("s3://")) {
      // not java.net.URI: a prefix may hold any character a key may
      String rest = location.substring("s3://".length());
      int slash = rest.indexOf('/');
      String bucket = slash < 0 ? rest : rest.substring(0, slash);
      if (bucket.isEmpty()) {
        throw QuarryException.user("--location " + location + ": no bucket in the S3 URI");
      }
      String prefix = slash < 0 ? "" : rest.substring(slash + 1).replaceAll("^/+|/+$", "");
      return new ReportLocation.S3(bucket, prefix);
    }
    return new ReportLocation.Local(Path.of(location));
  }

  /**
   * The newest job of the playbook that has a report. When a newer one has none yet (Suspended,
   * running, cancelled before any task ran), says so on stderr, with why and how to see it; when
   * none has one, that is the error.
   */
  private String latestJobOf(String name) {
    java.util.List<JobRecord> ofPlaybook =
        jobs().stream()
            .filter(job -> job.playbook().equals(name))
            .sorted(java.util.Comparator.comparing(JobRecord::created).reversed())
            .toList();
    if (ofPlaybook.isEmpty()) {
      throw QuarryException.user("no job of playbook '" + name + "' (see quarry jobs)");
    }
    JobRecord newest = ofPlaybook.get(0);
    Optional<JobRecord> reported = ofPlaybook.stream().filter(ReportCommand::hasReport).findFirst();
    String newestHasNone =
        "the newest job of playbook '"
            + name
            + "', "
            + newest.jobId()
            + ", has no report yet: "
            + whyNoReport(newest)
            + "; see it with: quarry job "
            + newest.jobId();
    if (reported.isEmpty()) {
      throw QuarryException.user(newestHasNone + "; no older job of it has a report either");
    }
    if (reported.get() != newest) {
      context
          .err()
          .println(
              "quarry: "
                  + newestHasNone
                  + ". Showing the report of "
                  + reported.get().jobId()
                  + " ("
                  + reported.get().status().awsName()
                  + ", created "
                  + LocalJobs.TIME.format(reported.get().created())
                  + ").");
    }
    return reported.get().jobId();
  }

  /** A job writes its report as it ends, once at least one task ran. */
  private static boolean hasReport(JobRecord job) {
    return job.status().terminal() && job.report().isPresent() && job.progress().tasksDone() > 0;
  }

  private static String whyNoReport(JobRecord job) {
    String id = job.jobId();
    return switch (job.status()) {
      case SUSPENDED -> "it is Suspended, waiting for confirmation (quarry confirm " + id + ")";
      case READY -> "it is Ready and has not run (quarry resume " + id + ")";
      case NEW, PREPARING, ACTIVE, PAUSING, PAUSED, COMPLETING, CANCELLING, FAILING ->
          "it is "
              + job.status().awsName()
              + ": its report is written when it ends (if its process died, quarry resume "
              + id
              + ")";
      case COMPLETE, CANCELLED, FAILED ->
          "it ended "
              + job.status().awsName()
              + " without one (no task ran, or it was not written)";
    };
  }

  private S3Client s3() {
    return dev.quarry.config.S3Clients.create(context.config(global), 4);
  }

  private void printText(CompletionReport report, ReportReview review, Optional<Manifest> retry) {
    var out = context.out();
    out.printf(
        "Job %s: %d %s, %d succeeded, %d failed%n",
        review.jobId(),
        review.tasks(),
        review.tasks() == 1 ? "task" : "tasks",
        review.succeeded(),
        review.failed());
    out.printf("Report: %s%n", report.manifestUri());
    printFailures(out, review);
    if (failedManifest != null) {
      out.println();
      out.println(
          retry
              .map(m -> "Retry manifest: " + m.file() + " (" + m.rows() + " rows)")
              .orElse("No task failed: no retry manifest written."));
    }
    if (html != null) {
      out.println("HTML: " + html);
    }
  }

  /** The failures grouped by error code, with some keys of each; nothing when none failed. */
  static void printFailures(java.io.PrintWriter out, ReportReview review) {
    if (!review.failures().isEmpty()) {
      out.println();
      out.println("Failures by error code:");
      for (ReportReview.FailureGroup group : review.failures()) {
        out.printf(
            "  %s%s: %d %s%n",
            group.errorCode().isEmpty() ? "(no error code)" : group.errorCode(),
            group.httpStatus() > 0 ? " (HTTP " + group.httpStatus() + ")" : "",
            group.count(),
            group.count() == 1 ? "task" : "tasks");
        for (String key : group.exampleKeys()) {
          out.println("    " + RowOutput.oneLine(key));
        }
        long more = group.count() - group.exampleKeys().size();
        if (more > 0 && !group.exampleKeys().isEmpty()) {
          out.printf("    ... and %d more%n", more);
        }
      }
    }
  }
}
