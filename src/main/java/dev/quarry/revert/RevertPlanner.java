package dev.quarry.revert;

import static java.util.Objects.requireNonNull;

import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.manifest.Manifest;
import dev.quarry.manifest.ManifestWriter;
import dev.quarry.query.BoundQuery;
import dev.quarry.query.ManifestRequest;
import dev.quarry.query.ObjectRow;
import dev.quarry.query.QueryEngine;
import dev.quarry.query.Selection;
import dev.quarry.query.SelectionSummary;
import dev.quarry.query.TaskIdentity;
import dev.quarry.revert.RevertPlan.CopyGroup;
import dev.quarry.revert.RevertPlan.Step;
import dev.quarry.revert.RevertPlan.Undo;
import dev.quarry.revert.RevertPlan.UndoAction;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Plans a point-in-time revert of a bucket (or a prefix) from its metadata tables, on either
 * engine: sorts every key into {@link RevertSet}s and writes one manifest per set and copy group,
 * with the undo manifests beside them. Nothing is changed in the bucket.
 *
 * <p>Refuses a bucket whose tables show versions without a version id under the prefix: it was
 * unversioned, or versioning was suspended, and a copy in place would overwrite the null version.
 * The tables cannot tell whether versioning is enabled now; the caller asks the server
 * (GetBucketVersioning) before it submits anything.
 */
public final class RevertPlanner {
  static final int SAMPLE_SIZE = 10;

  private RevertPlanner() {}

  /**
   * @param engine resolves plain {@code journal} / {@code inventory} to the bucket's tables
   * @param t the point in time (UTC)
   * @param dir where the manifests go: {@code <set>[-<n>].csv} and {@code
   *     <set>[-<n>].undo-<action>.csv}
   * @throws QuarryException (user) for a bucket with unversioned objects under the prefix
   */
  public static RevertPlan plan(
      QueryEngine engine, String bucket, Instant t, Optional<String> prefix, Path dir) {
    requireNonNull(engine, "engine is null");
    requireNonNull(bucket, "bucket is null");
    requireNonNull(t, "t is null");
    requireNonNull(prefix, "prefix is null");
    requireNonNull(dir, "dir is null");
    Map<String, Object> parameters = parameters(bucket, t, prefix);
    long nullVersions = count(engine, new BoundQuery(RevertSql.NULL_VERSIONS, parameters));
    if (nullVersions > 0) {
      throw QuarryException.user(
          ErrorCode.BUCKET_UNSUITABLE,
          "bucket "
              + bucket
              + " has "
              + nullVersions
              + " version(s) without a version id"
              + prefix.map(p -> " under " + p).orElse("")
              + ": it was unversioned or versioning was suspended, and a revert needs every"
              + " version kept; enable versioning (a revert of later changes is possible once"
              + " the null versions are out of its prefix)");
    }
    List<Step> steps = new ArrayList<>();
    for (RevertSet set : RevertSet.values()) {
      switch (set) {
        case HIDE -> {
          Written m = write(engine, RevertSql.set(set, false), parameters, set, dir, "");
          Written undo =
              write(
                  engine, RevertSql.keys(set, false), parameters, dir, "hide.undo-remove-markers");
          steps.add(
              step(set, Optional.empty(), m, List.of(undo(UndoAction.REMOVE_MARKERS, undo, true))));
        }
        case REMOVE_MARKERS -> {
          Written m = write(engine, RevertSql.set(set, false), parameters, set, dir, "");
          Written undo =
              write(
                  engine,
                  RevertSql.keys(set, false),
                  parameters,
                  dir,
                  set.fileName() + ".undo-add-markers");
          steps.add(
              step(set, Optional.empty(), m, List.of(undo(UndoAction.ADD_MARKERS, undo, false))));
        }
        case COPY_BACK, RESTORE_FIRST -> {
          List<CopyGroup> groups = groups(engine, set, parameters);
          for (int i = 0; i < groups.size(); i++) {
            CopyGroup group = groups.get(i);
            Map<String, Object> byGroup = new LinkedHashMap<>(parameters);
            byGroup.put("storage_class", group.storageClass());
            byGroup.put("encryption", group.encryption());
            byGroup.put("kms_key", group.kmsKeyArn());
            String suffix = groups.size() == 1 ? "" : "-" + (i + 1);
            Written m = write(engine, RevertSql.set(set, true), byGroup, set, dir, suffix);
            steps.add(step(set, Optional.of(group), m, List.of()));
          }
          if (!groups.isEmpty()) {
            // one undo for the whole set: the versions current before the revert, or markers
            Written copy =
                write(
                    engine,
                    RevertSql.currentBefore(set),
                    parameters,
                    dir,
                    set.fileName() + ".undo-copy-back",
                    true);
            Written hide =
                write(
                    engine,
                    RevertSql.keys(set, true),
                    parameters,
                    dir,
                    set.fileName() + ".undo-add-markers");
            int last = steps.size() - 1;
            Step s = steps.get(last);
            steps.set(
                last,
                new Step(
                    s.set(),
                    s.group(),
                    s.manifest(),
                    s.objects(),
                    s.bytes(),
                    s.sample(),
                    s.overCopyLimit(),
                    s.overCopyLimitSample(),
                    List.of(
                        undo(UndoAction.COPY_BACK, copy, false),
                        undo(UndoAction.ADD_MARKERS, hide, false))));
          }
        }
        case PERMANENTLY_DELETED, TAGS_CHANGED -> {
          Written m = write(engine, RevertSql.set(set, false), parameters, set, dir, "");
          steps.add(step(set, Optional.empty(), m, List.of()));
        }
      }
    }
    return new RevertPlan(bucket, t, prefix, steps);
  }

