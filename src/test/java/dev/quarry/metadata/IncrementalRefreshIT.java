package dev.quarry.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.config.AwsClients;
import dev.quarry.sandbox.LocalS3Server;
import dev.quarry.sandbox.S3MockServer;
import dev.quarry.testing.S3Servers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.GetObjectTaggingRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.StorageClass;
import software.amazon.awssdk.services.s3.model.Tag;

/**
 * The incremental refresh (HeadObject only for versions the previous inventory does not prove
 * unchanged) writes the tables a full refresh writes: the same warehouse refreshed twice, once each
 * way, after the same changes, against real servers. And why it is not the default: S3Mock rewrites
 * a version in place.
 */
class IncrementalRefreshIT {
  @TempDir Path dir;

  @Test
  void writesWhatAFullRefreshWritesWithFewerHeadsOnS3Mock() {
    LocalS3Server server = S3Servers.s3mock();
    sameTablesWithFewerHeads(server, true);
  }

  @Test
  void writesWhatAFullRefreshWritesWithFewerHeadsOnMoto() {
    LocalS3Server server = S3Servers.moto();
    sameTablesWithFewerHeads(server, false);
  }

  private void sameTablesWithFewerHeads(LocalS3Server server, boolean s3mock) {
    // given: a versioned bucket refreshed once
    Requests requests = new Requests();
    S3Client s3 = client(server, requests);
    String bucket = S3Servers.createVersionedBucket(s3, "incr");
    seed(s3, bucket, s3mock);
    Path incremental = dir.resolve("incremental");
    refresher(server, s3, incremental, Instant.now()).refresh(bucket, 4, RefreshProgress.NONE);
    Path full = dir.resolve("full");
    copyTree(incremental, full);
    String oldOver =
        s3.listObjectVersions(b -> b.bucket(bucket).prefix("over.txt")).versions().stream()
            .filter(v -> !v.isLatest())
            .findFirst()
            .orElseThrow()
            .versionId();

    // when: tags changed, a delete, a permanent delete, new versions, a copy in place (moto adds
    // a version, as S3 does; S3Mock rewrites the version in place: see below)
    s3.putObjectTagging(
        b ->
            b.bucket(bucket)
                .key("photos/rain 1.jpg")
                .tagging(t -> t.tagSet(Tag.builder().key("weather").value("sun").build())));
    s3.deleteObjectTagging(b -> b.bucket(bucket).key("tagged.txt"));
    s3.deleteObject(b -> b.bucket(bucket).key("docs/s3.txt"));
    s3.deleteObject(b -> b.bucket(bucket).key("over.txt").versionId(oldOver));
    s3.putObject(b -> b.bucket(bucket).key("new.txt"), RequestBody.fromString("new"));
    s3.putObject(b -> b.bucket(bucket).key("plain/2.txt"), RequestBody.fromString("two, again"));
    if (!s3mock) {
      copyInPlace(s3, bucket, "plain/1.txt");
    }
    long versionsNow = s3.listObjectVersions(b -> b.bucket(bucket)).versions().size();
    Instant refreshTime = Instant.now().plusSeconds(1).truncatedTo(ChronoUnit.MILLIS);
    requests.reset();
    RefreshSummary fast =
        refresher(server, s3, incremental, refreshTime)
            .refresh(bucket, 4, true, RefreshProgress.NONE);
    int fastHeads = requests.heads.get();
    int fastTagReads = requests.tagReads.get();
    requests.reset();
    RefreshSummary slow =
        refresher(server, s3, full, refreshTime).refresh(bucket, 4, false, RefreshProgress.NONE);
    int fullHeads = requests.heads.get();

    // then: the same journal, inventory and state, row for row
    String namespace = "b_" + bucket;
    assertThat(rows(incremental, namespace, "journal")).isEqualTo(rows(full, namespace, "journal"));
    assertThat(rows(incremental, namespace, "inventory"))
        .isEqualTo(rows(full, namespace, "inventory"))
        .hasSize(
            (int)
                (versionsNow
                    + s3.listObjectVersions(b -> b.bucket(bucket)).deleteMarkers().size()));
    assertThat(new Warehouse(incremental).state(namespace))
        .isEqualTo(new Warehouse(full).state(namespace));
    assertThat(fast)
        .usingRecursiveComparison()
        .ignoringFields("inventoryFile", "journalFile", "versionsReadInFull", "versionsReused")
        .isEqualTo(slow);
    // the changes are in the journal as a full refresh finds them
    assertThat(fast.updates()).isGreaterThanOrEqualTo(2);
    assertThat(fast.creates()).isGreaterThanOrEqualTo(2);
    assertThat(fast.deleteMarkersCreated()).isEqualTo(1);
    assertThat(fast.permanentDeletes()).isEqualTo(1);
    // and fewer HEADs: the new versions (and the copy) only; tags read of every version
    assertThat(fullHeads).isEqualTo((int) versionsNow);
    assertThat(slow.versionsReused()).isZero();
    assertThat(slow.versionsReadInFull()).isEqualTo(versionsNow);
    long changed = s3mock ? 2 : 3; // new.txt, plain/2.txt's new version, plain/1.txt's copy
    assertThat(fastHeads).isEqualTo((int) changed);
    assertThat(fast.versionsReadInFull()).isEqualTo(changed);
    assertThat(fast.versionsReused()).isEqualTo(versionsNow - changed);
    assertThat(fastTagReads).isEqualTo((int) versionsNow);
    if (!s3mock) {
      assertThat(rows(incremental, namespace, "inventory"))
          .filteredOn(r -> r.get("key").equals("plain/1.txt"))
          .anySatisfy(
              r ->
                  assertThat(r)
                      .containsEntry("encryption_status", "SSE-S3")
                      .containsEntry("user_metadata", "{copied=yes}"));
    }

    // and what a first refresh of the bucket into a fresh warehouse finds, but for the journal's
    // sequence numbers
    Path fresh = dir.resolve("fresh");
    refresher(server, s3, fresh, refreshTime).refresh(bucket, 4, RefreshProgress.NONE);
    assertThat(withoutSequence(rows(fresh, namespace, "inventory")))
        .isEqualTo(withoutSequence(rows(incremental, namespace, "inventory")));
  }

