package dev.quarry.app;

import static java.util.Objects.requireNonNull;

import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.job.JobRecord;
import dev.quarry.manifest.StorageClassFile;
import dev.quarry.report.CompletionReport;
import dev.quarry.report.ReportAnalysis;
import dev.quarry.report.ReportComparison;
import dev.quarry.report.ReportLocation;
import dev.quarry.report.TaskResult;
import dev.quarry.run.RunRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Reviews the completion reports of a run (all its jobs) or of one job: {@code quarry report}. A
 * run id is looked up in the run store first; its jobs' reports are found through the job lookups,
 * and the run record's own report path stands in for its last job when the job is not known here.
 */
public final class ReviewReport {
  /** Reads one job's report at a location, streaming its rows. */
  @FunctionalInterface
  public interface Reader {
    CompletionReport read(ReportLocation location, String jobId, Consumer<TaskResult> rows);
  }

  /** What was reviewed: the analysis, the playbook it belongs to (when known), the reports read. */
  public record Result(
      ReportAnalysis analysis, Optional<String> playbook, List<CompletionReport> reports) {
    public Result {
      requireNonNull(analysis, "analysis is null");
      requireNonNull(playbook, "playbook is null");
      reports = List.copyOf(reports);
    }
  }

  private final Function<String, Optional<RunRecord>> runs;
  private final Function<String, Optional<JobRecord>> jobs;
  private final Function<String, Optional<ReportLocation>> locate;
  private final Reader reader;

  public ReviewReport(
      Function<String, Optional<RunRecord>> runs,
      Function<String, Optional<JobRecord>> jobs,
      Function<String, Optional<ReportLocation>> locate,
      Reader reader) {
    this.runs = requireNonNull(runs, "runs is null");
    this.jobs = requireNonNull(jobs, "jobs is null");
    this.locate = requireNonNull(locate, "locate is null");
    this.reader = requireNonNull(reader, "reader is null");
  }

  /**
   * @param id a run id or a job id
   * @param rows also sees every row (e.g. a retry manifest writer)
   */
  public Result review(String id, int maxFailed, Consumer<TaskResult> rows) {
    requireNonNull(id, "id is null");
    Optional<RunRecord> run = runs.apply(id);
    ReportAnalysis.Builder builder = ReportAnalysis.builder(id, maxFailed);
    Consumer<TaskResult> both = builder.andThen(rows);
    List<CompletionReport> reports = new ArrayList<>();
    Optional<JobRecord> job = run.isPresent() ? Optional.empty() : jobs.apply(id);
    Optional<RunRecord> owner = run.or(() -> job.flatMap(j -> runs.apply(j.runId())));
    storageClasses(builder, owner);
    if (run.isPresent()) {
      RunRecord r = run.get();
      if (r.jobIds().isEmpty()) {
        throw QuarryException.user(
            ErrorCode.REPORT_NOT_FOUND,
            "run " + id + " submitted no job (it is " + r.phase() + "): no report to review");
      }
      // the run's last job: in a restore-then-copy run each object is a task of both steps, so
      // merging them would count it twice; an earlier step is reviewed by its job id
      for (int i = r.jobIds().size() - 1; i < r.jobIds().size(); i++) {
        String jobId = r.jobIds().get(i);
        boolean last = i == r.jobIds().size() - 1;
        Optional<ReportLocation> where = locate.apply(jobId);
        if (where.isEmpty() && last) {
          where = r.report().flatMap(ReviewReport::prefixOf);
        }
        ReportLocation location =
            where.orElseThrow(
                () ->
                    QuarryException.user(
                        ErrorCode.REPORT_NOT_FOUND,
                        "job " + jobId + " of run " + id + " has no report that can be found"));
        builder.job(jobId);
        reports.add(reader.read(location, jobId, both));
      }
      r.ended().ifPresent(end -> builder.duration(Duration.between(r.started(), end)));
      for (RunRecord.Transition t : r.transitions()) {
        boolean end = t.phase().ended();
        builder.timeline(
            t.at(), t.phase().name(), end ? r.counts().succeeded() + r.counts().failed() : 0);
      }
      return new Result(builder.build(), Optional.of(r.playbook()), reports);
    }
    ReportLocation location =
        locate
            .apply(id)
            .orElseThrow(
                () ->
                    QuarryException.user(
                        ErrorCode.RUN_NOT_FOUND,
                        "no run or job "
                            + id
                            + " with a report (see quarry runs, quarry jobs); for another job"
                            + " give --location DIR|s3://B/P"));
    builder.job(id);
    reports.add(reader.read(location, id, both));
    job.ifPresent(
        j -> {
          j.terminated().ifPresent(end -> builder.duration(Duration.between(j.created(), end)));
          for (JobRecord.Transition t : j.transitions()) {
            builder.timeline(
                t.at(), t.status().awsName(), t.status().terminal() ? j.progress().tasksDone() : 0);
          }
        });
    return new Result(builder.build(), job.map(JobRecord::playbook), reports);
  }

