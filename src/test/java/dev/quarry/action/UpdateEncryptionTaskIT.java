package dev.quarry.action;

import static dev.quarry.action.ActionTaskFixtures.read;
import static dev.quarry.action.ActionTaskFixtures.row;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.sandbox.LocalS3Server;
import dev.quarry.sandbox.S3MockServer;
import dev.quarry.testing.S3Servers;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * The local task of a reencrypt with method update-encryption against the sandbox's servers,
 * neither of which implements UpdateObjectEncryption: the task fails with a clear message and the
 * object stays exactly as it was (moto would otherwise store the request's XML as the object).
 */
class UpdateEncryptionTaskIT {
  static Stream<LocalS3Server> servers() {
    return Stream.of(S3Servers.moto(), S3Servers.s3mock());
  }

  @ParameterizedTest(autoCloseArguments = false)
  @MethodSource("servers")
  void aServerWithoutUpdateObjectEncryptionFailsTheTaskAndKeepsTheObject(LocalS3Server server) {
    // given an SSE-S3 object
    S3Client s3 = S3Servers.client(server);
    String bucket = S3Servers.createVersionedBucket(s3, "update-encryption");
    String version =
        s3.putObject(
                b ->
                    b.bucket(bucket)
                        .key("docs/report.csv")
                        .serverSideEncryption(ServerSideEncryption.AES256),
                RequestBody.fromString("a,b\n1,2\n"))
            .versionId();
    HeadObjectResponse before = s3.headObject(b -> b.bucket(bucket).key("docs/report.csv"));
    LocalTask task =
        new ReencryptAction(
                ReencryptAction.KMS,
                S3MockServer.DEMO_KMS_KEY_ARN,
                true,
                null,
                ReencryptAction.Method.UPDATE_ENCRYPTION)
            .localTask(s3);

    // when
    TaskOutcome outcome = task.run(row(bucket, "docs/report.csv", null));

    // then: a failure that says why, never a copy in its place
    assertThat(outcome.status()).isEqualTo(TaskOutcome.Status.FAILED);
    assertThat(outcome.message())
        .contains("does not implement UpdateObjectEncryption")
        .contains("nothing was changed")
        .contains("method: copy");
    HeadObjectResponse after = s3.headObject(b -> b.bucket(bucket).key("docs/report.csv"));
    assertThat(after.versionId()).isEqualTo(version);
    assertThat(after.eTag()).isEqualTo(before.eTag());
    assertThat(after.serverSideEncryption()).isEqualTo(ServerSideEncryption.AES256);
    assertThat(read(s3, bucket, "docs/report.csv")).isEqualTo("a,b\n1,2\n");
  }
}