  @Test
  void aCopyInPlaceOnS3MockIsSeenByTheDefaultRefresh() {
    // given: S3Mock 5.2.0 rewrites a version copied onto itself, keeping its version id, ETag and
    // last-modified time: nothing listed shows the change, so only HeadObject can
    LocalS3Server server = S3Servers.s3mock();
    Requests requests = new Requests();
    S3Client s3 = client(server, requests);
    String bucket = S3Servers.createVersionedBucket(s3, "incr-copy");
    s3.putObject(b -> b.bucket(bucket).key("plain/1.txt"), RequestBody.fromString("one"));
    Path warehouse = dir.resolve("copy");
    refresher(server, s3, warehouse, Instant.now()).refresh(bucket, 4, RefreshProgress.NONE);
    copyInPlace(s3, bucket, "plain/1.txt");
    Path incremental = dir.resolve("copy-incremental");
    copyTree(warehouse, incremental);
    Instant refreshTime = Instant.now().plusSeconds(1);

    // when: the same refresh of a copy of the warehouse, incremental
    RefreshSummary trusting =
        refresher(server, s3, incremental, refreshTime)
            .refresh(bucket, 4, true, RefreshProgress.NONE);

    // then it trusts the unchanged listing and misses the change: why --incremental is opt-in
    assertThat(trusting.versionsReused()).isEqualTo(1);
    assertThat(trusting.updates()).isZero();
    assertThat(rows(incremental, "b_" + bucket, "inventory"))
        .singleElement()
        .satisfies(r -> assertThat(r).doesNotContainEntry("user_metadata", "{copied=yes}"));

    // when
    requests.reset();
    RefreshSummary summary =
        refresher(server, s3, warehouse, refreshTime).refresh(bucket, 4, RefreshProgress.NONE);

    // then
    assertThat(requests.heads.get()).isEqualTo(1);
    assertThat(summary.versionsReused()).isZero();
    assertThat(summary.updates()).isEqualTo(1);
    assertThat(rows(warehouse, "b_" + bucket, "inventory"))
        .singleElement()
        .satisfies(
            r ->
                assertThat(r)
                    .containsEntry("encryption_status", "SSE-S3")
                    .containsEntry("user_metadata", "{copied=yes}"));
  }

  @Test
  void theNullVersionIsAlwaysReadInFull() {
    // given: an unversioned bucket refreshed once
    LocalS3Server server = S3Servers.s3mock();
    Requests requests = new Requests();
    S3Client s3 = client(server, requests);
    String bucket = S3Servers.newBucketName("incr-plain");
    s3.createBucket(b -> b.bucket(bucket));
    s3.putObject(b -> b.bucket(bucket).key("a.txt"), RequestBody.fromString("same"));
    s3.putObject(b -> b.bucket(bucket).key("b.txt"), RequestBody.fromString("b"));
    Path warehouse = dir.resolve("plain");
    refresher(server, s3, warehouse, Instant.now()).refresh(bucket, 4, RefreshProgress.NONE);

    // when: a.txt overwritten with the same bytes (the same ETag and size), other metadata
    s3.putObject(
        b -> b.bucket(bucket).key("a.txt").metadata(Map.of("new", "1")),
        RequestBody.fromString("same"));
    requests.reset();
    RefreshSummary summary =
        refresher(server, s3, warehouse, Instant.now().plusSeconds(1))
            .refresh(bucket, 4, true, RefreshProgress.NONE);

    // then
    assertThat(requests.heads.get()).isEqualTo(2);
    assertThat(summary.versionsReused()).isZero();
    assertThat(summary.versionsReadInFull()).isEqualTo(2);
    assertThat(rows(warehouse, "b_" + bucket, "inventory"))
        .filteredOn(r -> r.get("key").equals("a.txt"))
        .singleElement()
        .satisfies(r -> assertThat(r).containsEntry("user_metadata", "{new=1}"));
  }

