package dev.quarry.sandbox.control;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quarry.action.Action;
import dev.quarry.action.ActionRegistry;
import dev.quarry.action.HideKeysAction;
import dev.quarry.action.OperationView;
import dev.quarry.action.ReencryptAction;
import dev.quarry.error.QuarryException;
import dev.quarry.playbook.ActionSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.services.s3control.model.JobOperation;
import software.amazon.awssdk.services.s3control.model.S3CopyObjectOperation;
import software.amazon.awssdk.services.s3control.model.S3InitiateRestoreObjectOperation;
import software.amazon.awssdk.services.s3control.model.S3ObjectMetadata;
import software.amazon.awssdk.services.s3control.model.S3SetObjectTaggingOperation;
import software.amazon.awssdk.services.s3control.model.S3Tag;

/**
 * The way back from a CreateJob {@link JobOperation} to the Quarry action whose local task runs it:
 * the reverse of {@link Action#jobOperation(String)}.
 *
 * <ul>
 *   <li>{@code S3InitiateRestoreObject} is {@code restore} (from Glacier with {@code
 *       ExpirationInDays}, from Intelligent-Tiering without);
 *   <li>{@code S3PutObjectTagging} is {@code put-tags} (replace), {@code S3DeleteObjectTagging} is
 *       {@code delete-tags};
 *   <li>{@code S3PutObjectLegalHold} is {@code legal-hold} with its status, {@code
 *       S3PutObjectRetention} is {@code retention} with its mode, date and bypass;
 *   <li>{@code S3ComputeObjectChecksum} is {@code compute-checksum} with its algorithm and type,
 *       {@code S3ReplicateObject} is {@code replicate};
 *   <li>{@code S3PutObjectCopy} is {@code revert-to-version} when the manifest names versions, and
 *       {@code reencrypt} when it sets {@code NewObjectMetadata.SSEAlgorithm};
 *   <li>{@code LambdaInvoke} whose {@code UserArguments} has {@code action=rollback-deletes} is
 *       {@code rollback-deletes}: the sandbox has no Lambda, so it runs the same rollback logic
 *       (remove the named delete markers, never anything else) itself instead of invoking the
 *       function.
 * </ul>
 *
 * <p>Anything else is refused, and so is an operation of a known kind that carries a parameter the
 * action would not send (a copy with an ACL, tags, another key prefix ...): an operation is
 * accepted only if the action it maps to gives back an equal operation, so the local task never
 * silently does less than the job asked.
 *
 * <pre>{@code
 * ActionSpec spec = OperationMapping.actionFor(operation, manifestHasVersionIds);
 * Action action = ActionRegistry.create(spec);
 * }</pre>
 */
public final class OperationMapping {
  /** The UserArguments entry that marks Quarry's rollback Lambda. */
  static final String ROLLBACK_ARGUMENT = "rollback-deletes";

  private OperationMapping() {}

  /**
   * The action that runs {@code operation}.
   *
   * @param versionIds whether the job's manifest has a VersionId field
   * @throws QuarryException (user; an S3 Control 400 {@code BadRequestException} at the endpoint)
   *     when no Quarry action runs this operation
   */
  public static ActionSpec actionFor(JobOperation operation, boolean versionIds) {
    List<String> members = members(operation);
    if (members.size() != 1) {
      throw ControlError.badRequest(
          "Operation must have exactly one member; it has "
              + (members.isEmpty() ? "none" : String.join(", ", members)));
    }
    String name = members.get(0);
    ObjectNode options = JsonNodeFactory.instance.objectNode();
    String bucket = "";
    String type =
        switch (name) {
          case "S3InitiateRestoreObject" -> restore(operation.s3InitiateRestoreObject(), options);
          case "S3PutObjectTagging" -> putTags(operation.s3PutObjectTagging(), options);
          case "S3DeleteObjectTagging" -> "delete-tags";
          case "S3PutObjectLegalHold" -> legalHold(operation, options);
          case "S3PutObjectRetention" -> retention(operation, options);
          case "S3ComputeObjectChecksum" -> computeChecksum(operation, options);
          case "S3ReplicateObject" -> "replicate";
          case "S3PutObjectCopy" -> copy(operation.s3PutObjectCopy(), versionIds, options);
          case "S3UpdateObjectEncryption" -> updateEncryption(operation, options);
          case "LambdaInvoke" -> lambda(operation, options);
          default -> throw unsupported(name, "");
        };
    if (name.equals("S3PutObjectCopy")) {
      bucket = targetBucket(operation.s3PutObjectCopy());
    }
    options.put("type", type);
    ActionSpec spec = new ActionSpec(type, options);
    Action action;
    try {
      action = ActionRegistry.create(spec);
    } catch (IllegalArgumentException e) {
      throw unsupported(name, ": " + e.getMessage());
    }
    JobOperation back = action.jobOperation(bucket);
    if (!normalized(back).equals(normalized(operation))) {
      throw unsupported(
          name,
          " with these parameters: Quarry's "
              + type
              + " action runs "
              + OperationView.of(back)
              + ", not "
              + OperationView.of(operation));
    }
    return spec;
  }

