package dev.quarry.app;

import static java.util.Objects.requireNonNull;

import dev.quarry.action.Action;
import dev.quarry.action.ActionRegistry;
import dev.quarry.action.OperationView;
import dev.quarry.action.ReencryptAction;
import dev.quarry.cost.CostEstimate;
import dev.quarry.cost.CostEstimator;
import dev.quarry.cost.PriceList;
import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.io.AtomicFiles;
import dev.quarry.io.FileTrees;
import dev.quarry.io.StorageErrors;
import dev.quarry.manifest.Manifest;
import dev.quarry.manifest.ManifestReader;
import dev.quarry.manifest.ManifestWriter;
import dev.quarry.manifest.StorageClassFile;
import dev.quarry.playbook.ActionSpec;
import dev.quarry.playbook.Limits;
import dev.quarry.playbook.Playbook;
import dev.quarry.playbook.PlaybookValidator;
import dev.quarry.playbook.RevertSpec;
import dev.quarry.query.BoundQuery;
import dev.quarry.query.ManifestRequest;
import dev.quarry.query.ObjectRow;
import dev.quarry.query.QueryEngine;
import dev.quarry.query.QueryStatistics;
import dev.quarry.query.Selection;
import dev.quarry.query.SelectionSummary;
import dev.quarry.query.TaskIdentity;
import dev.quarry.revert.RevertPlan;
import dev.quarry.revert.RevertPlanner;
import dev.quarry.revert.RevertSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The dry run of a playbook: binds its parameters, runs its query, writes the manifest (and its
 * {@code manifest.json}) and works out what would be submitted. It changes nothing outside the
 * manifests folder.
 */
public final class PlanRun {
  private static final int TOP_PREFIXES = 10;
  private static final String COPY = "S3PutObjectCopy";

  private final QueryEngine engine;
  private final Path manifestsRoot;
  private final Clock clock;
  private final PriceList prices;

  /** A plan whose cost estimate uses the bundled prices. */
  public PlanRun(QueryEngine engine, Path manifestsRoot, Clock clock) {
    this(engine, manifestsRoot, clock, PriceList.bundled());
  }

