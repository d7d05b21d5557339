package dev.quarry.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quarry.manifest.KeyCodec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectVersion;

/**
 * Schema 2.0 events as S3 Batch Operations sends them (JSON text, keys URL-encoded), the handler's
 * answer as the JSON it wrote, and the bucket read back.
 */
final class LambdaFixtures {
  static final ObjectMapper JSON = new ObjectMapper();

  private LambdaFixtures() {}

  /** One task of an event; {@code s3Key} exactly as it goes on the wire. */
  record WireTask(String taskId, String bucket, String s3Key, String versionId) {}

  static WireTask task(String taskId, String bucket, String key, String versionId) {
    return new WireTask(taskId, bucket, KeyCodec.encode(key), versionId);
  }

  static String event(Map<String, String> userArguments, WireTask... tasks) {
    return event("2.0", userArguments, tasks);
  }

  static String event(String schemaVersion, Map<String, String> userArguments, WireTask... tasks) {
    ObjectNode event = JSON.createObjectNode();
    event.put("invocationSchemaVersion", schemaVersion);
    event.put("invocationId", "YXNkbGZqYWRmaiBhc2RmdW9hZHNmZGpmaGFzbGtkaGZza2RmaAo");
    ObjectNode job = event.putObject("job");
    job.put("id", "f3cc4f60-61f6-4a2b-8a21-d07600c373ce");
    if (userArguments != null) {
      ObjectNode arguments = job.putObject("userArguments");
      userArguments.forEach(arguments::put);
    }
    ArrayNode array = event.putArray("tasks");
    for (WireTask task : tasks) {
      ObjectNode node = array.addObject();
      node.put("taskId", task.taskId());
      node.put("s3Bucket", task.bucket());
      node.put("s3Key", task.s3Key());
      node.put("s3VersionId", task.versionId());
    }
    return event.toString();
  }

  /** Runs the handler on the JSON text, as the Lambda runtime does, and reads its JSON answer. */
  static JsonNode invoke(RollbackHandler handler, String event) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      handler.handleRequest(
          new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), out, null);
      return JSON.readTree(out.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** taskId → "resultCode: resultString", in the response's order. */
  static Map<String, String> results(JsonNode response) {
    Map<String, String> results = new LinkedHashMap<>();
    response
        .get("results")
        .forEach(
            r ->
                results.put(
                    r.get("taskId").asText(),
                    r.get("resultCode").asText() + ": " + r.get("resultString").asText()));
    return results;
  }

  static String put(S3Client s3, String bucket, String key, String content) {
    return s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(content))
        .versionId();
  }

  static String read(S3Client s3, String bucket, String key) {
    return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asUtf8String();
  }

  /** The version ids of exactly {@code key}, newest first. */
  static List<String> versionIds(S3Client s3, String bucket, String key) {
    return s3.listObjectVersions(b -> b.bucket(bucket).prefix(key)).versions().stream()
        .filter(v -> v.key().equals(key))
        .map(ObjectVersion::versionId)
        .toList();
  }

  /** Deletes {@code key} (no version: S3 adds a marker) and returns the new marker's version id. */
  static String deleteAndGetMarker(S3Client s3, String bucket, String key) {
    s3.deleteObject(b -> b.bucket(bucket).key(key));
    // from the listing: S3Mock's DeleteObject answers with the wrong version id
    return s3.listObjectVersions(b -> b.bucket(bucket).prefix(key)).deleteMarkers().stream()
        .filter(m -> m.key().equals(key) && m.isLatest())
        .findFirst()
        .orElseThrow()
        .versionId();
  }

  static long markerCount(S3Client s3, String bucket, String key) {
    return s3.listObjectVersions(b -> b.bucket(bucket).prefix(key)).deleteMarkers().stream()
        .filter(m -> m.key().equals(key))
        .count();
  }
}
