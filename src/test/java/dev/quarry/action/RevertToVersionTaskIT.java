package dev.quarry.action;

import static dev.quarry.action.ActionTaskFixtures.read;
import static dev.quarry.action.ActionTaskFixtures.row;
import static dev.quarry.action.ActionTaskFixtures.tags;
import static dev.quarry.action.ActionTaskFixtures.versionIds;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.action.TaskOutcome.Status;
import dev.quarry.testing.S3Servers;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * revert-to-version against moto. S3Mock cannot show a revert: it refuses a copy of an older
 * version onto its own key (see {@link #s3MockRefusesTheCopyAndNothingChanges}).
 */
class RevertToVersionTaskIT {
  @Test
  void theOlderVersionBecomesCurrentWithItsMetadataAndTags() {
    // given
    S3Client s3 = S3Servers.client(S3Servers.moto());
    String bucket = S3Servers.createVersionedBucket(s3, "revert");
    String older = put(s3, bucket, "config.json", "{\"v\":1}", "1");
    String newer = put(s3, bucket, "config.json", "{\"v\":2}", "2");

    // when
    TaskOutcome outcome =
        new RevertToVersionAction().localTask(s3).run(row(bucket, "config.json", older));

    // then
    assertThat(outcome.status()).isEqualTo(Status.SUCCEEDED);
    assertThat(outcome.message()).startsWith("version " + older + " copied in place as ");
    assertThat(read(s3, bucket, "config.json")).isEqualTo("{\"v\":1}");
    assertThat(s3.headObject(b -> b.bucket(bucket).key("config.json")).metadata())
        .isEqualTo(Map.of("generation", "1"));
    assertThat(tags(s3, bucket, "config.json")).isEqualTo(Map.of("generation", "1"));
    List<String> versions = versionIds(s3, bucket, "config.json");
    assertThat(versions).hasSize(3).endsWith(newer, older);
  }

  @Test
  void aMissingVersionFailsWithNoSuchVersion() {
    // given
    S3Client s3 = S3Servers.client(S3Servers.moto());
    String bucket = S3Servers.createVersionedBucket(s3, "revert");
    String only = put(s3, bucket, "config.json", "{}", "1");

    // when
    TaskOutcome outcome =
        new RevertToVersionAction()
            .localTask(s3)
            .run(row(bucket, "config.json", "3sL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY"));

    // then
    assertThat(outcome.status()).isEqualTo(Status.FAILED);
    assertThat(outcome.errorCode()).isEqualTo("NoSuchVersion");
    assertThat(outcome.httpStatus()).isEqualTo(404);
    assertThat(versionIds(s3, bucket, "config.json")).containsExactly(only);
  }

  @Test
  void aRowWithoutVersionFailsAndCopiesNothing() {
    // given
    S3Client s3 = S3Servers.client(S3Servers.moto());
    String bucket = S3Servers.createVersionedBucket(s3, "revert");
    String only = put(s3, bucket, "config.json", "{}", "1");

    // when
    TaskOutcome outcome =
        new RevertToVersionAction().localTask(s3).run(row(bucket, "config.json", null));

    // then
    assertThat(outcome.status()).isEqualTo(Status.FAILED);
    assertThat(outcome.errorCode()).isEqualTo("MissingVersionId");
    assertThat(versionIds(s3, bucket, "config.json")).containsExactly(only);
  }

  @Test
  void s3MockRefusesTheCopyAndNothingChanges() {
    // given
    S3Client s3 = S3Servers.client(S3Servers.s3mock());
    String bucket = S3Servers.createVersionedBucket(s3, "revert");
    String older = put(s3, bucket, "config.json", "{\"v\":1}", "1");
    put(s3, bucket, "config.json", "{\"v\":2}", "2");

    // when
    TaskOutcome outcome =
        new RevertToVersionAction().localTask(s3).run(row(bucket, "config.json", older));

    // then S3Mock ignores the source version and sees a copy onto itself (AWS accepts it)
    assertThat(outcome.status()).isEqualTo(Status.FAILED);
    assertThat(outcome.errorCode()).isEqualTo("InvalidRequest");
    assertThat(outcome.httpStatus()).isEqualTo(400);
    assertThat(read(s3, bucket, "config.json")).isEqualTo("{\"v\":2}");
  }

  private static String put(
      S3Client s3, String bucket, String key, String content, String generation) {
    return s3.putObject(
            b ->
                b.bucket(bucket)
                    .key(key)
                    .metadata(Map.of("generation", generation))
                    .tagging("generation=" + generation),
            RequestBody.fromString(content))
        .versionId();
  }
}
