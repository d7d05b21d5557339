package dev.quarry.action;

import software.amazon.awssdk.services.s3control.model.JobOperation;

/**
 * What a playbook does to every object its query returns. One class per action knows both the S3
 * Batch Operations operation it becomes on AWS and (with the local executor) the task it runs
 * against any S3 endpoint, so the two cannot drift apart.
 *
 * <p>Adding an action costs this class, its schema fragment ({@code <type>.schema.json} beside this
 * interface), an example playbook, its tests and one line in {@link ActionRegistry}.
 */
public interface Action {
  /** The name a playbook uses in {@code action.type}. */
  String type();

  /** Whether every manifest row must name a version: the action acts on one exact version. */
  boolean needsVersionId();

  /**
   * Whether the manifest may name versions when the query returns {@code version_id}. False for
   * actions that act on the current object: copying a named older version in place would make it
   * current again.
   */
  default boolean acceptsVersionId() {
    return true;
  }

  /**
   * Whether running a task twice on the same row leaves the same result as running it once. After a
   * crash, a task of a non-idempotent action that may have run (a copy in place makes a version
   * each time) is reported as failed rather than run again.
   */
  default boolean idempotent() {
    return true;
  }

  /** Whether the action can lose data or history, so it needs a limit and a confirmation. */
  boolean destructive();

  /**
   * The S3 Batch Operations operation for a job over objects of {@code bucket} (the bucket matters
   * to copies in place, whose target is the bucket itself).
   */
  JobOperation jobOperation(String bucket);

  /**
   * What the IAM role S3 Batch Operations assumes needs to run {@link #jobOperation(String)}, apart
   * from reading the manifest and writing the report: {@code quarry iam-policy} builds the role's
   * policy from it. Example, for a restore: {@code RolePermissions.onObjects("...",
   * "s3:RestoreObject")}.
   *
   * @param versioned whether the manifest names versions ({@link #needsVersionId()}, or the query
   *     returns {@code version_id} and {@link #acceptsVersionId()}); version-specific actions such
   *     as {@code s3:PutObjectVersionTagging} are only needed then
   */
  RolePermissions rolePermissions(boolean versioned);

  /**
   * The task the local executor runs for each manifest row, against the endpoint of {@code s3}.
   * Must never delete or overwrite anything its Javadoc does not promise (for rollback-deletes:
   * never a version that is not a delete marker).
   */
  LocalTask localTask(software.amazon.awssdk.services.s3.S3Client s3);

  /**
   * What one S3 Batch Operations job of this action applies to all its tasks, so that a plan splits
   * its objects into one job (one step of the run) per value: a copy in place targets one bucket,
   * and takes one storage class for every copy. Empty when one job can take any objects.
   */
  default java.util.Set<Partition> partitions() {
    return java.util.Set.of();
  }

  /**
   * Storage classes whose objects this action cannot act on: a plan leaves them out with their
   * count instead of submitting tasks that would fail (a copy cannot read an archived object).
   */
  default java.util.Set<String> unreadableStorageClasses() {
    return java.util.Set.of();
  }

  /** What a plan splits an action's objects by: one job per bucket, per storage class. */
  enum Partition {
    BUCKET,
    /** Each part's action gets {@code storage-class} set to its objects' class. */
    STORAGE_CLASS
  }

  /** Problems that make this action unusable on AWS, empty when there are none. */
  default java.util.List<String> awsLimitations() {
    return java.util.List.of();
  }
}
