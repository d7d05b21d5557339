package dev.quarry.action;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Removes one delete marker, and only a delete marker: the one safe rollback step that both the
 * local {@code rollback-deletes} task and the AWS rollback Lambda ({@code
 * dev.quarry.lambda.RollbackHandler}) run. It needs nothing but an {@link S3Client}, so the Lambda
 * artifact carries it without the rest of Quarry.
 *
 * <p>ListObjectVersions from the key (as a prefix, so only entries of exactly that key count) says
 * whether the version is a delete marker, a real version or gone. Then, and only for a marker,
 * DeleteObject removes exactly that version. Outcomes:
 *
 * <ul>
 *   <li>a marker: removed, "delete marker removed";
 *   <li>a real version: FAILED {@code NotADeleteMarker} (400, Quarry's own refusal), nothing
 *       deleted;
 *   <li>no such version: SUCCEEDED, "delete marker already removed"; a missing bucket fails with
 *       S3's {@code 404 NoSuchBucket};
 *   <li>no version id (or a blank one): FAILED {@code MissingVersionId} (400), nothing deleted;
 *   <li>the {@code null} version (versioning suspended): FAILED {@code NullVersionNotSupported}
 *       (400), nothing deleted: the next PUT may replace that marker with an object between the
 *       check and the delete.
 * </ul>
 *
 * <p>Throttling, 5xx answers and network failures are thrown as {@link TransientTaskException}, so
 * the caller retries (the local executor with backoff, S3 Batch Operations on a {@code
 * TemporaryFailure}).
 *
 * <p>Why a listing and not HeadObject with the version id (AWS and moto answer 405 with {@code
 * x-amz-delete-marker: true} for a marker): S3Mock 5.2.0 keeps answering "delete marker" for a
 * marker it has already removed. The listing is right on all three.
 *
 * <p>A version-exact DeleteObject is sent only for a version the listing has just shown to be a
 * delete marker, never "in case": AWS and moto answer a delete of a version that is gone with
 * success and change nothing, but S3Mock 5.2.0 deletes the key's current version instead, i.e. the
 * data a rollback is meant to bring back. So the check and the delete of one key must not be
 * interleaved with another check and delete of the same key, and {@link KeyLocks} says how far that
 * holds:
 *
 * <ul>
 *   <li>{@link KeyLocks#IN_THIS_JVM} (the default, and the Lambda's): tasks of this process take
 *       turns per key. Concurrent Lambda invocations run in separate sandboxes and share no lock:
 *       on AWS that is harmless, because S3 treats the second delete of a gone version as a no-op;
 *   <li>{@code ProcessKeyLocks} (the local {@code rollback-deletes} task): every Quarry process of
 *       this user on this machine takes turns per key, through file locks, whatever its state
 *       directory.
 * </ul>
 *
 * <p>Not guaranteed: a client outside Quarry (or Quarry on another machine, or another user's)
 * removing the same marker between our check and our delete. On S3Mock that client's delete, or
 * ours, can then remove the current version; on AWS and moto it cannot.
 */
public final class DeleteMarkerRollback {
  /** How S3 and the manifest name the version of an object written while versioning was off. */
  static final String NULL_VERSION = "null";

  /** One lock per stripe of bucket+key, shared by every instance in this JVM. */
  private static final Lock[] KEY_LOCKS = newLocks(64);

  private final S3Client s3;
  private final KeyLocks keyLocks;

  /** Check and delete of one key take turns within this JVM only: the Lambda's. */
  public DeleteMarkerRollback(S3Client s3) {
    this(s3, KeyLocks.IN_THIS_JVM);
  }

  /** Check and delete of one key take turns as far as {@code keyLocks} reaches. */
  public DeleteMarkerRollback(S3Client s3, KeyLocks keyLocks) {
    this.s3 = requireNonNull(s3, "s3 is null");
    this.keyLocks = requireNonNull(keyLocks, "keyLocks is null");
  }

  /**
   * Makes the check and the delete of one key one step for everyone who shares the lock: while
   * {@code body} runs for a bucket and key, no other body runs for them.
   */
  public interface KeyLocks {
    /** Tasks of this JVM take turns per key (in 64 stripes). */
    KeyLocks IN_THIS_JVM =
        new KeyLocks() {
          @Override
          public <T> T locked(String bucket, String key, java.util.function.Supplier<T> body) {
            Lock lock = KEY_LOCKS[stripe(bucket, key, KEY_LOCKS.length)];
            lock.lock();
            try {
              return body.get();
            } finally {
              lock.unlock();
            }
          }
        };

    <T> T locked(String bucket, String key, java.util.function.Supplier<T> body);

    /**
     * The stripe of a bucket and key among {@code stripes}: the same in every JVM (String's hash is
     * specified), so that processes agree on it.
     */
    static int stripe(String bucket, String key, int stripes) {
      return Math.floorMod(Objects.hash(bucket, key), stripes);
    }
  }

  /**
   * Removes the delete marker {@code versionId} of {@code bucket}/{@code key}, if it is one.
   *
   * @param versionId the marker's version id; null fails the task
   * @throws TransientTaskException when S3 says to try again later, or did not answer
   */
  public TaskOutcome rollBack(String bucket, String key, String versionId) {
    return rollBack(bucket, List.of(requireNonNull(key, "key is null")), versionId);
  }

  /**
   * Like {@link #rollBack(String, String, String)} where the key is known only as a few candidate
   * spellings (a URL-encoded key whose {@code +} may stand for itself or for a space). The first
   * candidate that has the version decides; a version id names one version of one key, so the
   * others cannot also have it. None has it: the marker is already gone.
   *
   * @throws TransientTaskException when S3 says to try again later, or did not answer
   */
  public TaskOutcome rollBack(String bucket, List<String> candidateKeys, String versionId) {
    requireNonNull(bucket, "bucket is null");
    if (candidateKeys.isEmpty()) {
      throw new IllegalArgumentException("no candidate key");
    }
    return S3Errors.guard(
        () -> {
          if (versionId == null || versionId.isBlank()) {
            return TaskOutcome.failed(
                "MissingVersionId",
                400,
                "rollback-deletes needs the delete marker's version id; nothing deleted");
          }
          if (versionId.equals(NULL_VERSION)) {
            // every other version id names one version forever; the null version is replaced
            // by the next PUT where versioning is suspended, so between our check and our delete
            // a marker could become an object, and the delete would remove that object
            return TaskOutcome.failed(
                "NullVersionNotSupported",
                400,
                "the null version of a bucket whose versioning is suspended can be replaced"
                    + " between the check and the delete; rollback-deletes never deletes it;"
                    + " nothing deleted");
          }
          for (String key : candidateKeys) {
            TaskOutcome outcome =
                keyLocks.locked(
                    bucket,
                    key,
                    () ->
                        switch (find(bucket, key, versionId)) {
                          case DELETE_MARKER -> {
                            s3.deleteObject(b -> b.bucket(bucket).key(key).versionId(versionId));
                            yield TaskOutcome.succeeded("delete marker removed");
                          }
                          case OBJECT_VERSION ->
                              TaskOutcome.failed(
                                  "NotADeleteMarker",
                                  400,
                                  "version "
                                      + versionId
                                      + " is not a delete marker; nothing deleted");
                          // try the next spelling of the key
                          case ABSENT -> null;
                        });
            if (outcome != null) {
              return outcome;
            }
          }
          return TaskOutcome.succeeded("delete marker already removed");
        });
  }

  /** What a version id names. */
  private enum Found {
    DELETE_MARKER,
    OBJECT_VERSION,
    ABSENT
  }

  private Found find(String bucket, String key, String versionId) {
    // listed encoded (see KeyVersions): compared unencoded, a marker of a key with a carriage
    // return would look gone and the task succeed with nothing done
    KeyVersions listed = KeyVersions.list(s3, bucket, key);
    if (listed.markers().stream().anyMatch(m -> versionId.equals(m.versionId()))) {
      return Found.DELETE_MARKER;
    }
    if (listed.versions().stream().anyMatch(v -> versionId.equals(v.versionId()))) {
      return Found.OBJECT_VERSION;
    }
    return Found.ABSENT;
  }

  private static Lock[] newLocks(int count) {
    Lock[] locks = new Lock[count];
    for (int i = 0; i < count; i++) {
      locks[i] = new ReentrantLock();
    }
    return locks;
  }
}
