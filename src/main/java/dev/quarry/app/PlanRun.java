package dev.quarry.app;

import static java.util.Objects.requireNonNull;

import dev.quarry.action.Action;
import dev.quarry.action.ActionRegistry;
import dev.quarry.action.OperationView;
import dev.quarry.action.ReencryptAction;
import dev.quarry.cost.CostEstimate;
import dev.quarry.cost.CostEstimator;
import dev.quarry.cost.PriceList;
import dev.quarry.error.QuarryException;
import dev.quarry.io.AtomicFiles;
import dev.quarry.io.StorageErrors;
import dev.quarry.manifest.Manifest;
import dev.quarry.manifest.ManifestReader;
import dev.quarry.manifest.ManifestWriter;
import dev.quarry.manifest.StorageClassFile;
import dev.quarry.playbook.Limits;
import dev.quarry.playbook.Playbook;
import dev.quarry.playbook.PlaybookValidator;
import dev.quarry.query.BoundQuery;
import dev.quarry.query.ManifestRequest;
import dev.quarry.query.QueryEngine;
import dev.quarry.query.QueryStatistics;
import dev.quarry.query.Selection;
import dev.quarry.query.SelectionSummary;
import dev.quarry.query.TaskIdentity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
    Map<String, Object> parameters = ParameterBinder.bind(playbook, given);
    Action action =
        ActionRegistry.create(
            playbook
                .action()
                .orElseThrow(
                    () ->
                        QuarryException.user(
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
    try {
      // DESIGN rule 13: the engine writes and counts the manifest itself where it can
      Optional<SelectionSummary> summary;
      Manifest written = null;
      try (ManifestWriter.Staged staged = ManifestWriter.stage(target, withVersionIds)) {
        summary =
            engine.writeManifest(
                query,
                new ManifestRequest(
                    staged.path(),
                    identity,
                    PlanStats.MAX_PREFIXES,
                    PlanStats.OTHER,
                    PlanStats.UNKNOWN,
                    PlanStats.SAMPLE_SIZE,
                    Optional.of(classes)));
        if (summary.isPresent()) {
          written = staged.finish(summary.get().selection().objects());
        }
      }
      if (summary.isPresent()) {
        stats = PlanStats.of(summary.get());
        selection = summary.get().selection();
        manifest = written;
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
                    writer.write(row);
                    classWriter.write(row);
                    streamed.add(row);
                  });
          manifest = writer.finish();
          classWriter.finish();
        }
        stats = streamed;
      }
    } catch (RuntimeException e) {
      // the writer removed its temporary file; the run's folder goes too if nothing else is in it
      deleteQuietly(classes);
      deleteQuietly(dir);
      throw e;
    }
    // the engine may be shared with other plans: only what this plan's queries cost
    Optional<QueryStatistics> queryStatistics =
        engine.statistics().map(after -> after.minus(before.orElse(QueryStatistics.NONE)));
    return result(
        playbook,
        action,
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
   * The plan of a run on a manifest given whole instead of the playbook's query (a retry's failed
   * tasks, {@link RetryRun}): its rows are copied into the run's folder, counted and held to the
   * playbook's limits as the query's would be. Sizes and storage classes are unknown.
   *
   * @param engine the engine to record the run with (the origin run's)
   */
  public static PlanResult given(
      Playbook playbook,
      Map<String, String> given,
      Path source,
      String engine,
      Path manifestsRoot,
      Clock clock) {
    Map<String, Object> parameters = ParameterBinder.bind(playbook, given);
    Action action =
        ActionRegistry.create(
            playbook
                .action()
                .orElseThrow(
                    () ->
                        QuarryException.user(
                            playbook.source() + ": a report-only playbook has no action to run")));
    String runId = RunIds.next(clock);
    Path dir = manifestsRoot.resolve(playbook.name()).resolve(runId);
    PlanStats stats = new PlanStats();
    Manifest manifest;
    try (ManifestWriter writer =
        ManifestWriter.open(dir.resolve("manifest.csv"), ManifestReader.hasVersionIds(source))) {
      ManifestReader.read(
          source,
          row -> {
            writer.write(row);
            stats.add(row);
          });
      manifest = writer.finish();
    } catch (RuntimeException e) {
      deleteQuietly(dir);
      throw e;
    }
    return result(
        playbook,
        action,
        parameters,
        runId,
        dir,
        manifest,
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
    OperationView operation = OperationView.of(action.jobOperation(bucket));
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
        limitViolations(playbook, stats, operation),
        awsLimitations(action, operation, buckets),
        queryStatistics,
        playbook
            .then()
            .map(ActionRegistry::create)
            .map(
                next ->
                    new PlanResult.FollowUp(
                        next.type(),
                        next.destructive(),
                        OperationView.of(next.jobOperation(bucket)))),
        cost,
        stats.overCopyLimit());
  }

  private static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException ignored) {
      // a folder that is not empty, or gone: the error being reported matters more
    }
  }

  private static Optional<OperationView> alternative(Action action) {
    return action instanceof ReencryptAction reencrypt
        ? reencrypt.updateEncryptionOperation().map(OperationView::of)
        : Optional.empty();
  }

  private static List<String> limitViolations(
      Playbook playbook, PlanStats stats, OperationView operation) {
    List<String> violations = new ArrayList<>();
    PlanResult.OverCopyLimit large = stats.overCopyLimit();
    if (operation.name().equals(COPY) && large.objects() > 0) {
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
    playbook
        .limits()
        .maxObjects()
        .ifPresent(
            max -> {
              if (stats.objects() > max) {
                violations.add(
                    "the query selected "
                        + stats.objects()
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
    if (copiesInPlace && buckets.size() > 1) {
      limitations.add(
          "the objects are in "
              + buckets.size()
              + " buckets; a copy in place targets one bucket, so AWS needs one job per bucket");
    }
    return limitations;
  }
}
