package dev.quarry.cli;

import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.run.RunPhase;
import dev.quarry.run.RunRecord;
import dev.quarry.run.RunStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code quarry runs}: the history of runs, from the run store. */
@Command(
    name = "runs",
    mixinStandardHelpOptions = true,
    description = {
      "Lists runs, newest first, from the run store (the profile's run-store, by default"
          + " <state-dir>/runs.mv.db): each run's id, playbook, status, jobs, objects, tasks"
          + " succeeded and failed, and when it started and ended. 'quarry runs show <run>' tells"
          + " one run's whole story.",
      "",
      "Examples:",
      "  quarry runs",
      "  quarry runs --playbook restore-rainy-training --status failed",
      "  quarry runs --since 7d --output json",
      "  quarry runs show 20261201T100000Z-1a2b3c",
      ""
    },
    subcommands = RunsCommand.Show.class)
public final class RunsCommand implements Runnable {
  @Mixin GlobalOptions global;

  @Option(names = "--playbook", paramLabel = "NAME", description = "Only runs of this playbook.")
  String playbook;

  @Option(
      names = "--status",
      paramLabel = "STATUS",
      description =
          "Only runs in this status: planned, refused, awaiting-approval, submitted, running,"
              + " completed, failed, cancelled.")
  String status;

  @Option(
      names = "--since",
      paramLabel = "WHEN",
      description =
          "Only runs started since then: an instant (2026-12-01T10:00:00Z), a day (2026-12-01,"
              + " UTC) or an age (30m, 24h, 7d).")
  String since;

  private final CliContext context;

  public RunsCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public void run() {
    if (global.output() == OutputFormat.csv) {
      throw QuarryException.user(ErrorCode.OPTION_INVALID, "runs prints text or json, not csv");
    }
    RunStore.Query query =
        new RunStore.Query(
            Optional.ofNullable(playbook),
            Optional.ofNullable(status).map(RunsCommand::phase),
            Optional.ofNullable(since).map(s -> since(s, Clock.systemUTC())));
    List<RunRecord> runs;
    Map<String, List<String>> retries;
    try (RunStore store = Composition.runStore(context.config(global))) {
      runs = store.list(query);
      retries = retries(store);
    }
    if (global.output() == OutputFormat.json) {
      context
          .out()
          .println(
              Json.write(
                  Map.of(
                      "runs",
                      runs.stream()
                          .map(r -> summary(r, retries.getOrDefault(r.id(), List.of())))
                          .toList())));
      return;
    }
    if (runs.isEmpty()) {
      context.out().println("No runs.");
      return;
    }
    String format = "%-24s  %-24s  %-17s  %-10s  %-24s  %-20s  %-20s  %s%n";
    context
        .out()
        .printf(
            format, "RUN", "PLAYBOOK", "STATUS", "OBJECTS", "TASKS", "STARTED", "JOBS", "RETRY");
    for (RunRecord run : runs) {
      context
          .out()
          .printf(
              format,
              run.id(),
              run.playbook(),
              run.phase().label(),
              Sizes.count(run.totalCounts().objects()),
              Sizes.count(run.totalCounts().succeeded())
                  + " ok, "
                  + Sizes.count(run.totalCounts().failed())
                  + " failed",
              LocalJobs.TIME.format(run.started()),
              run.jobIds().isEmpty() ? "-" : String.join(",", run.jobIds()),
              link(run, retries.getOrDefault(run.id(), List.of())));
    }
  }

  /** Each run's retries, oldest first, by the id of the run they retry. */
  static Map<String, List<String>> retries(RunStore store) {
    // every run is read: the store has no query by origin, and histories are small
    List<RunRecord> all =
        store.list(new RunStore.Query(Optional.empty(), Optional.empty(), Optional.empty()));
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (int i = all.size() - 1; i >= 0; i--) {
      RunRecord r = all.get(i);
      r.retryOf()
          .ifPresent(o -> out.computeIfAbsent(o, k -> new java.util.ArrayList<>()).add(r.id()));
    }
    return out;
  }