  /** The bucket an {@code S3PutObjectCopy} writes to, from its TargetResource ARN. */
  static Optional<String> copyTarget(JobOperation operation) {
    return Optional.ofNullable(operation.s3PutObjectCopy()).map(OperationMapping::targetBucket);
  }

  private static String legalHold(JobOperation operation, ObjectNode options) {
    var hold = operation.s3PutObjectLegalHold().legalHold();
    if (hold != null && hold.statusAsString() != null) {
      options.put("status", hold.statusAsString());
    }
    return "legal-hold";
  }

  private static String retention(JobOperation operation, ObjectNode options) {
    var set = operation.s3PutObjectRetention();
    if (set.retention() != null) {
      if (set.retention().modeAsString() != null) {
        options.put("mode", set.retention().modeAsString());
      }
      if (set.retention().retainUntilDate() != null) {
        options.put("retain-until", set.retention().retainUntilDate().toString());
      }
    }
    if (set.bypassGovernanceRetention() != null) {
      options.put("bypass-governance", set.bypassGovernanceRetention());
    }
    return "retention";
  }

  private static String computeChecksum(JobOperation operation, ObjectNode options) {
    var compute = operation.s3ComputeObjectChecksum();
    if (compute.checksumAlgorithmAsString() != null) {
      options.put("algorithm", compute.checksumAlgorithmAsString());
    }
    if (compute.checksumTypeAsString() != null) {
      options.put("checksum-type", compute.checksumTypeAsString());
    }
    return "compute-checksum";
  }

  private static String restore(S3InitiateRestoreObjectOperation restore, ObjectNode options) {
    if (restore.expirationInDays() != null) {
      options.put("archive", "glacier");
      options.put("days", restore.expirationInDays());
    } else {
      options.put("archive", "intelligent-tiering");
    }
    if (restore.glacierJobTierAsString() != null) {
      options.put("tier", restore.glacierJobTierAsString());
    }
    return "restore";
  }

  private static String putTags(S3SetObjectTaggingOperation tagging, ObjectNode options) {
    ObjectNode tags = options.putObject("tags");
    for (S3Tag tag : tagging.tagSet()) {
      tags.put(tag.key(), tag.value());
    }
    options.put("mode", "replace");
    return "put-tags";
  }

  private static String copy(S3CopyObjectOperation copy, boolean versionIds, ObjectNode options) {
    if (versionIds) {
      return "revert-to-version";
    }
    S3ObjectMetadata metadata = copy.newObjectMetadata();
    if (metadata == null || metadata.sseAlgorithmAsString() == null) {
      throw unsupported(
          "S3PutObjectCopy",
          " without version ids in the manifest (revert-to-version) or"
              + " NewObjectMetadata.SSEAlgorithm (reencrypt)");
    }
    options.put(
        "sse",
        metadata.sseAlgorithmAsString().equals("KMS")
            ? ReencryptAction.KMS
            : metadata.sseAlgorithmAsString());
    if (copy.sseAwsKmsKeyId() != null) {
      options.put("kms-key", copy.sseAwsKmsKeyId());
    }
    if (copy.bucketKeyEnabled() != null) {
      options.put("bucket-key", copy.bucketKeyEnabled());
    }
    if (copy.storageClassAsString() != null) {
      options.put("storage-class", copy.storageClassAsString());
    }
    return "reencrypt";
  }