  private static void copyInPlace(S3Client s3, String bucket, String key) {
    s3.copyObject(
        b ->
            b.sourceBucket(bucket)
                .sourceKey(key)
                .destinationBucket(bucket)
                .destinationKey(key)
                .metadataDirective(MetadataDirective.REPLACE)
                .metadata(Map.of("copied", "yes"))
                .serverSideEncryption(ServerSideEncryption.AES256));
  }

  private static void seed(S3Client s3, String bucket, boolean s3mock) {
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
    if (s3mock) {
      // S3Mock accepts the bare key id of its configured key, not the ARN
      s3.putObject(
          b ->
              b.bucket(bucket)
                  .key("docs/kms.txt")
                  .serverSideEncryption(ServerSideEncryption.AWS_KMS)
                  .ssekmsKeyId(S3MockServer.DEMO_KMS_KEY_ID)
                  .bucketKeyEnabled(true),
          RequestBody.fromString("sse-kms"));
    }
    s3.putObject(b -> b.bucket(bucket).key("over.txt"), RequestBody.fromString("one"));
    s3.putObject(b -> b.bucket(bucket).key("over.txt"), RequestBody.fromString("two!"));
    s3.putObject(b -> b.bucket(bucket).key("gone.txt"), RequestBody.fromString("bye"));
    s3.deleteObject(b -> b.bucket(bucket).key("gone.txt"));
    s3.putObject(
        b -> b.bucket(bucket).key("tagged.txt").tagging("keep=no"), RequestBody.fromString("t"));
    s3.putObject(b -> b.bucket(bucket).key("plain/1.txt"), RequestBody.fromString("one"));
    s3.putObject(b -> b.bucket(bucket).key("plain/2.txt"), RequestBody.fromString("two"));
  }

  /** Every row of a table's committed files, in a total order, maps as DuckDB renders them. */
  private static List<Map<String, Object>> rows(Path warehouse, String namespace, String table) {
    Warehouse w = new Warehouse(warehouse);
    RefreshState state = w.state(namespace).orElseThrow();
    List<String> files =
        state.files(table).stream()
            .map(f -> ParquetRows.path(w.tableDir(namespace, table).resolve(f)))
            .toList();
    return ParquetRows.query(
        "SELECT * FROM read_parquet(["
            + String.join(", ", files)
            + "]) ORDER BY sequence_number, key, version_id NULLS FIRST");
  }

  private static List<Map<String, Object>> withoutSequence(List<Map<String, Object>> rows) {
    return rows.stream()
        .map(
            r -> {
              Map<String, Object> copy = new java.util.TreeMap<>(r);
              copy.remove("sequence_number");
              return copy;
            })
        .sorted(
            java.util.Comparator.comparing((Map<String, Object> r) -> (String) r.get("key"))
                .thenComparing(r -> String.valueOf(r.get("version_id"))))
        .toList();
  }

  private static MetadataRefresher refresher(
      LocalS3Server server, S3Client s3, Path warehouse, Instant now) {
    return new MetadataRefresher(
        new Warehouse(warehouse),
        s3,
        server.endpoint().toString(),
        Clock.fixed(now, ZoneOffset.UTC));
  }

  /** Counts the refresh's HeadObject and GetObjectTagging requests. */
  private static final class Requests implements ExecutionInterceptor {
    final AtomicInteger heads = new AtomicInteger();
    final AtomicInteger tagReads = new AtomicInteger();

    @Override
    public void beforeTransmission(
        Context.BeforeTransmission context, ExecutionAttributes attributes) {
      if (context.request() instanceof HeadObjectRequest) {
        heads.incrementAndGet();
      } else if (context.request() instanceof GetObjectTaggingRequest) {
        tagReads.incrementAndGet();
      }
    }

    void reset() {
      heads.set(0);
      tagReads.set(0);
    }
  }

  /** A client like S3Servers.client's, its requests counted. */
  private S3Client client(LocalS3Server server, ExecutionInterceptor interceptor) {
    return AwsClients.configure(
            S3Client.builder(),
            S3Servers.config(server, dir.resolve("unused")),
            AwsClients.Limits.DEFAULT.withMaxConnections(16))
        .overrideConfiguration(c -> c.addExecutionInterceptor(interceptor))
        .endpointOverride(server.endpoint())
        .serviceConfiguration(
            S3Configuration.builder()
                .pathStyleAccessEnabled(true)
                .chunkedEncodingEnabled(false)
                .build())
        .build();
  }

  private static void copyTree(Path from, Path to) {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path p : paths.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
