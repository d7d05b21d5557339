package dev.quarry.revert;

import static java.util.Objects.requireNonNull;

import dev.quarry.manifest.Manifest;
import dev.quarry.query.ObjectRow;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A point-in-time revert, planned: one step per set and copy group, each with its manifest, its
 * totals and sample, and the undo manifests that return the bucket to its state before the revert.
 *
 * @param t the point in time, an instant (the tables' timestamps are UTC)
 * @param prefix empty for the whole bucket
 * @param steps the touched sets first, in the order they should run (restores before their copies
 *     can only follow once the restores completed), then the sets reported as not touched
 */
public record RevertPlan(String bucket, Instant t, Optional<String> prefix, List<Step> steps) {
  public RevertPlan {
    requireNonNull(bucket, "bucket is null");
    requireNonNull(t, "t is null");
    requireNonNull(prefix, "prefix is null");
    steps = List.copyOf(steps);
  }

  /** The steps of one set. */
  public List<Step> steps(RevertSet set) {
    return steps.stream().filter(s -> s.set() == set).toList();
  }

  /**
   * One set (or one copy group of a copy set) of the revert.
   *
   * @param group for {@link RevertSet#COPY_BACK} and {@link RevertSet#RESTORE_FIRST}: the storage
   *     class and encryption every version of the manifest has, for a job that keeps them
   * @param manifest S3BatchOperations_CSV_20180820, with version ids where the set names versions
   * @param bytes the sum of the versions' sizes
   * @param sample the first rows, in manifest order
   * @param overCopyLimit the versions over 5 GB, which no S3PutObjectCopy task copies back
   * @param overCopyLimitSample the first of those
   * @param undo what to run after this step to undo it
   */
  public record Step(
      RevertSet set,
      Optional<CopyGroup> group,
      Manifest manifest,
      long objects,
      long bytes,
      List<ObjectRow> sample,
      long overCopyLimit,
      Optional<ObjectRow> overCopyLimitSample,
      List<Undo> undo) {
    public Step {
      requireNonNull(set, "set is null");
      requireNonNull(group, "group is null");
      requireNonNull(manifest, "manifest is null");
      sample = List.copyOf(sample);
      requireNonNull(overCopyLimitSample, "overCopyLimitSample is null");
      undo = List.copyOf(undo);
    }
  }

  /**
   * What a copy job must set to keep the versions' storage class and encryption (S3PutObjectCopy's
   * storage class applies to every task of a job; without it the copy is STANDARD).
   *
   * @param storageClass empty when the tables do not say (copy as STANDARD)
   * @param encryption empty when the tables do not say
   * @param kmsKeyArn empty unless SSE-KMS or DSSE-KMS
   */
  public record CopyGroup(String storageClass, String encryption, String kmsKeyArn) {
    public CopyGroup {
      requireNonNull(storageClass, "storageClass is null");
      requireNonNull(encryption, "encryption is null");
      requireNonNull(kmsKeyArn, "kmsKeyArn is null");
    }
  }

  /** What an undo manifest is to be run with. */
  public enum UndoAction {
    /**
     * Remove delete markers. For {@link RevertSet#HIDE} the manifest holds the hidden keys only
     * (bucket, key): the new markers' version ids exist only once the job ran. Complete it after
     * the run with {@link RevertVerifier#newMarkers}, which lists each key's versions and keeps its
     * newest delete marker written since the run started.
     */
    REMOVE_MARKERS,
    /** Add a delete marker to each key (bucket, key): the key was hidden before the revert. */
    ADD_MARKERS,
    /** Copy each version (bucket, key, version) in place: the version current before the revert. */
    COPY_BACK
  }

  /**
   * @param completedAfterRun whether the manifest is to be completed after the step ran (see {@link
   *     UndoAction#REMOVE_MARKERS})
   */
  public record Undo(UndoAction action, Manifest manifest, boolean completedAfterRun) {
    public Undo {
      requireNonNull(action, "action is null");
      requireNonNull(manifest, "manifest is null");
    }
  }
}
