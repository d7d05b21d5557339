package dev.quarry.action;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteMarkerEntry;
import software.amazon.awssdk.services.s3.model.EncodingType;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsRequest;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;
import software.amazon.awssdk.services.s3.model.ObjectVersion;

/**
 * The versions and delete markers of exactly one key, in the server's order (newest first): one
 * ListObjectVersions with the key as its prefix, paged until a longer key shows up.
 *
 * <p>Listed URL-encoded (the SDK decodes the keys), so that a key with a carriage return comes back
 * as itself: XML turns it into a line feed, and compared unencoded such a key's versions would look
 * gone. The key sorts before every longer key its prefix matches, so one of those means the listing
 * is past it: a key {@code logs} does not page through everything under {@code logs/}.
 *
 * @param versions the key's versions, newest first
 * @param markers the key's delete markers, newest first
 */
public record KeyVersions(List<ObjectVersion> versions, List<DeleteMarkerEntry> markers) {
  public KeyVersions {
    versions = List.copyOf(versions);
    markers = List.copyOf(markers);
  }

  /** Lists {@code bucket}/{@code key}'s entries; the SDK's exceptions are the caller's to map. */
  public static KeyVersions list(S3Client s3, String bucket, String key) {
    requireNonNull(s3, "s3 is null");
    requireNonNull(key, "key is null");
    ListObjectVersionsRequest.Builder request =
        ListObjectVersionsRequest.builder()
            .bucket(requireNonNull(bucket, "bucket is null"))
            .prefix(key)
            .encodingType(EncodingType.URL);
    List<ObjectVersion> versions = new ArrayList<>();
    List<DeleteMarkerEntry> markers = new ArrayList<>();
    while (true) {
      ListObjectVersionsResponse page = s3.listObjectVersions(request.build());
      page.versions().stream().filter(v -> v.key().equals(key)).forEach(versions::add);
      page.deleteMarkers().stream().filter(m -> m.key().equals(key)).forEach(markers::add);
      boolean pastKey =
          Stream.concat(
                  page.deleteMarkers().stream().map(DeleteMarkerEntry::key),
                  page.versions().stream().map(ObjectVersion::key))
              .anyMatch(k -> !k.equals(key));
      if (pastKey || !Boolean.TRUE.equals(page.isTruncated())) {
        return new KeyVersions(versions, markers);
      }
      request.keyMarker(page.nextKeyMarker()).versionIdMarker(page.nextVersionIdMarker());
    }
  }
}
