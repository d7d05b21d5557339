package dev.quarry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.manifest.ManifestReader;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteMarkerEntry;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;
import software.amazon.awssdk.services.s3.model.ObjectVersion;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * The README's quickstart up to its plans ({@code bin/quickstart --plan-only} on the packaged jar),
 * and every example plan's manifest compared with what the sandbox's S3 server itself says, object
 * by object: the expected sets are computed here from ListObjectVersions, HeadObject and
 * GetObjectTagging, not from the seed's own summary or from DuckDB.
 */
class QuickstartPlanIT {
  private static final String BUCKET = "starwatcher";
  private static final Set<String> ARCHIVED = Set.of("GLACIER", "DEEP_ARCHIVE");

  @TempDir static Path work;

  private static QuickstartRunner quickstart;
  private static String quickstartOutput;

  @BeforeAll
  static void runQuickstart() throws Exception {
    quickstart = new QuickstartRunner(work);
    QuickstartRunner.Result result = quickstart.run("bin/quickstart", "--plan-only");
    quickstartOutput = result.output();
    assertThat(result.exitCode()).as(quickstartOutput).isZero();
  }

  @AfterAll
  static void stopSandbox() throws Exception {
    quickstart.stopSandbox();
  }

  @Test
  void printsAPlanForEveryExamplePlaybook() {
    assertThat(quickstartOutput)
        .contains("12 files checked: 12 valid, 0 with problems")
        .contains("Plan hide-keys")
        .contains("Plan checksum-archive")
        .contains("Plan replicate-existing-models")
        .contains("Plan reencrypt-auto")
        .contains("Report audit-deletes")
        .contains("Plan legal-hold-contracts")
        .contains("Plan retain-audit-logs")
        .contains("Plan reencrypt-to-kms")
        .contains("Plan restore-instance-amis")
        .contains("Plan restore-rainy-training")
        .contains("Plan rollback-deletes")
        .contains("Plan tag-untagged-logs")
        .contains("Nothing was changed");
  }

  @Test
  void everyManifestHoldsExactlyTheObjectsTheBucketSaysQualify() throws Exception {
    // given what the S3 server holds
    Truth truth = Truth.read(quickstart.sandboxS3());

    // when
    QuickstartRunner.Result result =
        quickstart.run("bin/quarry", "plan", "playbooks/", "--output", "json");

    // then
    assertThat(result.exitCode()).as(result.output()).isZero();
    JsonNode plans = new ObjectMapper().readTree(result.output()).path("plans");
    Map<String, Set<String>> manifests = new HashMap<>();
    for (JsonNode plan : plans) {
      Set<String> rows = new HashSet<>();
      ManifestReader.read(
          Path.of(plan.path("manifest").path("file").asText()),
          row -> rows.add(row.key() + (row.versionId() == null ? "" : "@" + row.versionId())));
      manifests.put(plan.path("playbook").asText(), rows);
      assertThat(plan.path("objects").asLong()).isEqualTo(rows.size());
    }
    assertThat(manifests.get("restore-rainy-training")).isEqualTo(truth.rainyTrainingArchived);
    assertThat(manifests.get("reencrypt-to-kms")).isEqualTo(truth.notKmsNotArchived);
    assertThat(manifests.get("rollback-deletes")).isEqualTo(truth.cameraDeleteMarkers);
    assertThat(manifests.get("restore-instance-amis")).isEqualTo(truth.awsBackupAmisArchived);
    assertThat(manifests.get("tag-untagged-logs")).isEqualTo(truth.logsWithoutTeam);
    assertThat(truth.logsWithoutTeam).isNotEmpty();
    assertThat(truth.rainyTrainingArchived).isNotEmpty();
    assertThat(truth.cameraDeleteMarkers).hasSize(100);
  }

  /** The expected manifests, as {@code key} or {@code key@version} strings. */
  private static final class Truth {
    final Set<String> rainyTrainingArchived = new HashSet<>();
    final Set<String> notKmsNotArchived = new HashSet<>();
    final Set<String> cameraDeleteMarkers = new HashSet<>();
    final Set<String> awsBackupAmisArchived = new HashSet<>();
    final Set<String> logsWithoutTeam = new HashSet<>();

    static Truth read(S3Client s3) {
      Truth truth = new Truth();
      // one page: S3Mock's paging loses entries (see MetadataRefresher), S3 would cap it at 1,000
      ListObjectVersionsResponse listing =
          s3.listObjectVersions(b -> b.bucket(BUCKET).maxKeys(100_000));
      assertThat(listing.isTruncated()).isFalse();
      for (DeleteMarkerEntry marker : listing.deleteMarkers()) {
        if (marker.key().startsWith("camera/")) {
          truth.cameraDeleteMarkers.add(marker.key() + "@" + marker.versionId());
        }
      }
      for (ObjectVersion version : listing.versions()) {
        if (!version.isLatest()) {
          continue;
        }
        String key = version.key();
        String id = key + "@" + version.versionId();
        HeadObjectResponse head =
            s3.headObject(b -> b.bucket(BUCKET).key(key).versionId(version.versionId()));
        String storageClass =
            head.storageClassAsString() == null ? "STANDARD" : head.storageClassAsString();
        boolean archived = ARCHIVED.contains(storageClass);
        if (!archived && head.serverSideEncryption() != ServerSideEncryption.AWS_KMS) {
          truth.notKmsNotArchived.add(key);
        }
        if (archived && head.metadata().getOrDefault("ami-name", "").contains("AwsBackup")) {
          truth.awsBackupAmisArchived.add(id);
        }
        if (key.startsWith("logs/")
            && s3
                .getObjectTagging(b -> b.bucket(BUCKET).key(key).versionId(version.versionId()))
                .tagSet()
                .stream()
                .noneMatch(t -> t.key().equals("team"))) {
          truth.logsWithoutTeam.add(key);
        }
        if (archived && key.startsWith("camera/")) {
          Map<String, String> tags = new HashMap<>();
          s3.getObjectTagging(b -> b.bucket(BUCKET).key(key).versionId(version.versionId()))
              .tagSet()
              .forEach(t -> tags.put(t.key(), t.value()));
          if ("rain".equals(tags.get("weather")) && "training".equals(tags.get("category"))) {
            truth.rainyTrainingArchived.add(id);
          }
        }
      }
      return truth;
    }
  }
}
