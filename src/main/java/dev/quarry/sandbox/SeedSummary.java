package dev.quarry.sandbox;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code quarry sandbox seed} actually wrote, counted from the server's successful responses
 * (not from the plan). "Current objects" are keys whose latest version is an object, not a delete
 * marker; the per-prefix, per-class and per-encryption counts are over current objects.
 *
 * @param objects keys created
 * @param currentObjects keys not deleted
 * @param versions object versions written (every successful PUT)
 * @param overwrittenObjects keys with more than one version
 * @param deleteMarkers delete markers the server reported creating
 * @param bucketKeyObjects current SSE-KMS objects with an S3 Bucket Key
 * @param refused requests the server refused, grouped by operation and error
 */
public record SeedSummary(
    String bucket,
    long seed,
    String kmsKeyId,
    int objects,
    int currentObjects,
    int versions,
    int overwrittenObjects,
    int deleteMarkers,
    Map<String, Integer> currentObjectsByPrefix,
    Map<String, Integer> currentObjectsByStorageClass,
    Map<String, Integer> currentObjectsByEncryption,
    int bucketKeyObjects,
    PlaybookCounts playbooks,
    List<Refusal> refused) {
  public SeedSummary {
    requireNonNull(bucket, "bucket is null");
    requireNonNull(kmsKeyId, "kmsKeyId is null");
    currentObjectsByPrefix = sorted(currentObjectsByPrefix);
    currentObjectsByStorageClass = sorted(currentObjectsByStorageClass);
    currentObjectsByEncryption = sorted(currentObjectsByEncryption);
    requireNonNull(playbooks, "playbooks is null");
    refused = List.copyOf(refused);
  }

  private static Map<String, Integer> sorted(Map<String, Integer> counts) {
    return Collections.unmodifiableMap(new TreeMap<>(counts));
  }

  /**
   * What the example playbooks should select in this bucket.
   *
   * @param archivedRainyTraining current GLACIER/DEEP_ARCHIVE objects tagged weather=rain and
   *     category=training (restore-rainy-training)
   * @param notSseKms current objects not encrypted with SSE-KMS (re-encrypt)
   * @param cameraDeleteMarkers delete markers under {@code camera/} (rollback-deletes)
   * @param awsBackupAmiExports current AMI exports whose ami-name contains {@code AwsBackup}
   * @param overwrittenCurrentObjects current objects with older versions (revert-to-version)
   */
  public record PlaybookCounts(
      int archivedRainyTraining,
      int notSseKms,
      int cameraDeleteMarkers,
      int awsBackupAmiExports,
      int overwrittenCurrentObjects) {}

  /**
   * Requests of one kind the server refused.
   *
   * @param operation e.g. {@code PutObject GLACIER SSE-KMS} or {@code DeleteObject}
   */
  public record Refusal(
      String operation,
      int statusCode,
      String errorCode,
      String message,
      int count,
      String example) {}
}
