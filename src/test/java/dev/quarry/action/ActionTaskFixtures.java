package dev.quarry.action;

import dev.quarry.query.ObjectRow;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectVersion;

/** Small helpers the action task tests share: rows, objects, and reading the bucket back. */
final class ActionTaskFixtures {
  private ActionTaskFixtures() {}

  static ObjectRow row(String bucket, String key, String versionId) {
    return new ObjectRow(bucket, key, versionId, null, null);
  }

  static String put(S3Client s3, String bucket, String key, String content) {
    return s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(content))
        .versionId();
  }

  static String read(S3Client s3, String bucket, String key) {
    return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asUtf8String();
  }

  static Map<String, String> tags(S3Client s3, String bucket, String key) {
    Map<String, String> tags = new TreeMap<>();
    s3.getObjectTagging(b -> b.bucket(bucket).key(key))
        .tagSet()
        .forEach(t -> tags.put(t.key(), t.value()));
    return tags;
  }

  /** The version ids of {@code key} (exactly that key), newest first. */
  static java.util.List<String> versionIds(S3Client s3, String bucket, String key) {
    return s3.listObjectVersions(b -> b.bucket(bucket).prefix(key)).versions().stream()
        .filter(v -> v.key().equals(key))
        .map(ObjectVersion::versionId)
        .toList();
  }

  /** The version id of the newest delete marker of {@code key}. */
  static String markerOf(S3Client s3, String bucket, String key) {
    return s3.listObjectVersions(b -> b.bucket(bucket).prefix(key)).deleteMarkers().stream()
        .filter(m -> m.key().equals(key) && m.isLatest())
        .findFirst()
        .orElseThrow()
        .versionId();
  }
}
