package dev.quarry.app;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quarry.action.ConditionalDeleteMarker;
import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.io.FileTrees;
import dev.quarry.manifest.ManifestReader;
import dev.quarry.manifest.ManifestWriter;
import dev.quarry.playbook.ActionSpec;
import dev.quarry.playbook.Limits;
import dev.quarry.playbook.Playbook;
import dev.quarry.query.ObjectRow;
import dev.quarry.report.ReportLocation;
import dev.quarry.report.TaskResult;
import dev.quarry.run.RunRecord;
import dev.quarry.run.RunStore;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

/**
 * Undoes a point-in-time revert ({@code quarry undo RUN}): brings the keys a revert run changed
 * back to their state before it, as one new run with one job per kind of undo, linked to the revert
 * run as its retries are. Only tasks the revert's completion reports name as succeeded are undone
 * (a failed task changed nothing):
 *
 * <ul>
 *   <li>a {@code hide-keys} task reported {@code delete marker added: ID}: that marker, and no
 *       other entry, is removed ({@code rollback-deletes}, which removes only delete markers);
 *   <li>a {@code rollback-deletes} task removed the key's markers: the key is hidden again ({@code
 *       hide-keys} on the version it uncovered, a conditional delete that never removes a version);
 *   <li>a {@code revert-to-version} task copied the version of T in place: the version current
 *       before the revert (from the step's undo manifest) is copied back, keeping its storage
 *       class, or the key is hidden again when it was hidden before the revert.
 * </ul>
 *
 * <p>A key that changed since the revert is listed as not touched, never undone: its newest entry
 * must still be the one the revert left (the marker it added; the version it uncovered, written
 * before the revert started; the copy it made, written since, with the content of T). The check is
 * made from a listing when the undo is planned; {@code hide-keys} checks again as it runs
 * (If-Match) and {@code rollback-deletes} removes only delete markers, but a key overwritten
 * between this check and the copy back would be overwritten once more (the newer version stays in
 * its history).
 */
public final class UndoRevert {
  /** The versions and delete markers of one key, as the server lists them now. */
  @FunctionalInterface
  public interface Versions {
    /** Every entry of exactly {@code key} (not of the keys it is a prefix of). */
    List<Entry> of(String bucket, String key);
  }

  /**
   * One version or delete marker of a key.
   *
   * @param eTag without quotes; null for a delete marker
   * @param storageClass null for a delete marker
   */
  public record Entry(
      String versionId,
      boolean deleteMarker,
      boolean latest,
      Instant lastModified,
      String eTag,
      String storageClass) {
    public Entry {
      requireNonNull(versionId, "versionId is null");
      requireNonNull(lastModified, "lastModified is null");
    }
  }

  /** A key the undo leaves as it is, and why. */
  public record NotTouched(String key, String step, String why) {
    public NotTouched {
      requireNonNull(key, "key is null");
      requireNonNull(step, "step is null");
      requireNonNull(why, "why is null");
    }
  }

  /** One job of the undo: its action and manifest. */
  public record Step(ActionSpec action, Path manifest, long objects) {
    public Step {
      requireNonNull(action, "action is null");
      requireNonNull(manifest, "manifest is null");
    }
  }

  /**
   * What the undo does, and what it did.
   *
   * @param run absent on a dry run, or when nothing is to be undone
   */
  public record Result(
      RunRecord origin,
      List<Step> steps,
      List<NotTouched> notTouched,
      long failedInRevert,
      Optional<ExecuteRun.Outcome> run) {
    public Result {
      requireNonNull(origin, "origin is null");
      steps = List.copyOf(steps);
      notTouched = List.copyOf(notTouched);
      requireNonNull(run, "run is null");
    }
  }

  private final RunStore store;
  private final ReviewReport.Reader reports;
  private final Versions versions;
  private final ExecuteRun execute;
  private final Path manifestsRoot;

