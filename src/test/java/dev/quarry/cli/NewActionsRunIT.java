package dev.quarry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.sandbox.LocalS3Server;
import dev.quarry.testing.QuarryCli;
import dev.quarry.testing.S3Servers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ReplicationRule;
import software.amazon.awssdk.services.s3.model.ReplicationRuleStatus;

/**
 * The two newest actions end to end on moto, as a user runs them: {@code metadata refresh}, then
 * {@code quarry run} of a playbook through the local executor, checked against the server and the
 * completion report.
 */
class NewActionsRunIT {
  @TempDir Path dir;

  private final LocalS3Server server = S3Servers.moto();
  private final S3Client s3 = S3Servers.client(server);

  @Test
  void computeChecksumPutsEachObjectsSha256InTheCompletionReport() throws Exception {
    // given
    String bucket = S3Servers.createVersionedBucket(s3, "archive");
    put(bucket, "archive/2019.tar", "the year 2019");
    put(bucket, "archive/2020 q1.tar", "the year 2020");
    QuarryCli quarry = new QuarryCli(server.endpoint(), dir, Map.of());
    assertThat(quarry.run("metadata", "refresh", "--bucket", bucket).code()).isZero();
    Path playbook =
        Files.writeString(
            dir.resolve("checksum.yaml"),
            """
            name: checksum-archive
            query: SELECT bucket, key, version_id FROM "b_%s"."inventory" WHERE NOT is_delete_marker
            action: { type: compute-checksum, algorithm: SHA256, checksum-type: FULL_OBJECT }
            report: { scope: all }
            """
                .formatted(bucket));

    // when
    QuarryCli.Result run = quarry.run("run", playbook.toString(), "--yes");

    // then: both tasks succeeded and the report rows carry the checksums S3 would compute
    assertThat(run.code()).as(run.err()).isZero();
    String reports = reportText(quarry.manifests());
    assertThat(reports).contains(sha256("the year 2019"), sha256("the year 2020"));
  }

  @Test
  void replicateCopiesEachVersionToTheDestinationItsRuleNames() throws Exception {
    // given: a versioned source whose rule sends models/ to a versioned backup bucket
    String source = S3Servers.createVersionedBucket(s3, "models");
    String backup = S3Servers.createVersionedBucket(s3, "backup");
    s3.putBucketReplication(
        b ->
            b.bucket(source)
                .replicationConfiguration(
                    c ->
                        c.role("arn:aws:iam::111122223333:role/replication")
                            .rules(
                                ReplicationRule.builder()
                                    .id("models")
                                    .priority(1)
                                    .status(ReplicationRuleStatus.ENABLED)
                                    .filter(f -> f.prefix("models/"))
                                    .deleteMarkerReplication(d -> d.status("Disabled"))
                                    .destination(d -> d.bucket("arn:aws:s3:::" + backup))
                                    .build())));
    put(source, "models/cnn.bin", "weights");
    put(source, "models/rnn v2.bin", "more weights");
    QuarryCli quarry = new QuarryCli(server.endpoint(), dir, Map.of());
    assertThat(quarry.run("metadata", "refresh", "--bucket", source).code()).isZero();
    Path playbook =
        Files.writeString(
            dir.resolve("replicate.yaml"),
            """
            name: replicate-models
            query: SELECT bucket, key, version_id FROM "b_%s"."inventory" WHERE NOT is_delete_marker
            action: { type: replicate }
            """
                .formatted(source));

    // when
    QuarryCli.Result run = quarry.run("run", playbook.toString(), "--yes");

    // then
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(read(backup, "models/cnn.bin")).isEqualTo("weights");
    assertThat(read(backup, "models/rnn v2.bin")).isEqualTo("more weights");
  }

  private void put(String bucket, String key, String content) {
    s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(content));
  }

  private String read(String bucket, String key) {
    return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asUtf8String();
  }

  private static String sha256(String content) throws Exception {
    return Base64.getEncoder()
        .encodeToString(
            MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.UTF_8)));
  }

  /** Every completion report file the run wrote, as one text. */
  private static String reportText(Path manifests) throws Exception {
    StringBuilder text = new StringBuilder();
    try (Stream<Path> files = Files.walk(manifests.getParent())) {
      List<Path> reports =
          files
              .filter(Files::isRegularFile)
              .filter(f -> f.toString().contains("results") && f.toString().endsWith(".csv"))
              .toList();
      for (Path report : reports) {
        text.append(Files.readString(report));
      }
    }
    return text.toString();
  }
}