  static Map<String, Object> parameters(String bucket, Instant t, Optional<String> prefix) {
    Map<String, Object> parameters = new LinkedHashMap<>();
    parameters.put("bucket", bucket);
    parameters.put("prefix", prefix.orElse(""));
    parameters.put("t", LocalDateTime.ofInstant(t, ZoneOffset.UTC));
    return parameters;
  }

  private record Written(
      Manifest manifest,
      long objects,
      long bytes,
      List<ObjectRow> sample,
      long overCopyLimit,
      Optional<ObjectRow> overCopyLimitSample) {}

  private static Step step(RevertSet set, Optional<CopyGroup> group, Written m, List<Undo> undo) {
    return new Step(
        set,
        group,
        m.manifest(),
        m.objects(),
        m.bytes(),
        m.sample(),
        m.overCopyLimit(),
        m.overCopyLimitSample(),
        undo);
  }

  private static Undo undo(UndoAction action, Written m, boolean completedAfterRun) {
    return new Undo(action, m.manifest(), completedAfterRun);
  }

  private static Written write(
      QueryEngine engine,
      String sql,
      Map<String, Object> parameters,
      RevertSet set,
      Path dir,
      String suffix) {
    return write(engine, sql, parameters, dir, set.fileName() + suffix, set.withVersionIds());
  }

  private static Written write(
      QueryEngine engine, String sql, Map<String, Object> parameters, Path dir, String name) {
    return write(engine, sql, parameters, dir, name, false);
  }

  /** As PlanRun: the engine writes the manifest itself where it can, else rows are streamed. */
  private static Written write(
      QueryEngine engine,
      String sql,
      Map<String, Object> parameters,
      Path dir,
      String name,
      boolean withVersionIds) {
    BoundQuery query = new BoundQuery(sql, parameters);
    Path target = dir.resolve(name + ".csv");
    TaskIdentity identity = TaskIdentity.of(withVersionIds);
    try (ManifestWriter.Staged staged = ManifestWriter.stage(target, withVersionIds)) {
      Optional<SelectionSummary> summary =
          engine.writeManifest(
              query,
              new ManifestRequest(staged.path(), identity, 0, "other", "unknown", SAMPLE_SIZE));
      if (summary.isPresent()) {
        Manifest manifest = staged.finish(summary.get().selection().objects());
        return new Written(
            manifest,
            summary.get().selection().objects(),
            summary.get().bytes(),
            summary.get().sample(),
            summary.get().overCopyLimit(),
            summary.get().overCopyLimitSample());
      }
    }
    List<ObjectRow> sample = new ArrayList<>();
    long[] bytes = {0};
    long[] large = {0};
    ObjectRow[] firstLarge = {null};
    try (ManifestWriter writer = ManifestWriter.open(target, withVersionIds)) {
      Selection selection =
          engine.objects(
              query,
              identity,
              row -> {
                writer.write(row);
                bytes[0] += row.size() == null ? 0 : row.size();
                if (sample.size() < SAMPLE_SIZE) {
                  sample.add(row);
                }
                if (row.size() != null && row.size() > SelectionSummary.COPY_LIMIT_BYTES) {
                  large[0]++;
                  if (firstLarge[0] == null) {
                    firstLarge[0] = row;
                  }
                }
              });
      return new Written(
          writer.finish(),
          selection.objects(),
          bytes[0],
          sample,
          large[0],
          Optional.ofNullable(firstLarge[0]));
    }
  }

  private static List<CopyGroup> groups(
      QueryEngine engine, RevertSet set, Map<String, Object> parameters) {
    List<CopyGroup> groups = new ArrayList<>();
    engine.rows(
        new BoundQuery(RevertSql.groups(set), parameters),
        new QueryEngine.RowVisitor() {
          @Override
          public void columns(List<String> names) {}

          @Override
          public void row(List<Object> values) {
            groups.add(
                new CopyGroup(
                    String.valueOf(values.get(0)),
                    String.valueOf(values.get(1)),
                    String.valueOf(values.get(2))));
          }
        });
    return groups;
  }

  private static long count(QueryEngine engine, BoundQuery query) {
    long[] n = {0};
    engine.rows(
        query,
        new QueryEngine.RowVisitor() {
          @Override
          public void columns(List<String> names) {}

          @Override
          public void row(List<Object> values) {
            n[0] = ((Number) values.get(0)).longValue();
          }
        });
    return n[0];
  }
}