  public PlanRun(QueryEngine engine, Path manifestsRoot, Clock clock, PriceList prices) {
    this.engine = requireNonNull(engine, "engine is null");
    this.manifestsRoot = requireNonNull(manifestsRoot, "manifestsRoot is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.prices = requireNonNull(prices, "prices is null");
  }

  /**
   * @param given parameter values from the command line, as text
   */
  public PlanResult plan(Playbook playbook, Map<String, String> given) {
    return plan(playbook, given, EVERY_ROW);
  }

  /** Admits every row the query selects: the plan lets the engine write the manifest itself. */
  public static final Predicate<ObjectRow> EVERY_ROW = row -> true;

  /**
   * A plan whose manifest holds only the selected rows {@code admit} accepts (it may be asked more
   * than once per row: a split plan reads the rows again): an incremental run leaves out what
   * earlier runs handled. Any other predicate than {@link #EVERY_ROW} streams the rows through the
   * JVM.
   */
  public PlanResult plan(Playbook playbook, Map<String, String> given, Predicate<ObjectRow> admit) {
    requireNonNull(admit, "admit is null");
    if (playbook.revert().isPresent()) {
      return planRevert(playbook);
    }
    Map<String, Object> parameters = ParameterBinder.bind(playbook, given);
    Action action =
        ActionRegistry.create(
            playbook
                .action()
                .orElseThrow(
                    () ->
                        QuarryException.user(
                            ErrorCode.ACTION_UNSUPPORTED,
                            playbook.source()
                                + ": a report-only playbook (no action) has no manifest to plan")));
    BoundQuery query = new BoundQuery(playbook.query(), parameters);
    Optional<QueryStatistics> before = engine.statistics();
    // one question to the engine (on Athena, a query of its own)
    List<String> columns = PlaybookValidator.columnsFor(playbook, query, engine::columns);
    boolean withVersionIds =
        action.needsVersionId() || (action.acceptsVersionId() && columns.contains("version_id"));

    String runId = RunIds.next(clock);
    Path dir = manifestsRoot.resolve(playbook.name()).resolve(runId);
    Path target = dir.resolve("manifest.csv");
    // what the plan knew of each task's class, for the review: the reports do not carry it
    Path classes = StorageClassFile.beside(target);
    TaskIdentity identity = TaskIdentity.of(withVersionIds);
    PlanStats stats;
    Manifest manifest;
    Selection selection;
    Optional<SelectionSummary.WrittenParts> written = Optional.empty();
    try {
      // DESIGN rule 13: the engine writes and counts the manifest itself where it can
      Optional<SelectionSummary> summary;
      Manifest engines = null;
      try (ManifestWriter.Staged staged = ManifestWriter.stage(target, withVersionIds)) {
        summary =
            admit != EVERY_ROW
                ? Optional.empty()
                : engine.writeManifest(
                    query,
                    new ManifestRequest(
                        staged.path(),
                        identity,
                        PlanStats.MAX_PREFIXES,
                        PlanStats.OTHER,
                        PlanStats.UNKNOWN,
                        PlanStats.SAMPLE_SIZE,
                        Optional.of(classes),
                        parts(action, dir)));
        if (summary.isPresent()) {
          engines = staged.finish(summary.get().selection().objects());
        }
      }
      if (summary.isPresent()) {
        written = summary.get().parts();
        stats = PlanStats.of(summary.get());
        selection = summary.get().selection();
        manifest = engines;
      } else {
        PlanStats streamed = new PlanStats();
        try (ManifestWriter writer = ManifestWriter.open(target, withVersionIds);
            StorageClassFile.Writer classWriter =
                new StorageClassFile.Writer(classes, withVersionIds)) {
          selection =
              engine.objects(
                  query,
                  identity,
                  row -> {
                    if (admit.test(row)) {
                      writer.write(row);
                      classWriter.write(row);
                      streamed.add(row);
                    }
                  });
          manifest = writer.finish();
          classWriter.finish();
        }
        stats = streamed;
      }
    } catch (RuntimeException e) {
      // the writer removed its temporary file; the run's folder goes too if nothing else is in it
      deleteQuietly(classes);
      deleteTree(dir.resolve("split"));
      deleteQuietly(dir);
      throw e;
    }
    Split split;
    try {
      split =
          split(
              playbook.action().get(),
              action,
              query,
              identity,
              dir,
              manifest,
              stats,
              admit,
              written);
    } catch (RuntimeException e) {
      deleteTree(dir.resolve("split"));
      deleteTree(dir.resolve("left-out"));
      deleteQuietly(manifest.file());
      deleteQuietly(dir);
      throw e;
    }
    // the engine's parts the split did not take (one part took every object)
    deleteTree(dir.resolve("split"));
    // the engine may be shared with other plans: only what this plan's queries cost
    Optional<QueryStatistics> queryStatistics =
        engine.statistics().map(after -> after.minus(before.orElse(QueryStatistics.NONE)));
    return result(
        playbook,
        action,
        split,
        playbook.then(),
        parameters,
        runId,
        dir,
        manifest,
        stats,
        selection.duplicates(),
        engine.name(),
        queryStatistics,
        clock,
        prices);
  }

  /**
   * One step of a run planned on manifests given whole ({@link #given}): the action it runs and the
   * manifest it runs on.
   */
  public record GivenStep(ActionSpec action, Path manifest, Optional<ActionSpec> followUp) {
    public GivenStep {
      requireNonNull(followUp, "followUp is null");
      requireNonNull(action, "action is null");
      requireNonNull(manifest, "manifest is null");
    }
  }

  /**
   * The plan of a run on manifests given whole instead of the playbook's query (a retry's failed
   * tasks, {@link RetryRun}): one step per given manifest, in order, each with its action; their
   * rows are copied into the run's folder, counted and held to the playbook's limits as the query's
   * would be. Sizes and storage classes are unknown.
   *
   * @param steps each with the step that follows it over its restored copies, when it is a restore
   *     that had one
   * @param engine the engine to record the run with (the origin run's)
   */
  public static PlanResult given(
      Playbook playbook,
      Map<String, String> given,
      List<GivenStep> steps,
      String engine,
      Path manifestsRoot,
      Clock clock) {
    Map<String, Object> parameters = ParameterBinder.bind(playbook, given);
    if (steps.isEmpty()) {
      throw new IllegalArgumentException("a run has at least one step");
    }
    String runId = RunIds.next(clock);
    Path dir = manifestsRoot.resolve(playbook.name()).resolve(runId);
    PlanStats stats = new PlanStats();
    List<Manifest> manifests = new ArrayList<>();
    List<PlanStats> partStats = new ArrayList<>();
    try {
      for (int i = 0; i < steps.size(); i++) {
        GivenStep step = steps.get(i);
        Path target =
            steps.size() == 1
                ? dir.resolve("manifest.csv")
                : dir.resolve("step-" + (i + 1)).resolve("manifest.csv");
        PlanStats part = new PlanStats();
        try (ManifestWriter writer =
            ManifestWriter.open(target, ManifestReader.hasVersionIds(step.manifest()))) {
          ManifestReader.read(
              step.manifest(),
              row -> {
                writer.write(row);
                stats.add(row);
                part.add(row);
              });
          manifests.add(writer.finish());
        }
        partStats.add(part);
      }
    } catch (RuntimeException e) {
      manifests.forEach(m -> deleteQuietly(m.file()));
      deleteQuietly(dir);
      throw e;
    }
    Action action = ActionRegistry.create(steps.get(0).action());
    List<PlanResult.Part> parts = new ArrayList<>();
    Optional<ActionSpec> then = Optional.empty();
    if (steps.size() > 1 || !steps.get(0).action().equals(playbook.action().orElse(null))) {
      for (int i = 0; i < steps.size(); i++) {
        List<PlanResult.Group> buckets = partStats.get(i).buckets();
        PlanResult.Part p =
            part(
                null,
                null,
                steps.get(i).action(),
                manifests.get(i),
                partStats.get(i).bytes(),
                buckets.isEmpty() ? "<bucket>" : buckets.get(0).name(),
                "step " + (i + 1) + " " + steps.get(i).action().type());
        // each restore keeps its own follow-up, queued right after it
        parts.add(
            new PlanResult.Part(
                p.name(),
                p.action(),
                p.manifest(),
                p.etag(),
                p.objects(),
                p.bytes(),
                p.operation(),
                steps.get(i).followUp(),
                p.undo(),
                p.why()));
      }
    } else {
      then = steps.get(0).followUp();
    }
    return result(
        playbook,
        action,
        new Split(parts, List.of(), 0),
        then,
        parameters,
        runId,
        dir,
        manifests.get(0),
        stats,
        0,
        engine,
        Optional.empty(),
        clock,
        PriceList.bundled());
  }

  private static PlanResult result(
      Playbook playbook,
      Action action,
      Split split,
      Optional<ActionSpec> then,
      Map<String, Object> parameters,
      String runId,
      Path dir,
      Manifest manifest,
      PlanStats stats,
      long duplicates,
      String engineName,
      Optional<QueryStatistics> queryStatistics,
      Clock clock,
      PriceList prices) {
    ManifestInfo info =
        new ManifestInfo(
            ManifestInfo.FORMAT,
            manifest.file().toString(),
            manifest.fields(),
            manifest.rows(),
            manifest.bytes(),
            manifest.etag(),
            playbook.name(),
            runId,
            engineName,
            playbook.query(),
            parameters,
            clock.instant());
    Path manifestJson = dir.resolve("manifest.json");
    try {
      AtomicFiles.writeJson(manifestJson, info);
    } catch (UncheckedIOException e) {
      // a manifest without its manifest.json is half a plan: neither stays
      deleteQuietly(manifest.file());
      deleteQuietly(StorageClassFile.beside(manifest.file()));
      deleteQuietly(dir);
      throw StorageErrors.of(
          "cannot write", manifestJson, e.getCause(), "or set manifests-dir elsewhere");
    }

    List<PlanResult.Group> buckets = stats.buckets();
    String bucket = buckets.isEmpty() ? "<bucket>" : buckets.get(0).name();
    Long maxObjects =
        playbook.limits().maxObjects().isPresent()
            ? playbook.limits().maxObjects().getAsLong()
            : null;
    OperationView operation =
        split.parts().isEmpty()
            ? OperationView.of(action.jobOperation(bucket))
            : split.parts().get(0).operation();
    CostEstimate cost =
        new CostEstimator(prices)
            .estimate(
                new CostEstimator.Work(
                    action,
                    operation,
                    stats.objects(),
                    buckets.size(),
                    stats.storageClasses().stream()
                        .map(g -> new CostEstimator.ClassGroup(g.name(), g.objects(), g.bytes()))
                        .toList(),
                    engineName,
                    queryStatistics));
    return new PlanResult(
        playbook.name(),
        runId,
        engineName,
        parameters,
        stats.objects(),
        duplicates,
        stats.bytes(),
        stats.unknownSizes(),
        stats.storageClasses(),
        stats.topPrefixes(TOP_PREFIXES),
        buckets,
        stats.sample(),
        action.type(),
        action.destructive(),
        operation,
        alternative(action),
        info,
        manifestJson,
        maxObjects,
        playbook.limits().confirm() == Limits.Confirm.REQUIRED,
        limitViolations(playbook, stats, split, operation),
        awsLimitations(action, operation, buckets),
        queryStatistics,
        then.map(
            spec -> {
              Action next = ActionRegistry.create(spec);
              return new PlanResult.FollowUp(
                  next.type(),
                  next.destructive(),
                  OperationView.of(next.jobOperation(bucket)),
                  spec);
            }),
        cost,
        split.parts(),
        split.leftOut(),
        stats.overCopyLimit());
  }

  /**
   * The plan of a point-in-time revert ({@code revert:}): the revert's sets, each a part with its
   * action (hide-keys, rollback-deletes, revert-to-version keeping each group's storage class and
   * encryption, a restore followed by that copy for archived versions), the sets it does not touch
   * as left out, and the undo manifests beside each part.
   */
  private PlanResult planRevert(Playbook playbook) {
    RevertSpec revert = playbook.revert().orElseThrow();
    String bucket =
        playbook
            .bucket()
            .orElseThrow(
                () ->
                    QuarryException.user(
                        ErrorCode.PLAYBOOK_INVALID, playbook.source() + ": revert: needs bucket"));
    Optional<QueryStatistics> before = engine.statistics();
    String runId = RunIds.next(clock);
    Path dir = manifestsRoot.resolve(playbook.name()).resolve(runId);
    RevertPlan planned;
    try {
      planned = RevertPlanner.plan(engine, bucket, revert.to(), revert.prefix(), dir);
    } catch (RuntimeException e) {
      deleteTree(dir);
      throw e;
    }
    List<PlanResult.Part> parts = new ArrayList<>();
    List<PlanResult.LeftOut> leftOut = new ArrayList<>();
    Map<String, long[]> classes = new java.util.TreeMap<>();
    List<ObjectRow> sample = new ArrayList<>();
    long objects = 0;
    long bytes = 0;
    // versions over 5 GB to copy back (or restore, then copy): S3PutObjectCopy fails each on AWS
    // while the local executor copies it, so the plan refuses them as any copy plan does
    long overCopyLimit = 0;
    Optional<ObjectRow> overCopyLimitSample = Optional.empty();
    for (RevertPlan.Step step : planned.steps()) {
      if (step.objects() == 0) {
        continue;
      }
      if (!step.set().touched()) {
        leftOut.add(
            new PlanResult.LeftOut(step.set().fileName(), step.objects(), step.bytes(), why(step)));
        continue;
      }
      if (step.set() == RevertSet.COPY_BACK || step.set() == RevertSet.RESTORE_FIRST) {
        overCopyLimit += step.overCopyLimit();
        if (overCopyLimitSample.isEmpty()) {
          overCopyLimitSample = step.overCopyLimitSample();
        }
      }
      objects += step.objects();
      bytes += step.bytes();
      String cls = step.group().map(g -> g.storageClass()).filter(c -> !c.isEmpty()).orElse("-");
      long[] n = classes.computeIfAbsent(cls, c -> new long[2]);
      n[0] += step.objects();
      n[1] += step.bytes();
      step.sample().stream().limit(PlanStats.SAMPLE_SIZE - sample.size()).forEach(sample::add);
      ActionSpec copy = copyBack(step.group());
      ActionSpec action =
          switch (step.set()) {
            case HIDE -> spec("hide-keys");
            case REMOVE_MARKERS -> spec("rollback-deletes");
            case COPY_BACK -> copy;
            case RESTORE_FIRST -> {
              com.fasterxml.jackson.databind.node.ObjectNode o =
                  com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
              o.put("type", "restore").put("days", revert.restoreDays());
              o.put("tier", revert.restoreTier());
              yield new ActionSpec("restore", o);
            }
            case PERMANENTLY_DELETED, TAGS_CHANGED ->
                throw new IllegalStateException("not touched: " + step.set());
          };
      Manifest m = step.manifest();
      parts.add(
          new PlanResult.Part(
              step.set().fileName()
                  + step.group()
                      .map(g -> " " + (g.storageClass().isEmpty() ? "-" : g.storageClass()))
                      .orElse(""),
              action,
              m.file().toString(),
              m.etag(),
              step.objects(),
              step.bytes(),
              OperationView.of(ActionRegistry.create(action).jobOperation(bucket)),
              step.set() == RevertSet.RESTORE_FIRST ? Optional.of(copy) : Optional.empty(),
              step.undo().stream()
                  .map(
                      u ->
                          u.action().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')
                              + " over "
                              + u.manifest().file()
                              + (u.completedAfterRun()
                                  ? " (completed after the run: the new markers' version ids are"
                                      + " in the step's report, 'delete marker added: ID')"
                                  : ""))
                  .toList(),
              ""));
    }
    Manifest first;
    if (parts.isEmpty()) {
      try (ManifestWriter writer = ManifestWriter.open(dir.resolve("manifest.csv"), true)) {
        first = writer.finish();
      }
    } else {
      PlanResult.Part head = parts.get(0);
      Path file = Path.of(head.manifest());
      long size;
      try {
        size = Files.size(file);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      first = new Manifest(file, head.etag(), head.objects(), size, true);
    }
    List<SelectionSummary.Group> classGroups = new ArrayList<>();
    classes.forEach((c, n) -> classGroups.add(new SelectionSummary.Group(c, n[0], n[1])));
    PlanStats stats =
        PlanStats.of(
            new SelectionSummary(
                new Selection(objects, 0),
                bytes,
                0,
                classGroups,
                List.of(new SelectionSummary.Group(bucket, objects, bytes)),
                revert
                    .prefix()
                    .map(p -> List.of(new SelectionSummary.Group(p, 0, 0)))
                    .orElse(List.of()),
                sample,
                overCopyLimit,
                overCopyLimitSample));
    Optional<QueryStatistics> queryStatistics =
        engine.statistics().map(after -> after.minus(before.orElse(QueryStatistics.NONE)));
    Action headAction =
        ActionRegistry.create(parts.isEmpty() ? spec("hide-keys") : parts.get(0).action());
    return result(
        playbook,
        headAction,
        new Split(parts, leftOut, 0),
        Optional.empty(),
        Map.of(
            "bucket", bucket,
            "to", revert.to().toString(),
            "prefix", revert.prefix().orElse("")),
        runId,
        dir,
        first,
        stats,
        0,
        engine.name(),
        queryStatistics,
        clock,
        prices);
  }

  /** The revert-to-version that keeps a copy group's storage class and encryption. */
  private static ActionSpec copyBack(Optional<RevertPlan.CopyGroup> group) {
    com.fasterxml.jackson.databind.node.ObjectNode o =
        com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    o.put("type", "revert-to-version");
    group.ifPresent(
        g -> {
          if (!g.storageClass().isEmpty()) {
            o.put("storage-class", g.storageClass());
          }
          // the tables name SSE-S3 and SSE-KMS (with its key); others keep the bucket's default
          if (g.encryption().equals("SSE-KMS") && !g.kmsKeyArn().isEmpty()) {
            o.put("sse", "aws:kms").put("kms-key", g.kmsKeyArn());
          } else if (g.encryption().equals("SSE-S3")) {
            o.put("sse", "AES256");
          }
        });
    return new ActionSpec("revert-to-version", o);
  }

  private static ActionSpec spec(String type) {
    return new ActionSpec(
        type,
        com.fasterxml.jackson.databind.node.JsonNodeFactory.instance
            .objectNode()
            .put("type", type));
  }

  private static String why(RevertPlan.Step step) {
    return switch (step.set()) {
      case PERMANENTLY_DELETED ->
          "not touched: the version current at T was permanently deleted since; nothing can bring"
              + " it back (listed in "
              + step.manifest().file()
              + ")";
      case TAGS_CHANGED ->
          "not touched: the version of T is still current, only its tags changed; a revert"
              + " restores versions, not tags (listed in "
              + step.manifest().file()
              + ")";
      case HIDE, REMOVE_MARKERS, COPY_BACK, RESTORE_FIRST ->
          throw new IllegalStateException("touched: " + step.set());
    };
  }

  private static void deleteTree(Path dir) {
    try {
      FileTrees.delete(dir);
    } catch (UncheckedIOException ignored) {
      // a leftover of a failed plan: the error being reported matters more
    }
  }

  /** The parts of a plan split into several jobs, and what it left out. */
  private record Split(
      List<PlanResult.Part> parts, List<PlanResult.LeftOut> leftOut, long unknownClasses) {
    static final Split NONE = new Split(List.of(), List.of(), 0);
  }

  /**
   * Splits the selection into one job per value of what the action's jobs apply to all their tasks
   * ({@link Action#partitions()}: a copy's target bucket, its storage class), and leaves out the
   * objects it cannot act on ({@link Action#unreadableStorageClasses()}), written to {@code
   * left-out/manifest.csv} (for a copy: what to restore first). When one part takes every object it
   * reads the manifest already written; otherwise the query runs once more, its rows sorted into
   * one manifest per part ({@code step-<n>/manifest.csv}, in the order of the run's steps).
   */
  private Split split(
      ActionSpec spec,
      Action action,
      BoundQuery query,
      TaskIdentity identity,
      Path dir,
      Manifest whole,
      PlanStats stats,
      Predicate<ObjectRow> admit,
      Optional<SelectionSummary.WrittenParts> written) {
    java.util.Set<Action.Partition> by = action.partitions();
    java.util.Set<String> unreadable = action.unreadableStorageClasses();
    if (by.isEmpty() && unreadable.isEmpty()) {
      return Split.NONE;
    }
    Routing routing = Routing.of(action);
    boolean byClass = by.contains(Action.Partition.STORAGE_CLASS);
    boolean byBucket = by.contains(Action.Partition.BUCKET);
    long unknown =
        stats.storageClasses().stream()
            .filter(g -> g.name().equals(PlanStats.UNKNOWN))
            .mapToLong(PlanResult.Group::objects)
            .sum();
    if (byClass && unknown > 0) {
      // refused by the plan's limits: a part without a class would be copied to STANDARD
      return new Split(List.of(), List.of(), unknown);
    }
    List<PlanResult.Group> classes = stats.storageClasses();
    boolean leavesOut = classes.stream().anyMatch(g -> unreadable.contains(g.name()));
    long classParts = byClass ? classes.size() : 1;
    long bucketParts = byBucket ? stats.buckets().size() : 1;
    if (routing == null && !leavesOut && classParts * bucketParts <= 1) {
      if (stats.objects() == 0) {
        return Split.NONE;
      }
      String cls = classes.get(0).name();
      ActionSpec only = byClass ? withStorageClass(spec, cls) : spec;
      String bucket = stats.buckets().get(0).name();
      return new Split(
          List.of(
              part(
                  byBucket ? bucket : null,
                  byClass ? cls : null,
                  only,
                  whole,
                  stats.bytes(),
                  bucket)),
          List.of(),
          0);
    }
    if (routing == null && written.isPresent()) {
      return split(spec, byBucket, byClass, dir, whole, stats, written.get());
    }
    // the second pass: one writer per part, a handful at most (buckets x storage classes)
    Map<List<String>, ManifestWriter> writers = new java.util.TreeMap<>(PlanRun::compareKeys);
    Map<List<String>, StorageClassFile.Writer> classWriters = new java.util.HashMap<>();
    Map<List<String>, long[]> bytes = new java.util.HashMap<>();
    Map<List<String>, Map<String, long[]>> whys = new java.util.HashMap<>();
    Map<String, long[]> left = new java.util.TreeMap<>();
    Map<String, String> leftReasons = new java.util.HashMap<>();
    Path staging = dir.resolve("split");
    ManifestWriter leftOut = null;
    try {
      ManifestWriter[] leftWriter = new ManifestWriter[1];
      engine.objects(
          query,
          identity,
          row -> {
            if (!admit.test(row)) {
              return;
            }
            String cls = row.storageClass() == null ? PlanStats.UNKNOWN : row.storageClass();
            long size = row.size() == null ? 0 : row.size();
            // the method of a reencrypt with method auto or update-encryption, and why
            Route route = routing == null ? Route.PLAIN : routing.route(row);
            String group = cls;
            boolean leave = unreadable.contains(cls) && !route.method().equals(UPDATE);
            if (route.leftOut() != null) {
              leave = true;
              group = route.why();
              leftReasons.put(group, route.leftOut());
            }
            if (leave) {
              String g = group;
              if (leftWriter[0] == null) {
                leftWriter[0] =
                    ManifestWriter.open(
                        dir.resolve("left-out").resolve("manifest.csv"), whole.withVersionIds());
              }
              leftWriter[0].write(row);
              long[] n = left.computeIfAbsent(g, c -> new long[2]);
              n[0]++;
              n[1] += size;
              return;
            }
            boolean classed = byClass && !route.method().equals(UPDATE);
            List<String> part =
                List.of(byBucket ? row.bucket() : "", route.method(), classed ? cls : "");
            if (!route.why().isEmpty()) {
              whys.computeIfAbsent(part, k -> new java.util.TreeMap<>())
                  .computeIfAbsent(route.why(), k -> new long[1])[0]++;
            }
            ManifestWriter writer =
                writers.computeIfAbsent(
                    part,
                    k -> {
                      int n = writers.size();
                      classWriters.put(
                          k,
                          new StorageClassFile.Writer(
                              staging.resolve(n + ".classes.csv"), whole.withVersionIds()));
                      return ManifestWriter.open(
                          staging.resolve(n + ".csv"), whole.withVersionIds());
                    });
            writer.write(row);
            classWriters.get(part).write(row);
            bytes.computeIfAbsent(part, k -> new long[1])[0] += size;
          });
      leftOut = leftWriter[0];
      Manifest leftManifest = leftOut == null ? null : leftOut.finish();
      List<PlanResult.Part> parts = new ArrayList<>();
      int step = 1;
      for (Map.Entry<List<String>, ManifestWriter> e : writers.entrySet()) {
        Manifest staged = e.getValue().finish();
        Path target = dir.resolve("step-" + step).resolve("manifest.csv");
        Files.createDirectories(target.getParent());
        Files.move(staged.file(), target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        StorageClassFile.Writer classWriter = classWriters.get(e.getKey());
        classWriter.finish();
        Files.move(
            staging.resolve(staged.file().getFileName().toString().replace(".csv", ".classes.csv")),
            StorageClassFile.beside(target),
            java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        Manifest moved =
            new Manifest(
                target, staged.etag(), staged.rows(), staged.bytes(), staged.withVersionIds());
        String method = e.getKey().get(1);
        PlanResult.Part p =
            splitPart(spec, byBucket, stats, e.getKey(), moved, bytes.get(e.getKey())[0]);
        if (routing != null) {
          p = p.because(routing.why(method, whys.getOrDefault(e.getKey(), Map.of())));
        }
        parts.add(p);
        step++;
      }
      deleteQuietly(staging);
      List<PlanResult.LeftOut> out = new ArrayList<>();
      left.forEach(
          (cls, n) ->
              out.add(
                  new PlanResult.LeftOut(
                      cls,
                      n[0],
                      n[1],
                      leftReasons.containsKey(cls)
                          ? leftReasons.get(cls) + " (they are in " + leftManifest.file() + ")"
                          : "a copy cannot read an object in "
                              + cls
                              + ": restore it first (restore playbook over "
                              + leftManifest.file()
                              + ")")));
      return new Split(parts, out, 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      writers.values().forEach(ManifestWriter::close);
      classWriters.values().forEach(StorageClassFile.Writer::close);
      if (leftOut != null) {
        leftOut.close();
      }
    }
  }

  /** One part of a split: its key is (bucket or empty, method or empty, class or empty). */
  private static PlanResult.Part splitPart(
      ActionSpec spec,
      boolean byBucket,
      PlanStats stats,
      List<String> key,
      Manifest manifest,
      long bytes) {
    String bucket = key.get(0);
    String method = key.get(1);
    String cls = key.get(2);
    ActionSpec partSpec = cls.isEmpty() ? spec : withStorageClass(spec, cls);
    if (!method.isEmpty()) {
      partSpec = withOption(partSpec, "method", method);
    }
    String jobBucket = byBucket ? bucket : stats.buckets().get(0).name();
    String name =
        java.util.stream.Stream.of(byBucket ? bucket : "", method, cls)
            .filter(x -> !x.isEmpty())
            .collect(java.util.stream.Collectors.joining(" "));
    return part(
        byBucket ? bucket : null,
        cls.isEmpty() ? null : cls,
        partSpec,
        manifest,
        bytes,
        jobBucket,
        name);
  }

  /**
   * The split from the parts the engine wrote with the manifest (every row admitted, no per-row
   * routing): the same files, names and order as the second pass would give, without it.
   */
  private static Split split(
      ActionSpec spec,
      boolean byBucket,
      boolean byClass,
      Path dir,
      Manifest whole,
      PlanStats stats,
      SelectionSummary.WrittenParts written) {
    List<SelectionSummary.Part> sorted = new ArrayList<>(written.parts());
    sorted.sort(
        (a, b) ->
            compareKeys(
                List.of(a.bucket(), "", a.storageClass()),
                List.of(b.bucket(), "", b.storageClass())));
    try {
      List<PlanResult.Part> parts = new ArrayList<>();
      int step = 1;
      for (SelectionSummary.Part p : sorted) {
        Path target = dir.resolve("step-" + step).resolve("manifest.csv");
        Manifest moved = finish(p.manifest(), target, p.objects(), whole.withVersionIds());
        Files.move(
            p.storageClassFile(),
            StorageClassFile.beside(target),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        parts.add(
            splitPart(
                spec,
                byBucket,
                stats,
                List.of(byBucket ? p.bucket() : "", "", byClass ? p.storageClass() : ""),
                moved,
                p.bytes()));
        step++;
      }
      List<PlanResult.LeftOut> out = new ArrayList<>();
      if (written.leftOut().isPresent()) {
        long rows =
            written.leftOutClasses().stream().mapToLong(SelectionSummary.Group::objects).sum();
        Manifest left =
            finish(
                written.leftOut().get(),
                dir.resolve("left-out").resolve("manifest.csv"),
                rows,
                whole.withVersionIds());
        written.leftOutClasses().stream()
            .sorted(java.util.Comparator.comparing(SelectionSummary.Group::name))
            .forEach(
                g ->
                    out.add(
                        new PlanResult.LeftOut(
                            g.name(),
                            g.objects(),
                            g.bytes(),
                            "a copy cannot read an object in "
                                + g.name()
                                + ": restore it first (restore playbook over "
                                + left.file()
                                + ")")));
      }
      return new Split(parts, out, 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Moves a manifest the engine wrote to its name, its ETag streamed as the plan's own. */
  private static Manifest finish(Path written, Path target, long rows, boolean withVersionIds)
      throws IOException {
    try (ManifestWriter.Staged staged = ManifestWriter.stage(target, withVersionIds)) {
      Files.move(written, staged.path(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      return staged.finish(rows);
    }
  }

  /**
   * What the engine may write of the split with the manifest: the parts of an action split only by
   * bucket and class, none for per-row routing (a reencrypt's method auto or update-encryption).
   */
  private static Optional<ManifestRequest.Parts> parts(Action action, Path dir) {
    java.util.Set<Action.Partition> by = action.partitions();
    java.util.Set<String> unreadable = action.unreadableStorageClasses();
    if (Routing.of(action) != null || (by.isEmpty() && unreadable.isEmpty())) {
      return Optional.empty();
    }
    return Optional.of(
        new ManifestRequest.Parts(
            dir.resolve("split"),
            by.contains(Action.Partition.BUCKET),
            by.contains(Action.Partition.STORAGE_CLASS),
            unreadable));
  }

  private static int compareKeys(List<String> a, List<String> b) {
    for (int i = 0; i < a.size(); i++) {
      int c = a.get(i).compareTo(b.get(i));
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  private static final String UPDATE = ReencryptAction.Method.UPDATE_ENCRYPTION.text();
  private static final String COPY_METHOD = ReencryptAction.Method.COPY.text();

  /**
   * Where one object goes: a part of a method (empty: the action's own), or left out with a reason;
   * {@code why} is the object's group in the part's reason, or the left-out group.
   */
  private record Route(String method, String why, String leftOut) {
    static final Route PLAIN = new Route("", "", null);
  }

  /**
   * A reencrypt with method auto or update-encryption: each object goes to UpdateObjectEncryption
   * where it applies, else to a copy in place (auto) or out of the run (update-encryption).
   */
  private record Routing(ReencryptAction action, Optional<String> unusable) {
    static Routing of(Action action) {
      if (action instanceof ReencryptAction r && r.method() != ReencryptAction.Method.COPY) {
        return new Routing(r, r.updateEncryptionUnusable());
      }
      return null;
    }

    Route route(dev.quarry.query.ObjectRow row) {
      if (unusable.isPresent()) {
        // method update-encryption with such settings is refused before any plan
        return new Route(COPY_METHOD, unusable.get(), null);
      }
      Optional<String> not = ReencryptAction.notUpdatable(row);
      if (not.isEmpty()) {
        return new Route(UPDATE, row.encryption(), null);
      }
      if (action.method() == ReencryptAction.Method.UPDATE_ENCRYPTION) {
        return new Route(
            UPDATE,
            not.get(),
            "UpdateObjectEncryption cannot change "
                + not.get()
                + " objects (only SSE-S3 and SSE-KMS ones, not under Object Lock): re-encrypt"
                + " them with method: copy");
      }
      return new Route(COPY_METHOD, not.get(), null);
    }

    /** The plan's line on why a part's objects take its method. */
    String why(String method, Map<String, long[]> groups) {
      String counts =
          groups.entrySet().stream()
              .map(g -> g.getValue()[0] + " " + g.getKey())
              .collect(java.util.stream.Collectors.joining(", "));
      if (method.equals(UPDATE)) {
        return "UpdateObjectEncryption: "
            + counts
            + " to SSE-KMS under a key ARN; no data copied, no new version, storage class and"
            + " ETag kept";
      }
      if (unusable.isPresent()) {
        return "copy in place: " + unusable.get();
      }
      return "copy in place: UpdateObjectEncryption cannot change these (" + counts + ")";
    }
  }

  private static PlanResult.Part part(
      String bucket,
      String storageClass,
      ActionSpec spec,
      Manifest manifest,
      long bytes,
      String target) {
    return part(
        bucket,
        storageClass,
        spec,
        manifest,
        bytes,
        target,
        java.util.stream.Stream.of(bucket, storageClass)
            .filter(java.util.Objects::nonNull)
            .collect(java.util.stream.Collectors.joining(" ")));
  }

  private static PlanResult.Part part(
      String bucket,
      String storageClass,
      ActionSpec spec,
      Manifest manifest,
      long bytes,
      String target,
      String name) {
    return new PlanResult.Part(
        name,
        spec,
        manifest.file().toString(),
        manifest.etag(),
        manifest.rows(),
        bytes,
        OperationView.of(ActionRegistry.create(spec).jobOperation(target)));
  }

  private static ActionSpec withStorageClass(ActionSpec spec, String storageClass) {
    return withOption(spec, "storage-class", storageClass);
  }

  private static ActionSpec withOption(ActionSpec spec, String name, String value) {
    com.fasterxml.jackson.databind.node.ObjectNode options = spec.options();
    options.put(name, value);
    return new ActionSpec(spec.type(), options);
  }

  private static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException ignored) {
      // a folder that is not empty, or gone: the error being reported matters more
    }
  }

  private static Optional<OperationView> alternative(Action action) {
    // with method auto or update-encryption the operation is one of the plan's parts already
    return action instanceof ReencryptAction reencrypt
            && reencrypt.method() == ReencryptAction.Method.COPY
        ? reencrypt.updateEncryptionOperation().map(OperationView::of)
        : Optional.empty();
  }

  /** Whether the action's job is an S3PutObjectCopy (the bucket does not change the operation). */
  private static boolean copies(ActionSpec spec) {
    return ActionRegistry.create(spec).jobOperation("bucket").s3PutObjectCopy() != null;
  }

  private static List<String> limitViolations(
      Playbook playbook, PlanStats stats, Split split, OperationView operation) {
    List<String> violations = new ArrayList<>();
    PlanResult.OverCopyLimit large = stats.overCopyLimit();
    // any copy job of a split plan may hold them (the counts are not kept per part): refuse then;
    // a restore followed by a copy (then:, a revert's restore-first step) copies them too
    boolean copies =
        split.parts().isEmpty()
            ? operation.name().equals(COPY) || playbook.then().filter(PlanRun::copies).isPresent()
            : split.parts().stream()
                .anyMatch(
                    p ->
                        p.operation().name().equals(COPY)
                            || p.followUp().filter(PlanRun::copies).isPresent());
    if (copies && large.objects() > 0) {
      // AWS fails each of them while the local executor copies them: refuse rather than differ
      violations.add(
          large.objects()
              + " object"
              + (large.objects() == 1 ? " is" : "s are")
              + " over 5 GB ("
              + large.limitBytes()
              + " bytes), the most "
              + COPY
              + " copies in one request (e.g. "
              + large.sampleKey().orElse("?")
              + "): leave them out of the query (AND size <= "
              + large.limitBytes()
              + ") and copy them with a multipart copy outside Quarry; nothing would run");
    }
    if (split.parts().isEmpty() && !split.leftOut().isEmpty()) {
      violations.add(
          "every selected object is in a storage class the action cannot act on ("
              + split.leftOut().stream()
                  .map(l -> l.objects() + " in " + l.storageClass())
                  .collect(java.util.stream.Collectors.joining(", "))
              + "): nothing would run; "
              + split.leftOut().get(0).reason());
    }
    if (split.unknownClasses() > 0) {
      violations.add(
          split.unknownClasses()
              + " objects have no known storage class, and a copy job takes one class for all its"
              + " copies (without one, S3 stores them as STANDARD): select storage_class in the"
              + " query, refresh the metadata, or set the action's storage-class");
    }
    playbook
        .limits()
        .maxObjects()
        .ifPresent(
            max -> {
              // the parts come from a second pass of the query, which may have selected more
              long selected =
                  Math.max(
                      stats.objects(),
                      split.parts().stream().mapToLong(PlanResult.Part::objects).sum());
              if (selected > max) {
                violations.add(
                    "the query selected "
                        + selected
                        + " objects, over limits.max-objects "
                        + max
                        + ": nothing would run");
              }
            });
    return violations;
  }

  private static List<String> awsLimitations(
      Action action, OperationView operation, List<PlanResult.Group> buckets) {
    List<String> limitations = new ArrayList<>(action.awsLimitations());
    boolean copiesInPlace = operation.name().equals(COPY);
    if (copiesInPlace
        && buckets.size() > 1
        && !action.partitions().contains(Action.Partition.BUCKET)) {
      limitations.add(
          "the objects are in "
              + buckets.size()
              + " buckets; a copy in place targets one bucket, so AWS needs one job per bucket");
    }
    return limitations;
  }
}