  public UndoRevert(
      RunStore store,
      ReviewReport.Reader reports,
      Versions versions,
      ExecuteRun execute,
      Path manifestsRoot) {
    this.store = requireNonNull(store, "store is null");
    this.reports = requireNonNull(reports, "reports is null");
    this.versions = requireNonNull(versions, "versions is null");
    this.execute = requireNonNull(execute, "execute is null");
    this.manifestsRoot = requireNonNull(manifestsRoot, "manifestsRoot is null");
  }

  /**
   * @param maxObjects the most objects the undo may change (the run's limit); empty on a dry run
   * @param dryRun plan only: the undo's manifests are written (and kept) and nothing is submitted
   * @throws QuarryException (user) when the run is unknown, has not ended, is not a revert, or its
   *     playbook changed
   */
  public Result undo(
      String runId,
      OptionalLong maxObjects,
      boolean dryRun,
      boolean wait,
      Approval approval,
      RunListener listener) {
    requireNonNull(maxObjects, "maxObjects is null");
    RunRecord origin =
        store
            .find(requireNonNull(runId, "runId is null"))
            .orElseThrow(
                () ->
                    QuarryException.user(
                        ErrorCode.RUN_NOT_FOUND, "no run " + runId + " (see quarry runs)"));
    Playbook playbook =
        RunPlaybooks.of(origin, "", "restore that version to undo the revert it ran");
    if (playbook.revert().isEmpty()) {
      throw QuarryException.user(
          ErrorCode.RUN_STATE_INVALID,
          "run " + runId + " is a run of " + playbook.name() + ", not a revert: nothing to undo");
    }
    if (origin.ended().isEmpty()) {
      throw QuarryException.user(
          ErrorCode.RUN_STATE_INVALID,
          "run "
              + runId
              + " has not ended ("
              + origin.phase().label()
              + "): finish it with 'quarry resume "
              + runId
              + "' before undoing it");
    }
    if (!dryRun && maxObjects.isEmpty()) {
      throw QuarryException.user(
          ErrorCode.OPTION_INVALID,
          "an undo changes the bucket: give --max-objects N (--dry-run shows how many it would)");
    }
    String bucket = playbook.bucket().orElseThrow();
    // listings give seconds: a version of the revert's own second counts as written since it began
    Instant started = origin.started().truncatedTo(ChronoUnit.SECONDS);
    Path staging =
        manifestsRoot
            .resolve(playbook.name())
            .resolve(runId)
            .resolve(dryRun ? "undo-plan" : "undo-" + java.util.UUID.randomUUID());
    if (dryRun) {
      deleteTree(staging);
    }
    Before before = Before.read(origin);
    Map<String, ObjectRow> removeMarkers = new TreeMap<>();
    Map<String, ObjectRow> hide = new TreeMap<>();
    Map<String, Map<String, ObjectRow>> copyBack = new TreeMap<>();
    List<NotTouched> notTouched = new ArrayList<>();
    long[] failed = {0};
    for (RunRecord.Step step : origin.steps()) {
      if (step.jobId().isEmpty()) {
        continue;
      }
      String action = step.action();
      if (!List.of("hide-keys", "rollback-deletes", "revert-to-version").contains(action)) {
        // a restore changed no version: its copies expire by themselves
        continue;
      }
      ReportLocation location =
          ReviewReport.reportOf(runId, step, "what it changed is unknown, nothing to undo from");
      reports.read(
          location,
          step.jobId().get(),
          row -> {
            if (!row.outcome().succeeded()) {
              failed[0]++;
              return;
            }
            Optional<String> why =
                switch (action) {
                  case "hide-keys" -> unhide(bucket, row, started, removeMarkers);
                  case "rollback-deletes" -> hideAgain(bucket, row, started, hide);
                  default -> copyBack(bucket, row, started, before, hide, copyBack);
                };
            why.ifPresent(w -> notTouched.add(new NotTouched(row.key(), action, w)));
          });
    }
    List<Step> steps = new ArrayList<>();
    try {
      write(staging, "rollback-deletes", spec("rollback-deletes"), removeMarkers, steps);
      write(staging, "hide-keys", spec("hide-keys"), hide, steps);
      for (Map.Entry<String, Map<String, ObjectRow>> group : copyBack.entrySet()) {
        ActionSpec copy = spec("revert-to-version");
        if (!group.getKey().isEmpty()) {
          copy.options().put("storage-class", group.getKey());
        }
        String name = "revert-to-version" + (group.getKey().isEmpty() ? "" : "-" + group.getKey());
        write(staging, name, copy, group.getValue(), steps);
      }
      if (dryRun || steps.isEmpty()) {
        return new Result(origin, steps, notTouched, failed[0], Optional.empty());
      }
      Playbook limited = withLimits(playbook, maxObjects);
      List<PlanRun.GivenStep> given =
          steps.stream()
              .map(s -> new PlanRun.GivenStep(s.action(), s.manifest(), Optional.empty()))
              .toList();
      return new Result(
          origin,
          steps,
          notTouched,
          failed[0],
          Optional.of(
              execute.executeOn(
                  limited,
                  given,
                  origin.parameters(),
                  origin.engine(),
                  origin.id(),
                  wait,
                  approval,
                  listener)));
    } finally {
      if (!dryRun) {
        // the undo run's own folder keeps its copies of these manifests
        deleteTree(staging);
      }
    }
  }