  /**
   * A reencrypt with method update-encryption, whose local task fails on a server without
   * UpdateObjectEncryption (the sandbox's S3Mock and moto) rather than copying in its place.
   */
  private static String updateEncryption(JobOperation operation, ObjectNode options) {
    var encryption = operation.s3UpdateObjectEncryption().objectEncryption();
    if (encryption == null || encryption.ssekms() == null) {
      throw unsupported("S3UpdateObjectEncryption", " without ObjectEncryption.SSEKMS");
    }
    options.put("sse", ReencryptAction.KMS);
    options.put("method", ReencryptAction.Method.UPDATE_ENCRYPTION.text());
    if (encryption.ssekms().kmsKeyArn() != null) {
      options.put("kms-key", encryption.ssekms().kmsKeyArn());
    }
    if (encryption.ssekms().bucketKeyEnabled() != null) {
      options.put("bucket-key", encryption.ssekms().bucketKeyEnabled());
    }
    return "reencrypt";
  }

  private static String lambda(JobOperation operation, ObjectNode options) {
    Map<String, String> arguments = operation.lambdaInvoke().userArguments();
    String action = arguments.get("action");
    // the rollback function runs both; actionFor checks the UserArguments are exactly the action's
    if (!ROLLBACK_ARGUMENT.equals(action) && !HideKeysAction.TYPE.equals(action)) {
      throw unsupported(
          "LambdaInvoke",
          " (the sandbox has no Lambda; it runs only Quarry's rollback function, marked by"
              + " UserArguments action="
              + ROLLBACK_ARGUMENT
              + " or "
              + HideKeysAction.TYPE
              + ")");
    }
    options.put("function-arn", operation.lambdaInvoke().functionArn());
    return action;
  }

  private static String targetBucket(S3CopyObjectOperation copy) {
    String target = copy.targetResource();
    String prefix = "arn:aws:s3:::";
    if (target == null || !target.startsWith(prefix) || target.length() == prefix.length()) {
      throw ControlError.badRequest(
          "S3PutObjectCopy.TargetResource must be a bucket ARN (arn:aws:s3:::bucket), not "
              + target);
    }
    return target.substring(prefix.length());
  }

  /** Tag order carries no meaning; the action sorts tags by key. */
  private static JobOperation normalized(JobOperation operation) {
    if (operation.s3PutObjectTagging() == null) {
      return operation;
    }
    List<S3Tag> sorted = new ArrayList<>(operation.s3PutObjectTagging().tagSet());
    sorted.sort(Comparator.comparing(S3Tag::key));
    return operation.toBuilder()
        .s3PutObjectTagging(operation.s3PutObjectTagging().toBuilder().tagSet(sorted).build())
        .build();
  }

  private static List<String> members(JobOperation operation) {
    List<String> set = new ArrayList<>();
    for (SdkField<?> field : operation.sdkFields()) {
      if (field.getValueOrDefault(operation) != null) {
        set.add(field.memberName());
      }
    }
    return set;
  }

  private static ControlError unsupported(String name, String detail) {
    return ControlError.badRequest(
        "The Quarry sandbox does not run the operation "
            + name
            + detail
            + "; it runs S3InitiateRestoreObject, S3PutObjectTagging, S3DeleteObjectTagging,"
            + " S3PutObjectLegalHold, S3PutObjectRetention, S3ComputeObjectChecksum,"
            + " S3ReplicateObject, S3PutObjectCopy (reencrypt, revert-to-version),"
            + " S3UpdateObjectEncryption and"
            + " LambdaInvoke"
            + " (UserArguments action="
            + ROLLBACK_ARGUMENT
            + " or "
            + HideKeysAction.TYPE
            + ")");
  }
}