  /** The run's links as a person reads them: "of <origin>", "by <retry>,...", both, or "-". */
  private static String link(RunRecord run, List<String> retries) {
    List<String> parts = new java.util.ArrayList<>();
    run.retryOf().ifPresent(o -> parts.add("of " + o));
    if (!retries.isEmpty()) {
      parts.add("by " + String.join(",", retries));
    }
    return parts.isEmpty() ? "-" : String.join("; ", parts);
  }

  /** A run as {@code quarry runs --output json} lists it. */
  static Map<String, Object> summary(RunRecord run) {
    return summary(run, List.of());
  }

  /** {@link #summary(RunRecord)} with the runs that retry it. */
  static Map<String, Object> summary(RunRecord run, List<String> retries) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", run.id());
    out.put("playbook", run.playbook());
    out.put("status", run.phase().label());
    out.put("jobIds", run.jobIds());
    out.put("objects", run.totalCounts().objects());
    out.put("succeeded", run.totalCounts().succeeded());
    out.put("failed", run.totalCounts().failed());
    out.put("started", run.started().toString());
    out.put("ended", run.ended().map(Instant::toString).orElse(null));
    out.put("retryOf", run.retryOf().orElse(null));
    out.put("retries", retries);
    return out;
  }

  static RunPhase phase(String label) {
    return Arrays.stream(RunPhase.values())
        .filter(p -> p.label().equals(label.toLowerCase(Locale.ROOT)))
        .findFirst()
        .orElseThrow(
            () ->
                QuarryException.user(
                    ErrorCode.OPTION_INVALID,
                    "unknown status '"
                        + label
                        + "'; valid: "
                        + Arrays.stream(RunPhase.values())
                            .map(RunPhase::label)
                            .collect(Collectors.joining(", "))));
  }

  private static final Pattern AGE = Pattern.compile("(\\d+)([smhd])");

  static Instant since(String text, Clock clock) {
    Matcher age = AGE.matcher(text);
    if (age.matches()) {
      long n = Long.parseLong(age.group(1));
      Duration d =
          switch (age.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
          };
      return clock.instant().minus(d);
    }
    try {
      return text.length() == 10
          ? LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant()
          : Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw QuarryException.user(
          ErrorCode.OPTION_INVALID,
          "--since '"
              + text
              + "' is not an instant, a day or an age; e.g. 2026-12-01T10:00:00Z,"
              + " 2026-12-01, 24h, 7d");
    }
  }

  /** {@code quarry runs show <run>}: one run's whole story. */
  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = {
        "Shows one run: its playbook (and the SHA-256 of the file that ran), parameters, engine,"
            + " manifest, jobs, every status it went through and when, who approved it, its"
            + " report, its counts and why it failed.",
        "",
        "Examples:",
        "  quarry runs show 20261201T100000Z-1a2b3c",
        "  quarry runs show 20261201T100000Z-1a2b3c --output json",
        ""
      })
  public static final class Show implements Runnable {
    @Mixin GlobalOptions global;

    @picocli.CommandLine.Parameters(paramLabel = "RUN", description = "The run's id.")
    String runId;

    private final CliContext context;

    public Show(CliContext context) {
      this.context = context;
    }

    @Override
    public void run() {
      if (global.output() == OutputFormat.csv) {
        throw QuarryException.user(
            ErrorCode.OPTION_INVALID, "runs show prints text or json, not csv");
      }
      RunRecord run;
      List<String> retries;
      try (RunStore store = Composition.runStore(context.config(global))) {
        run =
            store
                .find(runId)
                .orElseThrow(
                    () ->
                        QuarryException.user(
                            ErrorCode.RUN_NOT_FOUND, "no run " + runId + " (see quarry runs)"));
        retries = retries(store).getOrDefault(run.id(), List.of());
      }
      if (global.output() == OutputFormat.json) {
        Map<String, Object> out = summary(run, retries);
        out.put("playbookHash", run.playbookHash());
        out.put("parameters", run.parameters());
        out.put("engine", run.engine());
        out.put("manifest", run.manifest().orElse(null));
        out.put(
            "transitions",
            run.transitions().stream()
                .map(t -> Map.of("status", t.phase().label(), "at", t.at().toString()))
                .toList());
        out.put("steps", run.steps().stream().map(RunsCommand::step).toList());
        out.put(
            "queued",
            run.queued().stream()
                .map(
                    q -> {
                      Map<String, Object> step = new java.util.LinkedHashMap<>();
                      step.put("action", q.action());
                      step.put("options", q.options());
                      step.put("manifest", q.manifest().orElse(null));
                      step.put("afterRestore", q.afterRestore());
                      return step;
                    })
                .toList());
        out.put("playbookPath", run.playbookPath().orElse(null));
        out.put("approvedBy", run.approvedBy().orElse(null));
        out.put("report", run.report().orElse(null));
        out.put("failureReason", run.failureReason().orElse(null));
        context.out().println(Json.write(Map.of("run", out)));
        return;
      }
      var o = context.out();
      o.printf("Run %s  %s%n", run.id(), run.phase().label());
      o.printf("  playbook   %s  (sha256 %s)%n", run.playbook(), run.playbookHash());
      run.parameters().forEach((k, v) -> o.printf("  parameter  %s=%s%n", k, v));
      o.printf("  engine     %s%n", run.engine());
      run.retryOf().ifPresent(origin -> o.printf("  retry of   %s%n", origin));
      retries.forEach(r -> o.printf("  retried by %s%n", r));
      run.manifest()
          .ifPresent(
              m ->
                  o.printf(
                      "  manifest   %s  (%s rows, ETag %s)%s%n",
                      m.location(),
                      Sizes.count(m.rows()),
                      m.etag(),
                      m.queryIds().isEmpty()
                          ? ""
                          : "\n  queries    " + String.join(", ", m.queryIds())));
      for (int i = 0; i < run.steps().size(); i++) {
        RunRecord.Step step = run.steps().get(i);
        o.printf(
            "  step %d     %s  job %s  (%s succeeded, %s failed, of %s)%n",
            i + 1,
            step.action().isEmpty() ? "-" : step.action(),
            step.jobId().orElse("not submitted"),
            Sizes.count(step.counts().succeeded()),
            Sizes.count(step.counts().failed()),
            Sizes.count(step.counts().objects()));
        if (i > 0) {
          o.printf("             manifest %s%n", step.manifest().location());
        }
        step.note().ifPresent(n -> o.printf("             %s%n", n));
      }
      for (int i = 0; i < run.queued().size(); i++) {
        RunRecord.Queued step = run.queued().get(i);
        o.printf(
            "  step %d     %s  queued: %s%n",
            run.steps().size() + i + 1,
            step.action(),
            step.manifest()
                .map(m -> Sizes.count(m.rows()) + " objects in " + m.location())
                .orElse("planned once the restored copies are readable"));
      }
      o.printf(
          "  tasks      %s succeeded, %s failed, of %s%n",
          Sizes.count(run.totalCounts().succeeded()),
          Sizes.count(run.totalCounts().failed()),
          Sizes.count(run.totalCounts().objects()));
      run.approvedBy().ifPresent(a -> o.printf("  approved   by %s%n", a));
      run.report().ifPresent(r -> o.printf("  report     %s%n", r));
      run.failureReason().ifPresent(r -> o.printf("  failure    %s%n", r));
      for (RunRecord.Transition t : run.transitions()) {
        o.printf("  %-20s %s%n", LocalJobs.TIME.format(t.at()), t.phase().label());
      }
    }
  }

  private static Map<String, Object> step(RunRecord.Step step) {
    Map<String, Object> out = new java.util.LinkedHashMap<>();
    out.put("action", step.action());
    out.put("options", step.options().orElse(null));
    out.put("manifest", step.manifest());
    out.put("jobId", step.jobId().orElse(null));
    out.put("objects", step.counts().objects());
    out.put("succeeded", step.counts().succeeded());
    out.put("failed", step.counts().failed());
    out.put("report", step.report().orElse(null));
    out.put("note", step.note().orElse(null));
    return out;
  }
}