  /**
   * Each task's class as the run's plan knew it, from the {@link StorageClassFile} beside its
   * manifest; a retry's plan saw no query, so its origin's file stands in (the same tasks).
   */
  private void storageClasses(ReportAnalysis.Builder builder, Optional<RunRecord> run) {
    if (run.isEmpty()) {
      return;
    }
    RunRecord r = run.get();
    Optional<StorageClassFile.Lookup> lookup = read(r);
    String source = "the plan of run " + r.id();
    if (lookup.isEmpty() && r.retryOf().isPresent()) {
      Optional<RunRecord> origin = runs.apply(r.retryOf().get());
      lookup = origin.flatMap(ReviewReport::read);
      source = "the plan of run " + r.retryOf().get() + ", retried by " + r.id();
    }
    if (lookup.isEmpty()) {
      builder.storageClassOf(
          t -> Optional.empty(),
          "none: run "
              + r.id()
              + " was planned without a "
              + StorageClassFile.NAME
              + " (before Quarry kept one, or it was removed)");
      return;
    }
    StorageClassFile.Lookup classes = lookup.get();
    builder.storageClassOf(
        t -> classes.of(t.bucket(), t.key(), t.versionId()),
        source + " (" + StorageClassFile.NAME + ": the query's or the inventory's classes)");
  }

  private static Optional<StorageClassFile.Lookup> read(RunRecord run) {
    // the location is the plan's local file (the upload to S3 is a copy of it)
    return run.manifest()
        .filter(m -> !m.location().startsWith("s3://"))
        .flatMap(m -> StorageClassFile.read(Path.of(m.location())));
  }

  /** Compares two runs (or jobs) of one playbook; refuses two different playbooks. */
  public ReportComparison compare(String a, String b) {
    Result first = review(a, 0, r -> {});
    Result second = review(b, 0, r -> {});
    if (first.playbook().isPresent()
        && second.playbook().isPresent()
        && !first.playbook().equals(second.playbook())) {
      throw QuarryException.user(
          ErrorCode.OPTION_INVALID,
          a
              + " ran playbook '"
              + first.playbook().get()
              + "' and "
              + b
              + " ran '"
              + second.playbook().get()
              + "': compare two runs of one playbook");
    }
    return ReportComparison.of(first.analysis(), second.analysis());
  }

  /**
   * The report prefix of a run record's report, {@code <prefix>/job-<id>/manifest.json} as {@link
   * ExecuteRun#reportManifest} writes it.
   */
  /**
   * Where the completion report of a run's step is, from the report it recorded.
   *
   * @param otherwise what the refusal says follows from there being none (e.g. "nothing to retry")
   */
  static ReportLocation reportOf(String runId, RunRecord.Step step, String otherwise) {
    String jobId =
        step.jobId().orElseThrow(() -> new IllegalArgumentException("a step without a job"));
    return step.report()
        .flatMap(ReviewReport::prefixOf)
        .orElseThrow(
            () ->
                QuarryException.user(
                    ErrorCode.REPORT_NOT_FOUND,
                    "run "
                        + runId
                        + " has no completion report on record for its job "
                        + jobId
                        + ": "
                        + otherwise));
  }

  static Optional<ReportLocation> prefixOf(String manifest) {
    String suffix = "/manifest.json";
    if (!manifest.endsWith(suffix)) {
      return Optional.empty();
    }
    String jobDir = manifest.substring(0, manifest.length() - suffix.length());
    int slash = jobDir.lastIndexOf('/');
    if (slash < 0 || !jobDir.substring(slash + 1).startsWith("job-")) {
      return Optional.empty();
    }
    String prefix = jobDir.substring(0, slash);
    if (manifest.startsWith("s3://")) {
      String rest = prefix.substring("s3://".length());
      int first = rest.indexOf('/');
      return Optional.of(
          first < 0
              ? new ReportLocation.S3(rest, "")
              : new ReportLocation.S3(rest.substring(0, first), rest.substring(first + 1)));
    }
    return Optional.of(new ReportLocation.Local(Path.of(prefix)));
  }
}
