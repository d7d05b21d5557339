package dev.quarry.cli;

import dev.quarry.app.ReviewReport;
import dev.quarry.config.QuarryConfig;
import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.io.AtomicFiles;
import dev.quarry.job.JobRecord;
import dev.quarry.job.local.JobDirectory;
import dev.quarry.job.local.LocalBatchJobs;
import dev.quarry.manifest.Manifest;
import dev.quarry.report.CompletionReport;
import dev.quarry.report.CompletionReportReader;
import dev.quarry.report.ReportAnalysis;
import dev.quarry.report.ReportComparison;
import dev.quarry.report.ReportDocument;
import dev.quarry.report.ReportLocation;
import dev.quarry.report.ReportPage;
import dev.quarry.report.ReportReview;
import dev.quarry.report.RetryManifestWriter;
import dev.quarry.run.RunStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
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
      paramLabel = "RUN-ID|JOB-ID",
      description =
          "The run (see quarry runs; all its jobs) or the job (see quarry jobs) whose report to"
              + " read.")
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
      description =
          "Also write the review as one self-contained HTML page (figures, charts, errors,"
              + " prefixes, a searchable table of failures); it loads nothing from the network.")
  Path html;

  @Option(
      names = "--failed",
      description =
          "List the failed tasks instead (bucket, key decoded, version, error code, HTTP status,"
              + " message), in the --output format.")
  boolean failed;

  @Option(
      names = "--max-failed",
      paramLabel = "N",
      defaultValue = "100000",
      description =
          "Failed tasks kept for --failed and the HTML table (default: ${DEFAULT-VALUE}); the"
              + " counts always cover all.")
  int maxFailed;

  @Option(
      names = "--compare",
      arity = "2",
      paramLabel = "RUN",
      description =
          "Compare two runs (or jobs) of one playbook: counts, errors by code, duration (b - a).")
  List<String> compare;

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
   * The HTML page of the report of {@code id} (a run or a job), as {@code --html} writes it, with
   * the default limits: the daemon's status page serves it on /runs/&lt;id&gt;/report.
   */
  static String page(CliContext context, GlobalOptions global, String id) {
    ReportCommand command = new ReportCommand(context);
    command.global = global;
    command.examples = 5;
    ReviewReport.Result result = command.useCase(null).review(id, 100_000, row -> {});
    return ReportPage.render(result.analysis());
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
    if (examples < 0) {
      throw QuarryException.user(
          ErrorCode.OPTION_INVALID, "--examples must be 0 or more, not " + examples);
    }
    if (maxFailed < 0) {
      throw QuarryException.user(
          ErrorCode.OPTION_INVALID, "--max-failed must be 0 or more, not " + maxFailed);
    }
    if (compare != null) {
      if (jobId != null || playbook != null || failed || html != null || failedManifest != null) {
        throw QuarryException.user(
            ErrorCode.OPTION_INVALID,
            "--compare A B takes two run (or job) ids and no other id, --failed or file");
      }
      compare();
      return;
    }
    if ((jobId == null) == (playbook == null)) {
      throw QuarryException.user(
          ErrorCode.OPTION_INVALID, "give a RUN-ID or JOB-ID, or --playbook NAME (one of them)");
    }
    if (playbook != null) {
      jobId = latestJobOf(playbook);
    }
    ReportReview.Builder review = ReportReview.builder(jobId, examples);
    ReviewReport.Result result;
    Optional<Manifest> retry = Optional.empty();
    try (S3Client s3 = location != null && location.startsWith("s3://") ? s3() : null;
        RetryManifestWriter retryWriter =
            failedManifest == null ? null : new RetryManifestWriter(failedManifest)) {
      result =
          useCase(s3)
              .review(
                  jobId,
                  failed || html != null ? maxFailed : 0,
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
    ReportAnalysis analysis = result.analysis();
    if (html != null) {
      AtomicFiles.write(html, ReportPage.render(analysis).getBytes(StandardCharsets.UTF_8));
    }
    if (failed) {
      printFailed(analysis);
      return;
    }
    switch (global.output()) {
      case json -> {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put(
            "report", result.reports().stream().map(CompletionReport::manifestUri).toList().get(0));
        out.put("reports", result.reports().stream().map(CompletionReport::manifestUri).toList());
        out.put("review", review.build());
        out.put("analysis", ReportDocument.of(analysis));
        if (failedManifest != null) {
          out.put("failedManifest", retry.map(m -> m.file().toString()).orElse(null));
        }
        if (html != null) {
          out.put("html", html.toString());
        }
        context.out().println(Json.write(out));
      }
      case csv -> {
        csv(
            List.of("errorCode", "httpStatus", "count", "hint"),
            analysis.failures().stream()
                .map(
                    g ->
                        List.<Object>of(
                            g.errorCode(), g.httpStatus(), g.count(), g.hint().orElse("")))
                .toList());
      }
      case text -> printText(result, review.build(), retry);
    }
  }

  /**
   * Runs through the run store (a run's jobs), then the job lookups; with --location, only that
   * folder or prefix, for a job id.
   */
  private ReviewReport useCase(S3Client s3) {
    ReviewReport.Reader reader =
        (where, job, rows) -> {
          if (where instanceof ReportLocation.S3 && s3 == null) {
            try (S3Client client = s3()) {
              return CompletionReportReader.read(where, job, client, rows);
            }
          }
          return CompletionReportReader.read(where, job, s3, rows);
        };
    if (location != null) {
      ReportLocation where = location();
      return new ReviewReport(
          id -> Optional.empty(), id -> Optional.empty(), id -> Optional.of(where), reader);
    }
    return new ReviewReport(
        id -> {
          try (RunStore store = Composition.runStore(context.config(global))) {
            return store.find(id);
          }
        },
        this::findQuietly,
        locator::locate,
        reader);
  }

  private Optional<JobRecord> findQuietly(String id) {
    try {
      return find(id);
    } catch (QuarryException e) {
      // the job record only adds timing; the report is found without it
      return Optional.empty();
    }
  }

  private void compare() {
    ReportComparison c;
    try (S3Client s3 = location != null && location.startsWith("s3://") ? s3() : null) {
      c = useCase(s3).compare(compare.get(0), compare.get(1));
    }
    switch (global.output()) {
      case json -> {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("a", ReportDocument.of(c.a()));
        out.put("b", ReportDocument.of(c.b()));
        out.put("tasksDelta", c.tasksDelta());
        out.put("succeededDelta", c.succeededDelta());
        out.put("failedDelta", c.failedDelta());
        out.put(
            "durationDeltaSeconds", c.durationDelta().map(d -> d.toMillis() / 1000.0).orElse(null));
        out.put("errors", c.errors());
        context.out().println(Json.write(out));
      }
      case csv -> {
        List<List<Object>> rows = new java.util.ArrayList<>();
        rows.add(List.of("(tasks)", "", c.a().tasks(), c.b().tasks(), c.tasksDelta()));
        rows.add(
            List.of("(succeeded)", "", c.a().succeeded(), c.b().succeeded(), c.succeededDelta()));
        rows.add(List.of("(failed)", "", c.a().failed(), c.b().failed(), c.failedDelta()));
        for (ReportComparison.ErrorChange e : c.errors()) {
          rows.add(List.of(e.errorCode(), e.httpStatus(), e.inA(), e.inB(), e.delta()));
        }
        csv(List.of("what", "httpStatus", "a", "b", "delta"), rows);
      }
      case text -> {
        var out = context.out();
        out.printf("Comparing %s (a) with %s (b)%n", c.a().subject(), c.b().subject());
        out.printf("  %-12s %10s %10s %10s%n", "", "a", "b", "b - a");
        out.printf(
            "  %-12s %10d %10d %+10d%n", "tasks", c.a().tasks(), c.b().tasks(), c.tasksDelta());
        out.printf(
            "  %-12s %10d %10d %+10d%n",
            "succeeded", c.a().succeeded(), c.b().succeeded(), c.succeededDelta());
        out.printf(
            "  %-12s %10d %10d %+10d%n", "failed", c.a().failed(), c.b().failed(), c.failedDelta());
        out.printf(
            "  %-12s %10s %10s %10s%n",
            "duration",
            seconds(c.a().duration()),
            seconds(c.b().duration()),
            c.durationDelta()
                .map(d -> String.format("%+.1f s", d.toMillis() / 1000.0))
                .orElse("-"));
        if (!c.errors().isEmpty()) {
          out.println();
          out.println("Errors (a -> b):");
          for (ReportComparison.ErrorChange e : c.errors()) {
            out.printf(
                "  %s%s: %d -> %d (%+d)%n",
                e.errorCode().isEmpty() ? "(no error code)" : e.errorCode(),
                e.httpStatus() > 0 ? " (HTTP " + e.httpStatus() + ")" : "",
                e.inA(),
                e.inB(),
                e.delta());
          }
        }
      }
    }
  }

  private static String seconds(Optional<java.time.Duration> d) {
    return d.map(x -> String.format("%.1f s", x.toMillis() / 1000.0)).orElse("-");
  }

  private void csv(List<String> header, List<List<Object>> rows) {
    try (CSVPrinter printer =
        new CSVPrinter(
            context.out(),
            CSVFormat.DEFAULT.builder().setHeader(header.toArray(String[]::new)).get())) {
      for (List<Object> row : rows) {
        printer.printRecord(row);
      }
      printer.flush();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** --failed: the failed tasks only, keys decoded. */
  private void printFailed(ReportAnalysis analysis) {
    switch (global.output()) {
      case json -> context.out().println(Json.write(ReportDocument.failedTasks(analysis)));
      case csv ->
          csv(
              List.of("bucket", "key", "versionId", "errorCode", "httpStatus", "message"),
              analysis.failedTasks().stream()
                  .map(
                      t ->
                          java.util.Arrays.<Object>asList(
                              t.bucket(),
                              t.key(),
                              t.versionId(),
                              t.errorCode(),
                              t.httpStatus(),
                              t.message()))
                  .toList());
      case text -> {
        for (ReportAnalysis.FailedTask t : analysis.failedTasks()) {
          context
              .out()
              .printf(
                  "%s\t%s%s%n",
                  RowOutput.oneLine(t.key()),
                  t.errorCode().isEmpty() ? "(no error code)" : t.errorCode(),
                  t.httpStatus() > 0 ? " (HTTP " + t.httpStatus() + ")" : "");
        }
      }
    }
    if (analysis.failedTasks().size() < analysis.failed()) {
      context
          .err()
          .printf(
              "quarry: listed the first %d of %d failed tasks (--max-failed)%n",
              analysis.failedTasks().size(), analysis.failed());
    }
  }

  private ReportLocation location() {
    if (location == null) {
      return locator
          .locate(jobId)
          .orElseThrow(
              () ->
                  QuarryException.user(
                      ErrorCode.JOB_NOT_FOUND,
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
        throw QuarryException.user(
            ErrorCode.OPTION_INVALID, "--location " + location + ": no bucket in the S3 URI");
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
      throw QuarryException.user(
          ErrorCode.JOB_NOT_FOUND, "no job of playbook '" + name + "' (see quarry jobs)");
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
      throw QuarryException.user(
          ErrorCode.REPORT_NOT_FOUND, newestHasNone + "; no older job of it has a report either");
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

  private void printText(
      ReviewReport.Result result, ReportReview review, Optional<Manifest> retry) {
    var out = context.out();
    ReportAnalysis a = result.analysis();
    out.printf(
        "%s %s: %d %s, %d succeeded, %d failed (%.1f%% succeeded)%n",
        a.jobIds().size() == 1 && a.jobIds().get(0).equals(a.subject()) ? "Job" : "Run",
        a.subject(),
        a.tasks(),
        a.tasks() == 1 ? "task" : "tasks",
        a.succeeded(),
        a.failed(),
        a.successRate() * 100);
    for (CompletionReport report : result.reports()) {
      out.printf("Report: %s%n", report.manifestUri());
    }
    out.printf(
        "Duration: %s%n",
        a.duration()
            .map(
                d ->
                    seconds(Optional.of(d))
                        + a.tasksPerSecond()
                            .map(r -> String.format(", %.1f tasks/s", r))
                            .orElse(""))
            .orElse("unknown (no job or run record here says when it ended)"));
    printFailures(out, review, a);
    out.println();
    out.println("Top prefixes:");
    for (ReportAnalysis.Group g : a.prefixes()) {
      out.printf(
          "  %s: %s, %d failed%n", RowOutput.oneLine(g.name()), tasks(g.tasks()), g.failed());
    }
    out.println();
    out.printf("Storage classes (source: %s):%n", a.storageClassSource());
    for (ReportAnalysis.Group g : a.storageClasses()) {
      out.printf("  %s: %s, %d failed%n", g.name(), tasks(g.tasks()), g.failed());
    }
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

  private static String tasks(long n) {
    return n + (n == 1 ? " task" : " tasks");
  }

  static void printFailures(java.io.PrintWriter out, ReportReview review) {
    printFailures(out, review, null);
  }

  /** The failures grouped by error code, with some keys of each; nothing when none failed. */
  private static void printFailures(
      java.io.PrintWriter out, ReportReview review, ReportAnalysis analysis) {
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
        if (analysis != null) {
          // the same code and status in both groupings; the hint is the analysis's
          dev.quarry.report.ErrorHints.of(group.errorCode(), group.httpStatus())
              .ifPresent(hint -> out.println("    hint: " + hint));
        }
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
