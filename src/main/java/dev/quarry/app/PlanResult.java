package dev.quarry.app;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.quarry.action.OperationView;
import dev.quarry.cost.CostEstimate;
import dev.quarry.playbook.ActionSpec;
import dev.quarry.query.ObjectRow;
import dev.quarry.query.QueryStatistics;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a plan found and would do: the manifest it wrote, what the objects are, the exact S3 Batch
 * Operations operation, and every limit the run would exceed. A plan changes nothing.
 *
 * @param objects distinct tasks in the manifest
 * @param duplicatesRemoved rows the query returned for a task already in the manifest (same bucket,
 *     key and version field), left out so that no task runs twice
 * @param bytes total size of the objects whose size is known
 * @param unknownSizes objects whose size neither the query nor the inventory gave
 * @param operation the operation CreateJob would get (per bucket, for copies in place)
 * @param alternativeOperation a cheaper operation usable for eligible objects, if the action has
 *     one
 * @param limitViolations reasons the run would refuse to submit; empty when it may go ahead
 * @param awsLimitations what stops this playbook from running on AWS as it stands
 * @param queryStatistics what the plan's queries cost, on an engine that bills them (Athena);
 *     absent otherwise
 * @param then the follow-up step, when the playbook has one
 * @param cost what the run would cost, from the price file in force (the first step's job)
 * @param parts the jobs the objects are split into, one step each, when one job cannot take them
 *     all with the playbook's action as written (a copy in place targets one bucket and keeps one
 *     storage class); empty when the run has one job over {@code manifest}
 * @param leftOut objects the action cannot act on, left out of every job, by storage class
 * @param overCopyLimit the objects too large for one copy request; a copy refuses to run them
 */
public record PlanResult(
    String playbook,
    String runId,
    String engine,
    Map<String, Object> parameters,
    long objects,
    long duplicatesRemoved,
    long bytes,
    long unknownSizes,
    List<Group> storageClasses,
    List<Group> topPrefixes,
    List<Group> buckets,
    List<ObjectRow> sample,
    String action,
    boolean destructive,
    OperationView operation,
    Optional<OperationView> alternativeOperation,
    ManifestInfo manifest,
    Path manifestJson,
    Long maxObjects,
    boolean confirmationRequired,
    List<String> limitViolations,
    List<String> awsLimitations,
    @JsonInclude(JsonInclude.Include.NON_ABSENT) Optional<QueryStatistics> queryStatistics,
    @JsonInclude(JsonInclude.Include.NON_ABSENT) Optional<FollowUp> then,
    CostEstimate cost,
    List<Part> parts,
    List<LeftOut> leftOut,
    OverCopyLimit overCopyLimit) {
  public PlanResult {
    requireNonNull(playbook, "playbook is null");
    requireNonNull(runId, "runId is null");
    parameters = Map.copyOf(parameters);
    storageClasses = List.copyOf(storageClasses);
    topPrefixes = List.copyOf(topPrefixes);
    buckets = List.copyOf(buckets);
    sample = List.copyOf(sample);
    requireNonNull(operation, "operation is null");
    requireNonNull(alternativeOperation, "alternativeOperation is null");
    requireNonNull(manifest, "manifest is null");
    limitViolations = List.copyOf(limitViolations);
    awsLimitations = List.copyOf(awsLimitations);
    requireNonNull(queryStatistics, "queryStatistics is null");
    requireNonNull(then, "then is null");
    requireNonNull(cost, "cost is null");
    parts = List.copyOf(parts);
    leftOut = List.copyOf(leftOut);
    requireNonNull(overCopyLimit, "overCopyLimit is null");
  }

  /**
   * One job of a split plan: its objects, the action it runs (the playbook's, with the part's
   * storage class set when the split is by class) and its manifest.
   *
   * @param name what the part's objects share ("bucket-a STANDARD_IA", "bucket-a
   *     update-encryption")
   * @param followUp the step that follows this one over its restored copies (a revert's copy of
   *     archived versions), when this part is a restore that has one
   * @param undo what to run to undo this part, once it ran (a revert's undo manifests)
   * @param why why its objects take its operation, for a plan that chose one per object (a
   *     reencrypt with method auto); empty otherwise
   */
  public record Part(
      String name,
      ActionSpec action,
      String manifest,
      String etag,
      long objects,
      long bytes,
      OperationView operation,
      @JsonInclude(JsonInclude.Include.NON_ABSENT) Optional<ActionSpec> followUp,
      List<String> undo,
      String why) {
    public Part {
      requireNonNull(name, "name is null");
      requireNonNull(action, "action is null");
      requireNonNull(manifest, "manifest is null");
      requireNonNull(etag, "etag is null");
      requireNonNull(operation, "operation is null");
      requireNonNull(followUp, "followUp is null");
      undo = List.copyOf(undo);
      requireNonNull(why, "why is null");
    }

    /** A part with no follow-up, no undo and no reason. */
    public Part(
        String name,
        ActionSpec action,
        String manifest,
        String etag,
        long objects,
        long bytes,
        OperationView operation) {
      this(
          name, action, manifest, etag, objects, bytes, operation, Optional.empty(), List.of(), "");
    }

    public Part because(String reason) {
      return new Part(
          name, action, manifest, etag, objects, bytes, operation, followUp, undo, reason);
    }
  }

  /**
   * Objects that no job takes, and why: those of one storage class (a copy cannot read an archived
   * object), or, for a reencrypt with method update-encryption, of one encryption the operation
   * cannot change ("DSSE-KMS", "Object Lock"), named in {@code storageClass}.
   */
  public record LeftOut(String storageClass, long objects, long bytes, String reason) {
    public LeftOut {
      requireNonNull(storageClass, "storageClass is null");
      requireNonNull(reason, "reason is null");
    }
  }

  /**
   * The playbook's second step ({@code then:}): planned only once the first one's restored copies
   * are readable, over those objects.
   */
  public record FollowUp(
      String action, boolean destructive, OperationView operation, ActionSpec spec) {
    public FollowUp {
      requireNonNull(action, "action is null");
      requireNonNull(operation, "operation is null");
      requireNonNull(spec, "spec is null");
    }
  }

  /**
   * Objects over the largest size one CopyObject request copies.
   *
   * @param sampleKey the first of them in the manifest
   */
  public record OverCopyLimit(
      long objects,
      long limitBytes,
      @JsonInclude(JsonInclude.Include.NON_ABSENT) Optional<String> sampleKey) {
    public OverCopyLimit {
      requireNonNull(sampleKey, "sampleKey is null");
    }
  }

  /** Objects and bytes that share a storage class, a prefix or a bucket. */
  public record Group(String name, long objects, long bytes) {}
}
