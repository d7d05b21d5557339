package dev.quarry.action;

import static java.util.Objects.requireNonNull;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * What the IAM role S3 Batch Operations assumes needs to run one action's operation on AWS, beyond
 * reading the manifest and writing the report (which every job needs, whatever its operation). Each
 * action declares its own, so that {@code quarry iam-policy} never grants an operation more than it
 * uses, and a new action cannot forget to say what it needs.
 *
 * <p>The source is AWS's "Granting permissions for Batch Operations" page (one example policy per
 * operation); version-specific actions such as {@code s3:GetObjectVersion} are "only required when
 * you are specifying the version ID of the objects", so {@link Action#rolePermissions(boolean)}
 * leaves them out for a manifest without version ids.
 *
 * @param objectActions S3 actions on the objects of the job's buckets ({@code
 *     arn:aws:s3:::bucket/*}), sorted
 * @param bucketActions S3 actions on the job's buckets themselves ({@code arn:aws:s3:::bucket});
 *     empty for operations that touch only objects
 * @param kmsKey the KMS key the operation encrypts with, and what it does with it
 * @param function the Lambda function a {@code LambdaInvoke} operation calls
 * @param why one line for a person: which operation this is and what it calls
 */
public record RolePermissions(
    List<String> objectActions,
    List<String> bucketActions,
    Optional<KeyUse> kmsKey,
    Optional<FunctionUse> function,
    String why) {
  public RolePermissions {
    objectActions = sorted(requireNonNull(objectActions, "objectActions is null"));
    bucketActions = sorted(requireNonNull(bucketActions, "bucketActions is null"));
    requireNonNull(kmsKey, "kmsKey is null");
    requireNonNull(function, "function is null");
    requireNonNull(why, "why is null");
  }

  /** Permissions on the job's objects only. */
  public static RolePermissions onObjects(String why, String... objectActions) {
    return new RolePermissions(
        List.of(objectActions), List.of(), Optional.empty(), Optional.empty(), why);
  }

  /**
   * What S3PutObjectCopy needs to copy each row onto its own key: read the source (the row's
   * version when the manifest names versions, else the current object) with its ACL and tags, and
   * write the copy with them. AWS's policy for the operation grants the ACL and tagging actions,
   * which Batch Operations uses to carry them to the copy.
   */
  public static RolePermissions copyInPlace(boolean versioned, String what) {
    return versioned
        ? onObjects(
            "S3PutObjectCopy copies each named version onto its key (GetObjectVersion, PutObject),"
                + " with its ACL and tags: "
                + what,
            "s3:GetObjectVersion",
            "s3:GetObjectVersionAcl",
            "s3:GetObjectVersionTagging",
            "s3:PutObject",
            "s3:PutObjectAcl",
            "s3:PutObjectTagging")
        : onObjects(
            "S3PutObjectCopy copies each current object onto its key (GetObject, PutObject), with"
                + " its ACL and tags: "
                + what,
            "s3:GetObject",
            "s3:GetObjectAcl",
            "s3:GetObjectTagging",
            "s3:PutObject",
            "s3:PutObjectAcl",
            "s3:PutObjectTagging");
  }

  public RolePermissions withKmsKey(KeyUse key) {
    return new RolePermissions(objectActions, bucketActions, Optional.of(key), function, why);
  }

  /**
   * A KMS key the operation uses.
   *
   * @param key the key as the playbook names it: a key ARN, a key id, or an alias
   * @param actions the KMS actions on it, sorted
   */
  public record KeyUse(String key, List<String> actions) {
    public KeyUse {
      requireNonNull(key, "key is null");
      actions = sorted(requireNonNull(actions, "actions is null"));
    }
  }

  /**
   * A Lambda function a {@code LambdaInvoke} job calls, and what the function's own execution role
   * needs on the job's buckets (the job's role only invokes it).
   *
   * @param arn the function's ARN when the playbook names one; empty means the profile's {@code
   *     rollback-function-arn} or a placeholder
   * @param objectActions S3 actions the function's role needs on the job's objects
   * @param bucketActions S3 actions the function's role needs on the job's buckets
   * @param why one line: what the function does with them
   */
  public record FunctionUse(
      Optional<String> arn, List<String> objectActions, List<String> bucketActions, String why) {
    public FunctionUse {
      requireNonNull(arn, "arn is null");
      objectActions = sorted(requireNonNull(objectActions, "objectActions is null"));
      bucketActions = sorted(requireNonNull(bucketActions, "bucketActions is null"));
      requireNonNull(why, "why is null");
    }
  }

  private static List<String> sorted(Collection<String> actions) {
    return List.copyOf(new TreeSet<>(actions));
  }
}
