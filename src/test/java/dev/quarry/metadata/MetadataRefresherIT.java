package dev.quarry.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import dev.quarry.sandbox.LocalS3Server;
import dev.quarry.sandbox.S3MockServer;
import dev.quarry.testing.S3Servers;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.DeleteMarkerEntry;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ObjectVersion;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.StorageClass;
import software.amazon.awssdk.services.s3.model.Tag;

class MetadataRefresherIT {
  @TempDir Path stateDir;

  private final LocalS3Server server = S3Servers.s3mock();
  private final S3Client s3 = S3Servers.client(server);

  @Test
  void firstRefreshBuildsTheInventoryFromEveryVersionAndBackfillsTheJournal() {
    // given
    String bucket = S3Servers.createVersionedBucket(s3, "refresh");
    seed(bucket);

    // when
    RefreshSummary summary = refresher().refresh(bucket, 4, RefreshProgress.NONE);

    // then
    assertThat(summary.firstRefresh()).isTrue();
    assertThat(summary.versions()).isEqualTo(6);
    assertThat(summary.deleteMarkers()).isEqualTo(1);
    assertThat(summary.creates()).isEqualTo(6);
    assertThat(summary.deleteMarkersCreated()).isEqualTo(1);
    assertThat(summary.updates() + summary.permanentDeletes()).isZero();

    List<Map<String, Object>> inventory = inventory(bucket);
    assertThat(inventory).hasSize(7);
    for (ObjectVersion version : s3.listObjectVersions(b -> b.bucket(bucket)).versions()) {
      HeadObjectResponse head =
          s3.headObject(
              b ->
                  b.bucket(bucket)
                      .key(version.key())
                      .versionId(version.versionId())
                      .checksumMode(ChecksumMode.ENABLED));
      Map<String, Object> row = find(inventory, version.key(), version.versionId());
      assertThat(row)
          .contains(
              entry("bucket", bucket),
              entry("is_delete_marker", false),
              entry("size", head.contentLength()),
              entry("last_modified_date", utc(version.lastModified())),
              entry("e_tag", head.eTag().replace("\"", "")),
              entry("storage_class", version.storageClassAsString()),
              entry("is_multipart", false),
              entry("user_metadata", text(head.metadata())),
              entry("object_tags", text(tags(bucket, version))),
              entry("checksum_algorithm", "CRC32"));
      assertThat(head.lastModified())
          .isEqualTo(version.lastModified().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    }
    assertThat(find(inventory, "photos/rain 1.jpg", null))
        .contains(
            entry("storage_class", "GLACIER"),
            entry("object_tags", "{category=training, weather=rain}"),
            entry("user_metadata", "{ami-name=AwsBackup-1}"),
            entry("encryption_status", null),
            entry("is_bucket_key_enabled", false),
            entry("kms_key_arn", null));
    assertThat(find(inventory, "docs/s3.txt", null))
        .contains(
            entry("storage_class", "STANDARD"),
            entry("encryption_status", "SSE-S3"),
            entry("kms_key_arn", null),
            entry("object_tags", "{}"));
    assertThat(find(inventory, "docs/kms.txt", null))
        .contains(entry("encryption_status", "SSE-KMS"), entry("is_bucket_key_enabled", true));
    assertThat((String) find(inventory, "docs/kms.txt", null).get("kms_key_arn"))
        .endsWith(S3MockServer.DEMO_KMS_KEY_ID);

    DeleteMarkerEntry marker = s3.listObjectVersions(b -> b.bucket(bucket)).deleteMarkers().get(0);
    Map<String, Object> markerRow = find(inventory, "gone.txt", marker.versionId());
    assertThat(markerRow)
        .contains(
            entry("is_delete_marker", true),
            entry("last_modified_date", utc(marker.lastModified())),
            // AWS's schema: a delete marker's size is 0 (NULL is for a permanent delete)
            entry("size", 0L),
            entry("e_tag", null),
            entry("storage_class", null),
            entry("is_multipart", null),
            entry("encryption_status", null),
            entry("object_tags", null),
            entry("user_metadata", null));

    List<Map<String, Object>> journal =
        ParquetRows.query(
            "SELECT * FROM read_parquet(" + ParquetRows.path(journalFiles(bucket).get(0)) + ")");
    assertThat(journal).hasSize(7);
    assertThat(journal)
        .filteredOn(r -> r.get("record_type").equals("CREATE"))
        .allSatisfy(
            r -> {
              assertThat(r.get("is_delete_marker")).isEqualTo(false);
              assertThat(r.get("record_timestamp")).isEqualTo(r.get("last_modified_date"));
              assertThat(r.get("requester")).isNull();
              assertThat(r.get("source_ip_address")).isNull();
              assertThat(r.get("request_id")).isNull();
            })
        .hasSize(6);
    Map<String, Object> markerRecord = find(journal, "gone.txt", marker.versionId());
    assertThat(markerRecord)
        .contains(
            entry("record_type", "DELETE"),
            entry("is_delete_marker", true),
            entry("size", 0L),
            entry("record_timestamp", utc(marker.lastModified())));
    // the marker came after the version it hides, even within the same millisecond
    assertThat((String) markerRecord.get("sequence_number"))
        .isGreaterThan(
            (String)
                journal.stream()
                    .filter(
                        r ->
                            r.get("key").equals("gone.txt")
                                && r.get("record_type").equals("CREATE"))
                    .findFirst()
                    .orElseThrow()
                    .get("sequence_number"));
    assertSequenceOrdersEachKey(journal);
    assertThat(RefreshState.read(warehouse().stateFile("b_" + bucket)).orElseThrow())
        .extracting(RefreshState::lastSequenceNumber, RefreshState::endpoint)
        .containsExactly(7L, server.endpoint().toString());
  }

  @Test
  void secondRefreshJournalsWhatChanged() {
    // given
    String bucket = S3Servers.createVersionedBucket(s3, "journal");
    seed(bucket);
    MetadataRefresher refresher = refresher();
    refresher.refresh(bucket, 4, RefreshProgress.NONE);
    List<ObjectVersion> over =
        s3.listObjectVersions(b -> b.bucket(bucket).prefix("over.txt")).versions();
    String oldOver = over.stream().filter(v -> !v.isLatest()).findFirst().orElseThrow().versionId();
    Instant before = Instant.now().minusSeconds(1);

    // when
    s3.putObject(b -> b.bucket(bucket).key("new.txt"), RequestBody.fromString("new"));
    s3.putObjectTagging(
        b ->
            b.bucket(bucket)
                .key("photos/rain 1.jpg")
                .tagging(t -> t.tagSet(Tag.builder().key("weather").value("sun").build())));
    s3.deleteObject(b -> b.bucket(bucket).key("docs/s3.txt"));
    s3.deleteObject(b -> b.bucket(bucket).key("over.txt").versionId(oldOver));
    RefreshSummary summary = refresher.refresh(bucket, 4, RefreshProgress.NONE);

    // then
    assertThat(summary.firstRefresh()).isFalse();
    assertThat(journalFiles(bucket)).hasSize(2);
    List<Map<String, Object>> journal =
        ParquetRows.query(
            "SELECT * FROM read_parquet("
                + ParquetRows.path(journalFiles(bucket).get(1))
                + ") ORDER BY key");
    assertThat(journal)
        .extracting(
            r -> r.get("key") + " " + r.get("record_type") + " " + r.get("is_delete_marker"))
        .containsExactly(
            "docs/s3.txt DELETE true",
            "new.txt CREATE false",
            "over.txt DELETE null",
            "photos/rain 1.jpg UPDATE_METADATA false");
    LocalDateTime refreshTime = utc(summary.refreshTime());
    Map<String, Object> newObject = journal.get(1);
    assertThat((LocalDateTime) newObject.get("record_timestamp"))
        .isEqualTo(newObject.get("last_modified_date"))
        .isAfter(utc(before));
    Map<String, Object> permanent = journal.get(2);
    assertThat(permanent)
        .containsEntry("version_id", oldOver)
        .containsEntry("record_timestamp", refreshTime);
    assertThat(permanent.entrySet())
        .filteredOn(
            e ->
                !List.of(
                        "bucket",
                        "key",
                        "sequence_number",
                        "record_type",
                        "record_timestamp",
                        "version_id")
                    .contains(e.getKey()))
        .allSatisfy(e -> assertThat(e.getValue()).as(e.getKey()).isNull());
    assertThat(journal.get(3))
        .containsEntry("object_tags", "{weather=sun}")
        .containsEntry("record_timestamp", refreshTime);
    assertThat(journal.get(0).get("record_timestamp"))
        .isEqualTo(
            utc(
                s3.listObjectVersions(b -> b.bucket(bucket).prefix("docs/s3.txt"))
                    .deleteMarkers()
                    .get(0)
                    .lastModified()));

    List<Map<String, Object>> all =
        ParquetRows.query(
            "SELECT * FROM read_parquet("
                + ParquetRows.path(warehouse().tableDir("b_" + bucket, "journal"))
                + " || '/*.parquet')");
    assertThat(all).hasSize(11);
    assertSequenceOrdersEachKey(all);
    List<Map<String, Object>> inventory = inventory(bucket);
    assertThat(inventory).hasSize(8);
    assertThat(find(inventory, "photos/rain 1.jpg", null))
        .containsEntry("object_tags", "{weather=sun}")
        .containsEntry("sequence_number", journal.get(3).get("sequence_number"));
    assertThat(inventory).noneMatch(r -> oldOver.equals(r.get("version_id")));
  }

  /** Within each key, sequence numbers grow with the record time (ties: in listing order). */
  static void assertSequenceOrdersEachKey(List<Map<String, Object>> journal) {
    Map<Object, List<Map<String, Object>>> byKey =
        journal.stream().collect(Collectors.groupingBy(r -> r.get("key")));
    byKey.forEach(
        (key, records) -> {
          List<Map<String, Object>> bySequence =
              records.stream()
                  .sorted(java.util.Comparator.comparing(r -> (String) r.get("sequence_number")))
                  .toList();
          List<LocalDateTime> times =
              bySequence.stream().map(r -> (LocalDateTime) r.get("record_timestamp")).toList();
          assertThat(times).as("record times of %s by sequence number", key).isSorted();
          assertThat(bySequence)
              .extracting(r -> ((String) r.get("sequence_number")).length())
              .containsOnly(RefreshState.SEQUENCE_WIDTH);
        });
  }

  private void seed(String bucket) {
    s3.putObject(
        b ->
            b.bucket(bucket)
                .key("photos/rain 1.jpg")
                .storageClass(StorageClass.GLACIER)
                .tagging("weather=rain&category=training")
                .metadata(Map.of("ami-name", "AwsBackup-1")),
        RequestBody.fromString("a picture"));
    s3.putObject(
        b -> b.bucket(bucket).key("docs/s3.txt").serverSideEncryption(ServerSideEncryption.AES256),
        RequestBody.fromString("sse-s3"));
    // S3Mock accepts the bare key id of its configured key, not the ARN
    s3.putObject(
        b ->
            b.bucket(bucket)
                .key("docs/kms.txt")
                .serverSideEncryption(ServerSideEncryption.AWS_KMS)
                .ssekmsKeyId(S3MockServer.DEMO_KMS_KEY_ID)
                .bucketKeyEnabled(true),
        RequestBody.fromString("sse-kms"));
    s3.putObject(b -> b.bucket(bucket).key("over.txt"), RequestBody.fromString("one"));
    s3.putObject(b -> b.bucket(bucket).key("over.txt"), RequestBody.fromString("two!"));
    s3.putObject(b -> b.bucket(bucket).key("gone.txt"), RequestBody.fromString("bye"));
    s3.deleteObject(b -> b.bucket(bucket).key("gone.txt"));
  }

  private Map<String, String> tags(String bucket, ObjectVersion version) {
    return s3
        .getObjectTagging(b -> b.bucket(bucket).key(version.key()).versionId(version.versionId()))
        .tagSet()
        .stream()
        .collect(Collectors.toMap(Tag::key, Tag::value));
  }

  /** DuckDB's rendering of a map with sorted keys. */
  static String text(Map<String, String> map) {
    return new TreeMap<>(map)
        .entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining(", ", "{", "}"));
  }

  /** The row of key and version; a null version picks the key's only (or newest) row. */
  static Map<String, Object> find(List<Map<String, Object>> rows, String key, String versionId) {
    return rows.stream()
        .filter(r -> r.get("key").equals(key))
        .filter(r -> versionId == null || versionId.equals(r.get("version_id")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no row for " + key + " " + versionId));
  }

  private List<Map<String, Object>> inventory(String bucket) {
    return ParquetRows.query(
        "SELECT * FROM read_parquet("
            + ParquetRows.path(
                warehouse().parquetFiles("b_" + bucket, "inventory").stream()
                    .reduce(
                        (a, b) -> {
                          throw new AssertionError("more than one inventory file: " + a + ", " + b);
                        })
                    .orElseThrow())
            + ") ORDER BY key, sequence_number DESC");
  }

  private List<Path> journalFiles(String bucket) {
    return warehouse().parquetFiles("b_" + bucket, "journal");
  }

  private Warehouse warehouse() {
    return new Warehouse(stateDir.resolve("warehouse"));
  }

  private MetadataRefresher refresher() {
    return new MetadataRefresher(warehouse(), s3, server.endpoint().toString(), Clock.systemUTC());
  }

  static LocalDateTime utc(Instant instant) {
    return LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
  }
}
