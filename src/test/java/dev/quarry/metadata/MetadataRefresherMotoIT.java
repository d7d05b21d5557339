package dev.quarry.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.sandbox.LocalS3Server;
import dev.quarry.testing.S3Servers;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.StorageClass;

/** The same refresh against moto, a server with other quirks than S3Mock. */
class MetadataRefresherMotoIT {
  @TempDir Path stateDir;

  private final LocalS3Server server = S3Servers.moto();
  private final S3Client s3 = S3Servers.client(server);

  @Test
  void refreshesVersionsMarkersAndUnversionedBuckets() {
    // given
    String bucket = S3Servers.createVersionedBucket(s3, "moto");
    s3.putObject(
        b ->
            b.bucket(bucket)
                .key("cold/a b+c.bin")
                .storageClass(StorageClass.DEEP_ARCHIVE)
                .serverSideEncryption(ServerSideEncryption.AES256)
                .tagging("weather=rain")
                .metadata(Map.of("ami-name", "AwsBackup-7")),
        RequestBody.fromString("cold"));
    s3.putObject(b -> b.bucket(bucket).key("x.txt"), RequestBody.fromString("1"));
    s3.putObject(b -> b.bucket(bucket).key("x.txt"), RequestBody.fromString("22"));
    s3.deleteObject(b -> b.bucket(bucket).key("x.txt"));
    String plain = S3Servers.newBucketName("moto-plain");
    s3.createBucket(b -> b.bucket(plain));
    s3.putObject(b -> b.bucket(plain).key("only.txt"), RequestBody.fromString("1"));
    MetadataRefresher refresher =
        new MetadataRefresher(
            new Warehouse(stateDir.resolve("warehouse")),
            s3,
            server.endpoint().toString(),
            Clock.systemUTC());

    // when
    RefreshSummary versioned = refresher.refresh(bucket, 4, RefreshProgress.NONE);
    RefreshSummary unversioned = refresher.refresh(plain, 4, RefreshProgress.NONE);

    // then
    assertThat(versioned.versions()).isEqualTo(3);
    assertThat(versioned.deleteMarkers()).isEqualTo(1);
    List<Map<String, Object>> cold =
        ParquetRows.query(
            "SELECT * FROM read_parquet("
                + ParquetRows.path(inventory(bucket))
                + ") WHERE key = 'cold/a b+c.bin'");
    assertThat(cold)
        .singleElement()
        .satisfies(
            row ->
                assertThat(row)
                    .containsEntry("storage_class", "DEEP_ARCHIVE")
                    .containsEntry("encryption_status", "SSE-S3")
                    // the sandbox's moto answers GetObjectTagging on archived objects, as AWS
                    // does (moto alone refuses it: VersionReader then records the tags as NULL)
                    .containsEntry("object_tags", "{weather=rain}")
                    .containsEntry("user_metadata", "{ami-name=AwsBackup-7}")
                    .containsEntry("size", 4L)
                    .containsEntry("is_delete_marker", false));
    assertThat(
            ParquetRows.query(
                "SELECT key, version_id FROM read_parquet("
                    + ParquetRows.path(inventory(plain))
                    + ")"))
        .singleElement()
        .satisfies(
            row ->
                assertThat(row).containsEntry("key", "only.txt").containsEntry("version_id", null));
    assertThat(unversioned.creates()).isEqualTo(1);
    // x.txt is listed at two versions and a marker: only the unversioned inventory lets a plan
    // skip its selected-rows check
    assertThat(state(bucket).inventoryOneRowPerKey()).isFalse();
    assertThat(state(plain).inventoryOneRowPerKey()).isTrue();
  }

  private RefreshState state(String bucket) {
    return new Warehouse(stateDir.resolve("warehouse")).state("b_" + bucket).orElseThrow();
  }

  private Path inventory(String bucket) {
    return new Warehouse(stateDir.resolve("warehouse"))
        .parquetFiles("b_" + bucket, "inventory").stream()
            .reduce(
                (a, b) -> {
                  throw new AssertionError("more than one inventory file: " + a + ", " + b);
                })
            .orElseThrow();
  }
}
