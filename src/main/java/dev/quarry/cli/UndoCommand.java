package dev.quarry.cli;

import dev.quarry.app.ExecuteRun;
import dev.quarry.app.UndoRevert;
import dev.quarry.config.QuarryConfig;
import dev.quarry.config.S3Clients;
import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.job.JobRecord;
import dev.quarry.revert.ServerVersions;
import dev.quarry.run.RunStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import software.amazon.awssdk.services.s3.S3Client;

/** {@code quarry undo}: a revert run undone, the keys it changed back to their state before it. */
@Command(
    name = "undo",
    mixinStandardHelpOptions = true,
    description = {
      "Undoes a run of quarry revert: brings the keys it changed back to their state before the"
          + " revert, as one new run with one job per kind of undo. Only the tasks its completion"
          + " reports name as succeeded are undone: the delete markers hide-keys added (those"
          + " markers, never another version: rollback-deletes), the keys whose markers it removed"
          + " (hidden again: hide-keys, conditional on the version it uncovered), the versions it"
          + " copied back (the version current before the revert copied back in place, keeping"
          + " its storage class, or the key hidden again).",
      "A key that changed since the revert is listed as not touched. --dry-run writes the undo's"
          + " manifests and lists them; a run needs --max-objects and a confirmation (--yes, or"
          + " the prompt at a terminal).",
      "",
      "Examples:",
      "  quarry undo 20261201T100000Z-1a2b3c --dry-run",
      "  quarry undo 20261201T100000Z-1a2b3c --max-objects 50000 --yes",
      ""
    })
public final class UndoCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;

  @Parameters(paramLabel = "RUN", description = "The revert run to undo (see quarry runs).")
  String runId;

  @Option(
      names = "--max-objects",
      paramLabel = "N",
      description = "The most objects the undo may change (required unless --dry-run).")
  Long maxObjects;

  @Option(names = "--dry-run", description = "Plan only: the undo's manifests; nothing changes.")
  boolean dryRun;

  @Option(
      names = {"-y", "--yes"},
      description = "Confirm the undo's jobs without asking.")
  boolean yes;

  @Option(names = "--no-wait", description = "Submit the first job and return.")
  boolean noWait;

  @Mixin ExecutorOptions executor;

  private final CliContext context;

  public UndoCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    if (global.output() == OutputFormat.csv) {
      throw QuarryException.user(ErrorCode.OPTION_INVALID, "undo prints text or json, not csv");
    }
    if (maxObjects == null && !dryRun) {
      throw QuarryException.user(
          ErrorCode.OPTION_INVALID,
          "an undo changes the bucket: give --max-objects N, the most objects it may change"
              + " (--dry-run shows how many it would)");
    }
    QuarryConfig config = context.config(global);
    UndoRevert.Result result;
    try (JobBackend backend = JobBackend.open(config, executor.concurrency);
        RunStore store = Composition.runStore(config);
        S3Client s3 = S3Clients.create(config, 4)) {
      ExecuteRun execute = Composition.executeRun(context, config, backend, store);
      try {
        result =
            new UndoRevert(
                    store,
                    RetryCommand.reader(config),
                    new ServerVersions(s3),
                    execute,
                    config.manifestsDir())
                .undo(
                    runId,
                    maxObjects == null ? OptionalLong.empty() : OptionalLong.of(maxObjects),
                    dryRun,
                    !noWait,
                    RunListeners.approval(context, yes, "Undo: run"),
                    RunListeners.of(context, global));
      } finally {
        if (!noWait && !dryRun && context.interactive()) {
          context.err().println();
        }
      }
    }
    if (dryRun || result.run().isEmpty()) {
      if (global.output() == OutputFormat.json) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("undoOf", runId);
        out.put(
            "steps",
            result.steps().stream()
                .map(
                    s ->
                        Map.of(
                            "action",
                            s.action().type(),
                            "objects",
                            s.objects(),
                            "manifest",
                            s.manifest().toString()))
                .toList());
        out.put("notTouched", result.notTouched());
        out.put("failedInRevert", result.failedInRevert());
        context.out().println(Json.write(out));
      } else {
        render(result, context.out());
      }
      if (!dryRun) {
        context.err().println("quarry: nothing of run " + runId + " to undo; nothing submitted");
      }
      return 0;
    }
    render(result, context.err());
    ExecuteRun.Outcome outcome = result.run().get();
    context.err().printf("quarry: undoing run %s as run %s%n", runId, outcome.run().id());
    JobRecord job = outcome.job().orElseThrow();
    LocalJobs.finish(context, global, Optional.of(outcome.run()), job, outcome.review());
    return LocalJobs.exitCode(job);
  }

  private void render(UndoRevert.Result result, java.io.PrintWriter out) {
    out.printf("Undo of run %s%n", result.origin().id());
    for (UndoRevert.Step s : result.steps()) {
      out.printf(
          "  %-18s %s objects  %s%n", s.action().type(), Sizes.count(s.objects()), s.manifest());
    }
    if (result.failedInRevert() > 0) {
      out.printf(
          "  %s tasks failed in the revert: they changed nothing, nothing to undo%n",
          Sizes.count(result.failedInRevert()));
    }
    List<UndoRevert.NotTouched> left = result.notTouched();
    if (!left.isEmpty()) {
      out.printf("  not touched (%s):%n", Sizes.count(left.size()));
      for (UndoRevert.NotTouched n : left) {
        out.printf("    %s  (%s) %s%n", RowOutput.oneLine(n.key()), n.step(), n.why());
      }
    }
  }
}