  /**
   * The marker hide-keys added, when it is still the key's newest entry. A task retried after the
   * revert was killed and resumed finds its own marker and says "already hidden by delete marker:
   * ID": that marker is the revert's too when it was written after the revert started.
   */
  private Optional<String> unhide(
      String bucket, TaskResult row, Instant started, Map<String, ObjectRow> out) {
    String message = row.outcome().message();
    boolean added = message.startsWith(ConditionalDeleteMarker.ADDED);
    if (!added && !message.startsWith(ConditionalDeleteMarker.ALREADY_HIDDEN)) {
      return Optional.of(
          "the revert added no marker here (its report says '"
              + message
              + "'): only markers the report names as added are removed");
    }
    String marker =
        message
            .substring(
                (added ? ConditionalDeleteMarker.ADDED : ConditionalDeleteMarker.ALREADY_HIDDEN)
                    .length())
            .trim();
    Optional<Entry> latest = latest(bucket, row.key());
    if (latest.isEmpty()
        || !latest.get().deleteMarker()
        || !latest.get().versionId().equals(marker)) {
      return Optional.of(
          "changed since the revert: the delete marker "
              + marker
              + " is no longer its newest entry");
    }
    if (!added && latest.get().lastModified().isBefore(started)) {
      return Optional.of(
          "the key was hidden before the revert (by delete marker "
              + marker
              + "): the revert added no marker here");
    }
    out.put(row.key(), new ObjectRow(row.bucket(), row.key(), marker, null, null));
    return Optional.empty();
  }

  /** The key's markers were removed: it is hidden again on the version they uncovered. */
  private Optional<String> hideAgain(
      String bucket, TaskResult row, Instant started, Map<String, ObjectRow> out) {
    if (!row.outcome().message().equals("delete marker removed")) {
      // already removed when the revert ran: the key was not hidden by it before the revert
      return out.containsKey(row.key())
          ? Optional.empty()
          : Optional.of("its delete marker was gone before the revert ran: nothing to hide again");
    }
    Optional<Entry> latest = latest(bucket, row.key());
    if (latest.isEmpty()
        || latest.get().deleteMarker()
        || !latest.get().lastModified().isBefore(started)) {
      return Optional.of(
          "changed since the revert: its newest entry is no longer the version the revert"
              + " uncovered");
    }
    out.put(
        row.key(), new ObjectRow(row.bucket(), row.key(), latest.get().versionId(), null, null));
    return Optional.empty();
  }

