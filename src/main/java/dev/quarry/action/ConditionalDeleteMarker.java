package dev.quarry.action;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.DeleteMarkerEntry;
import software.amazon.awssdk.services.s3.model.DeleteObjectResponse;
import software.amazon.awssdk.services.s3.model.ObjectVersion;

/**
 * Hides one key by adding a delete marker on top of it, only while the key's current version is
 * still the one the plan saw, and never by deleting a version: the step of a point-in-time revert
 * that hides keys created after T. The local {@code hide-keys} task and the AWS Lambda ({@code
 * dev.quarry.lambda.RollbackHandler} with UserArguments {@code {action: hide-keys}}) run this same
 * class; it needs nothing but an {@link S3Client}.
 *
 * <p>Steps, for a row (bucket, key, planned version id):
 *
 * <ol>
 *   <li>GetBucketVersioning, once per bucket per instance (cached): only {@code Enabled} goes on. A
 *       DELETE without a version id on a {@code Suspended} bucket removes the key's null version,
 *       and on an unversioned bucket the object itself: FAILED {@code VersioningNotEnabled} (400),
 *       nothing done.
 *   <li>ListObjectVersions from the key (as a prefix, only entries of exactly that key count): the
 *       key's current entry must be the planned version. A delete marker on top of the planned
 *       version (the newest real version) means the key is already hidden: SUCCEEDED with that
 *       marker's id, so a task run twice adds one marker. Anything else (a newer version, the
 *       planned version gone): FAILED {@code ChangedSincePlan} (412), nothing done.
 *   <li>DeleteObject <em>without</em> a version id and with {@code If-Match: <the planned version's
 *       ETag>}: S3 adds a delete marker. A 412 answer means the key changed in between: FAILED
 *       {@code ChangedSincePlan}.
 * </ol>
 *
 * <p>The result message names the new marker's version id ({@code "delete marker added: ID"}), for
 * the undo of a revert, which removes exactly that marker with {@code rollback-deletes}. S3Mock
 * 5.2.0 answers DeleteObject with the previous version's id instead of the marker's, so when the
 * answer names the planned version (or no marker) the id is read from a listing instead.
 *
 * <p>Conditional deletes: botocore's S3 model gives DeleteObject {@code If-Match}, {@code
 * x-amz-if-match-last-modified-time} and {@code x-amz-if-match-size}; the last two are "only
 * supported for directory buckets". AWS's user guide ("How to perform conditional deletes") says
 * general purpose buckets honour {@code If-Match} with an ETag, evaluated against the current
 * version; moto 5.2.1 and S3Mock 5.2.0 honour it too (412 PreconditionFailed). There is no
 * condition on a version id, so the race that remains is narrow:
 *
 * <ul>
 *   <li>a PUT of the <em>same content</em> (same ETag) between our listing and our DELETE: the
 *       marker then hides that newer, identical version. No version is ever removed, and removing
 *       the marker brings it back;
 *   <li>versioning suspended on the bucket after the cached check, during the job: a DELETE would
 *       then remove the key's null version, if its current version is the null version. Versioning
 *       can never be turned off again once on, only suspended; suspending it during a revert is not
 *       guarded against beyond the first check.
 * </ul>
 *
 * <p>Check and delete of one key take turns among everyone sharing the {@link
 * DeleteMarkerRollback.KeyLocks} (this JVM in the Lambda; every Quarry process of this user
 * locally), so two of our own tasks never both add a marker to the same key.
 *
 * <p>Throttling, 5xx answers and network failures are thrown as {@link TransientTaskException}.
 */
public final class ConditionalDeleteMarker {
  /** The start of a success message; the marker's version id follows it. */
  public static final String ADDED = "delete marker added: ";

  /** The start of the message for a key our marker (or another) already hides. */
  public static final String ALREADY_HIDDEN = "already hidden by delete marker: ";

  private final S3Client s3;
  private final DeleteMarkerRollback.KeyLocks keyLocks;
  private final Map<String, Optional<String>> versioning = new ConcurrentHashMap<>();

  /** Check and delete of one key take turns within this JVM only: the Lambda's. */
  public ConditionalDeleteMarker(S3Client s3) {
    this(s3, DeleteMarkerRollback.KeyLocks.IN_THIS_JVM);
  }

  public ConditionalDeleteMarker(S3Client s3, DeleteMarkerRollback.KeyLocks keyLocks) {
    this.s3 = requireNonNull(s3, "s3 is null");
    this.keyLocks = requireNonNull(keyLocks, "keyLocks is null");
  }

