package dev.quarry.action;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonCreator;
import dev.quarry.query.ObjectRow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.ReplicationConfiguration;
import software.amazon.awssdk.services.s3.model.ReplicationRule;
import software.amazon.awssdk.services.s3.model.ReplicationRuleFilter;
import software.amazon.awssdk.services.s3.model.ReplicationRuleStatus;
import software.amazon.awssdk.services.s3.model.Tag;
import software.amazon.awssdk.services.s3.model.TaggingDirective;
import software.amazon.awssdk.services.s3control.model.JobOperation;
import software.amazon.awssdk.services.s3control.model.S3ReplicateObjectOperation;

/**
 * Replicates existing objects on demand ({@code S3ReplicateObject}, S3 Batch Replication): each
 * object goes to the destinations its bucket's replication configuration names, as live replication
 * would have sent it. The source bucket must be versioned and have a replication configuration; the
 * operation itself has no parameters.
 *
 * <pre>{@code
 * action:
 *   type: replicate
 * }</pre>
 *
 * <p>Locally, the task reads the bucket's replication configuration (GetBucketReplication, once per
 * bucket), picks for each destination bucket the enabled rule of highest priority whose filter
 * (prefix, tags) takes the key, and copies the row's version there with its metadata and tags
 * (CopyObject with the rule's storage class, if it names one). A bucket without a replication
 * configuration fails its tasks with S3's {@code ReplicationConfigurationNotFoundError}, a key no
 * enabled rule takes with {@code InvalidRequest}. What a local copy cannot keep: the version id
 * (AWS's replica keeps the source's), the last-modified time, and the replica status.
 *
 * <p>Copying twice makes two versions in the destination, so the local task is not idempotent.
 */
public record ReplicateAction() implements Action {
  public static final String TYPE = "replicate";