  /** The revert's copy is still current: the version before it comes back, or the key is hidden. */
  private Optional<String> copyBack(
      String bucket,
      TaskResult row,
      Instant started,
      Before before,
      Map<String, ObjectRow> hide,
      Map<String, Map<String, ObjectRow>> copyBack) {
    List<Entry> entries = versions.of(bucket, row.key());
    Optional<Entry> latest = entries.stream().filter(Entry::latest).findFirst();
    Optional<Entry> ofT =
        entries.stream().filter(e -> e.versionId().equals(row.versionId())).findFirst();
    if (latest.isEmpty()
        || ofT.isEmpty()
        || latest.get().deleteMarker()
        || latest.get().versionId().equals(row.versionId())
        || latest.get().lastModified().isBefore(started)
        || !java.util.Objects.equals(latest.get().eTag(), ofT.get().eTag())) {
      return Optional.of(
          "changed since the revert: its current version is no longer the copy of "
              + row.versionId()
              + " the revert made");
    }
    String previous = before.current.get(row.key());
    if (previous != null) {
      String cls =
          entries.stream()
              .filter(e -> e.versionId().equals(previous))
              .findFirst()
              .map(Entry::storageClass)
              .filter(c -> !c.equals("STANDARD"))
              .orElse("");
      copyBack
          .computeIfAbsent(cls, c -> new LinkedHashMap<>())
          .put(row.key(), new ObjectRow(row.bucket(), row.key(), previous, null, null));
      return Optional.empty();
    }
    if (before.hidden.contains(row.key())) {
      hide.put(
          row.key(), new ObjectRow(row.bucket(), row.key(), latest.get().versionId(), null, null));
      return Optional.empty();
    }
    return Optional.of("its state before the revert is not in the revert's undo manifests");
  }

  private Optional<Entry> latest(String bucket, String key) {
    return versions.of(bucket, key).stream().filter(Entry::latest).findFirst();
  }

  /**
   * What the revert's planner recorded of the copied keys before the revert: each key's current
   * version ({@code *.undo-copy-back.csv}), or that a delete marker hid it ({@code
   * *.undo-add-markers.csv} of the copy sets), beside the revert's manifests.
   */
  private record Before(Map<String, String> current, Set<String> hidden) {
    static Before read(RunRecord origin) {
      Map<String, String> current = new HashMap<>();
      Set<String> hidden = new LinkedHashSet<>();
      Set<Path> folders = new LinkedHashSet<>();
      for (RunRecord.Step step : origin.steps()) {
        Path parent = Path.of(step.manifest().location()).getParent();
        if (parent != null) {
          folders.add(parent);
        }
      }
      for (Path folder : folders) {
        for (String set : List.of("copy-back", "restore-first")) {
          Path copy = folder.resolve(set + ".undo-copy-back.csv");
          if (Files.exists(copy)) {
            ManifestReader.read(copy, r -> current.put(r.key(), r.versionId()));
          }
          Path markers = folder.resolve(set + ".undo-add-markers.csv");
          if (Files.exists(markers)) {
            ManifestReader.read(markers, r -> hidden.add(r.key()));
          }
        }
      }
      return new Before(current, hidden);
    }
  }

  private static void write(
      Path staging, String name, ActionSpec action, Map<String, ObjectRow> rows, List<Step> out) {
    if (rows.isEmpty()) {
      return;
    }
    Path file = staging.resolve(name + ".csv");
    try (ManifestWriter writer = ManifestWriter.open(file, true)) {
      rows.values().forEach(writer::write);
      writer.finish();
    }
    out.add(new Step(action, file, rows.size()));
  }

  private static ActionSpec spec(String type) {
    ObjectNode options = JsonNodeFactory.instance.objectNode().put("type", type);
    return new ActionSpec(type, options);
  }

  /** The revert's playbook held to the undo's own limit (the revert's was for the revert). */
  private static Playbook withLimits(Playbook p, OptionalLong maxObjects) {
    return new Playbook(
        p.source(),
        p.name(),
        p.description(),
        p.schedule(),
        p.query(),
        p.parameters(),
        p.action(),
        new Limits(maxObjects, p.limits().confirm()),
        p.report(),
        p.bucket(),
        p.metadata(),
        p.then(),
        p.revert(),
        p.incremental());
  }

  private static void deleteTree(Path dir) {
    try {
      FileTrees.delete(dir);
    } catch (UncheckedIOException ignored) {
      // leftover staging files are harmless: the next undo writes its own
    }
  }
}