  /**
   * Adds a delete marker on top of {@code bucket}/{@code key} if its current version is still
   * {@code versionId}.
   *
   * @throws TransientTaskException when S3 says to try again later, or did not answer
   */
  public TaskOutcome hide(String bucket, String key, String versionId) {
    return hide(bucket, List.of(requireNonNull(key, "key is null")), versionId);
  }

  /**
   * Like {@link #hide(String, String, String)} for a key known only as a few candidate spellings
   * (see {@link DeleteMarkerRollback#rollBack(String, List, String)}): the first candidate that has
   * the version decides.
   */
  public TaskOutcome hide(String bucket, List<String> candidateKeys, String versionId) {
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
                "hide-keys needs the version id that was current when planned; nothing done");
          }
          Optional<String> status = versioningOf(bucket);
          if (!status.equals(Optional.of(BucketVersioningStatus.ENABLED.toString()))) {
            return TaskOutcome.failed(
                "VersioningNotEnabled",
                400,
                "bucket "
                    + bucket
                    + "'s versioning is "
                    + status.orElse("off")
                    + ", not Enabled: a delete there would remove the null version (or the object)"
                    + " instead of only adding a delete marker; nothing done");
          }
          for (String key : candidateKeys) {
            TaskOutcome outcome =
                keyLocks.locked(bucket, key, () -> hideLocked(bucket, key, versionId));
            if (outcome != null) {
              return outcome;
            }
          }
          return changed(versionId, "no longer exists");
        });
  }

  /** The outcome for one spelling of the key, or null when that key has no such version. */
  private TaskOutcome hideLocked(String bucket, String key, String versionId) {
    Current current = current(bucket, key, versionId);
    if (!current.plannedExists()) {
      return null;
    }
    if (current.latestMarker() != null) {
      return current.plannedIsNewestVersion()
          ? TaskOutcome.succeeded(ALREADY_HIDDEN + current.latestMarker())
          : changed(versionId, "is no longer the newest version");
    }
    if (current.latestVersion() == null || !current.latestVersion().equals(versionId)) {
      return changed(versionId, "is no longer current (" + current.latestVersion() + " is)");
    }
    DeleteObjectResponse response;
    try {
      // no versionId, ever: this only adds a marker; If-Match refuses a key changed meanwhile
      response = s3.deleteObject(b -> b.bucket(bucket).key(key).ifMatch(current.plannedETag()));
    } catch (AwsServiceException e) {
      if (e.statusCode() == 412) {
        return changed(versionId, "was replaced between the check and the delete");
      }
      throw e;
    }
    String marker =
        Boolean.TRUE.equals(response.deleteMarker())
                && response.versionId() != null
                && !response.versionId().equals(versionId)
            ? response.versionId()
            : current(bucket, key, versionId).latestMarker();
    return TaskOutcome.succeeded(ADDED + marker);
  }

  private static TaskOutcome changed(String versionId, String how) {
    return TaskOutcome.failed(
        "ChangedSincePlan",
        412,
        "changed since the plan: version " + versionId + " " + how + "; nothing done");
  }

  private Optional<String> versioningOf(String bucket) {
    // computeIfAbsent caches nothing when the call throws: a throttled check is asked again
    return versioning.computeIfAbsent(
        bucket,
        b -> Optional.ofNullable(s3.getBucketVersioning(r -> r.bucket(b)).statusAsString()));
  }

  /**
   * What the listing says of one key.
   *
   * @param latestMarker the version id of the key's current entry when it is a delete marker
   * @param latestVersion the version id of the key's current entry when it is a real version
   * @param plannedExists whether the planned version is among the key's real versions
   * @param plannedIsNewestVersion whether it is the newest of them
   * @param plannedETag its ETag
   */
  private record Current(
      String latestMarker,
      String latestVersion,
      boolean plannedExists,
      boolean plannedIsNewestVersion,
      String plannedETag) {}

  private Current current(String bucket, String key, String versionId) {
    KeyVersions listed = KeyVersions.list(s3, bucket, key);
    String latestMarker =
        listed.markers().stream()
            .filter(m -> Boolean.TRUE.equals(m.isLatest()))
            .map(DeleteMarkerEntry::versionId)
            .findFirst()
            .orElse(null);
    String latestVersion =
        listed.versions().stream()
            .filter(v -> Boolean.TRUE.equals(v.isLatest()))
            .map(ObjectVersion::versionId)
            .findFirst()
            .orElse(null);
    List<ObjectVersion> versions = listed.versions();
    for (int i = 0; i < versions.size(); i++) {
      // versions of one key come newest first
      if (versionId.equals(versions.get(i).versionId())) {
        return new Current(latestMarker, latestVersion, true, i == 0, versions.get(i).eTag());
      }
    }
    return new Current(latestMarker, latestVersion, false, false, null);
  }
}
