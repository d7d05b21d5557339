package dev.quarry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quarry.sandbox.LocalS3Server;
import dev.quarry.sandbox.S3MockServer;
import dev.quarry.sandbox.SeedSummary;
import dev.quarry.testing.S3Servers;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.InvalidObjectStateException;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;
import software.amazon.awssdk.services.s3.model.ObjectVersion;
import software.amazon.awssdk.services.s3.model.Tag;

/** {@code quarry sandbox seed}: the summary's numbers are what the server holds. */
class SandboxSeedIT {
  static Stream<LocalS3Server> servers() {
    return Stream.of(S3Servers.s3mock(), S3Servers.moto());
  }

  @ParameterizedTest(autoCloseArguments = false) // the servers are shared by the whole test JVM
  @MethodSource("servers")
  void summaryMatchesTheBucket(LocalS3Server server) throws Exception {
    // given
    String bucket = S3Servers.newBucketName("seed");
    String endpoint = server.endpoint().toString();

    // when
    SandboxCommandIT.Result seed =
        SandboxCommandIT.run(
            "sandbox",
            "seed",
            "--s3-endpoint",
            endpoint,
            "--bucket",
            bucket,
            "--objects",
            "150",
            "-o",
            "json");

    // then
    assertThat(seed.code()).as(seed.err()).isZero();
    SeedSummary summary = summary(seed.json());
    assertThat(summary.refused()).isEmpty();
    assertThat(summary.objects()).isEqualTo(150);
    assertThat(summary.deleteMarkers()).isEqualTo(5);
    assertThat(summary.playbooks().archivedRainyTraining()).isPositive();

    S3Client s3 = S3Servers.client(server);
    // fewer than 1000 entries: one page (S3Mock pages ListObjectVersions wrongly)
    ListObjectVersionsResponse listing = s3.listObjectVersions(b -> b.bucket(bucket));
    assertThat(listing.isTruncated()).isFalse();
    List<ObjectVersion> versions = listing.versions();
    assertThat(versions).hasSize(summary.versions());
    assertThat(versions.stream().map(ObjectVersion::key).distinct()).hasSize(summary.objects());
    Map<String, Long> versionsPerKey =
        versions.stream().collect(Collectors.groupingBy(ObjectVersion::key, Collectors.counting()));
    assertThat(versionsPerKey.values().stream().filter(n -> n > 1))
        .hasSize(summary.overwrittenObjects());
    assertThat(versionsPerKey.values()).allMatch(n -> n <= 3);
    assertThat(listing.deleteMarkers()).hasSize(summary.deleteMarkers());
    assertThat(listing.deleteMarkers())
        .allMatch(m -> m.isLatest() && m.key().startsWith("camera/"));
    assertThat(listing.deleteMarkers()).hasSize(summary.playbooks().cameraDeleteMarkers());

    List<String> current =
        versions.stream().filter(ObjectVersion::isLatest).map(ObjectVersion::key).toList();
    assertThat(current).hasSize(summary.currentObjects());
    assertThat(current).contains("odd/naïve café.txt", "odd/100%+true,\"quoted\".txt");

    Map<String, Integer> byClass = new TreeMap<>();
    Map<String, Integer> byEncryption = new TreeMap<>();
    Map<String, Integer> byPrefix = new TreeMap<>();
    int bucketKeys = 0;
    int rainyTraining = 0;
    int awsBackup = 0;
    int unreadableTags = 0;
    for (String key : current) {
      HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key(key));
      String storageClass =
          head.storageClassAsString() == null ? "STANDARD" : head.storageClassAsString();
      String sse = head.serverSideEncryptionAsString();
      assertThat(sse).as(key).isIn("AES256", "aws:kms");
      if (sse.equals("aws:kms")) {
        assertThat(head.ssekmsKeyId()).endsWith(S3MockServer.DEMO_KMS_KEY_ID);
      }
      byClass.merge(storageClass, 1, Integer::sum);
      byEncryption.merge(sse.equals("aws:kms") ? "SSE-KMS" : "SSE-S3", 1, Integer::sum);
      byPrefix.merge(key.substring(0, key.indexOf('/')), 1, Integer::sum);
      if (Boolean.TRUE.equals(head.bucketKeyEnabled())) {
        bucketKeys++;
      }
      if (key.startsWith("ami-exports/") && head.metadata().get("ami-name").contains("AwsBackup")) {
        awsBackup++;
      }
      if (key.startsWith("camera/")) {
        boolean archived = storageClass.equals("GLACIER") || storageClass.equals("DEEP_ARCHIVE");
        Map<String, String> tags = new HashMap<>();
        try {
          for (Tag tag : s3.getObjectTagging(b -> b.bucket(bucket).key(key)).tagSet()) {
            tags.put(tag.key(), tag.value());
          }
        } catch (InvalidObjectStateException e) {
          // moto refuses GetObjectTagging on archived objects (S3 does not): only the count shows
          assertThat(server.kind()).isEqualTo("moto");
          assertThat(archived).isTrue();
          assertThat(head.tagCount()).isEqualTo(2);
          unreadableTags++;
          continue;
        }
        assertThat(tags).containsOnlyKeys("weather", "category");
        if (archived
            && "rain".equals(tags.get("weather"))
            && "training".equals(tags.get("category"))) {
          rainyTraining++;
        }
      }
    }
    assertThat(byClass).isEqualTo(summary.currentObjectsByStorageClass());
    assertThat(byClass).containsKeys("STANDARD", "STANDARD_IA", "GLACIER", "DEEP_ARCHIVE");
    assertThat(byEncryption).isEqualTo(summary.currentObjectsByEncryption());
    assertThat(byPrefix).isEqualTo(summary.currentObjectsByPrefix());
    assertThat(bucketKeys).isEqualTo(summary.bucketKeyObjects());
    if (unreadableTags == 0) {
      assertThat(rainyTraining).isEqualTo(summary.playbooks().archivedRainyTraining());
    }
    assertThat(awsBackup).isEqualTo(summary.playbooks().awsBackupAmiExports());
    assertThat(byEncryption.get("SSE-S3")).isEqualTo(summary.playbooks().notSseKms());

    // when seeding again: refused, unless forced; forced gives the same bucket
    SandboxCommandIT.Result refused =
        SandboxCommandIT.run(
            "sandbox", "seed", "--s3-endpoint", endpoint, "--bucket", bucket, "--objects", "150");
    SandboxCommandIT.Result forced =
        SandboxCommandIT.run(
            "sandbox",
            "seed",
            "--s3-endpoint",
            endpoint,
            "--bucket",
            bucket,
            "--objects",
            "150",
            "--force",
            "-o",
            "json");

    // then
    assertThat(refused.code()).isEqualTo(2);
    assertThat(refused.err()).contains("--force");
    assertThat(forced.code()).as(forced.err()).isZero();
    JsonNode again = forced.json();
    assertThat(summary(again)).isEqualTo(summary);
    assertThat(s3.listObjectVersions(b -> b.bucket(bucket)).versions()).hasSize(summary.versions());
  }

  /** The seed's summary, beside which the JSON names the jobs bucket it made sure of. */
  private static SeedSummary summary(JsonNode json) throws Exception {
    ObjectNode copy = json.deepCopy();
    assertThat(copy.remove("jobsBucket").asText()).isEqualTo("quarry-jobs");
    return Json.MAPPER.treeToValue(copy, SeedSummary.class);
  }
}