  @JsonCreator
  public static ReplicateAction create() {
    return new ReplicateAction();
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public boolean needsVersionId() {
    return false;
  }

  @Override
  public boolean idempotent() {
    return false;
  }

  @Override
  public boolean destructive() {
    return false;
  }

  @Override
  public JobOperation jobOperation(String bucket) {
    return JobOperation.builder()
        .s3ReplicateObject(S3ReplicateObjectOperation.builder().build())
        .build();
  }

  /**
   * AWS's Batch Replication policy: {@code s3:InitiateReplication} on the source objects and {@code
   * s3:GetReplicationConfiguration} on the source bucket ({@code s3:PutInventoryConfiguration} is
   * only for a manifest S3 generates, and Quarry writes its own). The replication itself runs with
   * the replication configuration's own role.
   */
  @Override
  public RolePermissions rolePermissions(boolean versioned) {
    return new RolePermissions(
        List.of("s3:InitiateReplication"),
        List.of("s3:GetReplicationConfiguration"),
        Optional.empty(),
        Optional.empty(),
        "S3ReplicateObject replicates each object by the bucket's replication configuration"
            + " (its replication role copies the data)");
  }

  @Override
  public LocalTask localTask(S3Client s3) {
    requireNonNull(s3, "s3 is null");
    Map<String, Optional<ReplicationConfiguration>> configurations = new ConcurrentHashMap<>();
    return row ->
        S3Errors.guard(
            () -> {
              Optional<ReplicationConfiguration> configuration =
                  configurations.computeIfAbsent(row.bucket(), bucket -> configuration(s3, bucket));
              if (configuration.isEmpty()) {
                return TaskOutcome.failed(
                    "ReplicationConfigurationNotFoundError",
                    404,
                    "bucket " + row.bucket() + " has no replication configuration");
              }
              Map<String, ReplicationRule> destinations =
                  destinations(configuration.get(), row, () -> tags(s3, row));
              if (destinations.isEmpty()) {
                return TaskOutcome.failed(
                    "InvalidRequest",
                    400,
                    "no enabled replication rule of bucket " + row.bucket() + " takes this key");
              }
              List<String> copied = new ArrayList<>();
              destinations.forEach(
                  (destination, rule) -> {
                    copy(s3, row, destination, rule);
                    copied.add(destination);
                  });
              return TaskOutcome.succeeded("replicated to " + String.join(", ", copied));
            });
  }

  /** Empty when the bucket has none: S3 answers 404 ReplicationConfigurationNotFoundError. */
  private static Optional<ReplicationConfiguration> configuration(S3Client s3, String bucket) {
    try {
      return Optional.of(s3.getBucketReplication(b -> b.bucket(bucket)).replicationConfiguration());
    } catch (AwsServiceException e) {
      if (e.statusCode() == 404) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /**
   * Each destination bucket with the rule that sends the row there: among the enabled rules whose
   * filter takes the row, the one of highest priority per destination, as S3 resolves overlapping
   * rules.
   */
  static Map<String, ReplicationRule> destinations(
      ReplicationConfiguration configuration,
      ObjectRow row,
      java.util.function.Supplier<Map<String, String>> tags) {
    Map<String, ReplicationRule> chosen = new LinkedHashMap<>();
    for (ReplicationRule rule : configuration.rules()) {
      if (rule.status() != ReplicationRuleStatus.ENABLED || !takes(rule, row.key(), tags)) {
        continue;
      }
      String destination = bucketOf(rule.destination().bucket());
      ReplicationRule before = chosen.get(destination);
      if (before == null || priority(rule) > priority(before)) {
        chosen.put(destination, rule);
      }
    }
    return chosen;
  }

  private static int priority(ReplicationRule rule) {
    return rule.priority() == null ? 0 : rule.priority();
  }

  // a V1 rule's Prefix is deprecated in the SDK, yet S3 still answers V1 configurations with it
  @SuppressWarnings("deprecation")
  private static boolean takes(
      ReplicationRule rule, String key, java.util.function.Supplier<Map<String, String>> tags) {
    ReplicationRuleFilter filter = rule.filter();
    if (filter == null) {
      // a V1 rule: its prefix is on the rule itself
      return rule.prefix() == null || key.startsWith(rule.prefix());
    }
    String prefix = filter.prefix();
    List<Tag> wanted = new ArrayList<>();
    if (filter.tag() != null) {
      wanted.add(filter.tag());
    }
    if (filter.and() != null) {
      prefix = filter.and().prefix();
      wanted.addAll(filter.and().tags());
    }
    if (prefix != null && !key.startsWith(prefix)) {
      return false;
    }
    if (wanted.isEmpty()) {
      return true;
    }
    Map<String, String> have = tags.get();
    return wanted.stream().allMatch(t -> t.value().equals(have.get(t.key())));
  }

  private static Map<String, String> tags(S3Client s3, ObjectRow row) {
    Map<String, String> tags = new LinkedHashMap<>();
    s3.getObjectTagging(b -> b.bucket(row.bucket()).key(row.key()).versionId(row.versionId()))
        .tagSet()
        .forEach(t -> tags.put(t.key(), t.value()));
    return tags;
  }

  /** The bucket of a destination ARN ({@code arn:aws:s3:::bucket}, any partition). */
  static String bucketOf(String arn) {
    int colons = arn.lastIndexOf(":::");
    return colons < 0 ? arn : arn.substring(colons + 3);
  }

  private static void copy(S3Client s3, ObjectRow row, String destination, ReplicationRule rule) {
    s3.copyObject(
        b -> {
          b.sourceBucket(row.bucket())
              .sourceKey(row.key())
              .sourceVersionId(row.versionId())
              .destinationBucket(destination)
              .destinationKey(row.key())
              .metadataDirective(MetadataDirective.COPY)
              .taggingDirective(TaggingDirective.COPY);
          if (rule.destination().storageClass() != null) {
            b.storageClass(rule.destination().storageClassAsString());
          }
        });
  }
}
