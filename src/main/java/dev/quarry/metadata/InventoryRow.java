package dev.quarry.metadata;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One object version or delete marker as read from an S3 endpoint, before the refresh gives it a
 * sequence number. For a delete marker every object column is null except {@code size}, which is 0
 * as in AWS's inventory schema (NULL there marks a permanent delete, and a query such as {@code
 * sum(size)} or {@code size < 1024} must see markers as AWS does).
 *
 * @param versionId null for an object of an unversioned bucket or written before versioning was on
 * @param listingOrder position in the ListObjectVersions listing (newest version of a key first);
 *     breaks ties between versions of one key with the same timestamp
 */
public record InventoryRow(
    String bucket,
    String key,
    String versionId,
    boolean deleteMarker,
    Long size,
    Instant lastModified,
    String eTag,
    String storageClass,
    Boolean multipart,
    String encryptionStatus,
    Boolean bucketKeyEnabled,
    String kmsKeyArn,
    String checksumAlgorithm,
    SortedMap<String, String> objectTags,
    SortedMap<String, String> userMetadata,
    long listingOrder) {
  public InventoryRow {
    requireNonNull(bucket, "bucket is null");
    requireNonNull(key, "key is null");
    requireNonNull(lastModified, "lastModified is null");
    // sorted, so that two reads of the same tags compare equal in the journal's diff
    objectTags = objectTags == null ? null : new TreeMap<>(objectTags);
    userMetadata = userMetadata == null ? null : new TreeMap<>(userMetadata);
  }

  public static InventoryRow deleteMarker(
      String bucket, String key, String versionId, Instant lastModified, long listingOrder) {
    return new InventoryRow(
        bucket,
        key,
        versionId,
        true,
        0L,
        lastModified,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        listingOrder);
  }

  InventoryRow withChecksumAlgorithm(String algorithm) {
    return new InventoryRow(
        bucket,
        key,
        versionId,
        deleteMarker,
        size,
        lastModified,
        eTag,
        storageClass,
        multipart,
        encryptionStatus,
        bucketKeyEnabled,
        kmsKeyArn,
        algorithm,
        objectTags,
        userMetadata,
        listingOrder);
  }

  static SortedMap<String, String> sorted(Map<String, String> map) {
    return map == null ? null : new TreeMap<>(map);
  }
}
