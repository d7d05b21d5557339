package dev.quarry.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.testing.S3Servers;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.StorageClass;

class LocalS3ServerIT {
  static Stream<LocalS3Server> servers() {
    return Stream.of(S3Servers.s3mock(), S3Servers.moto());
  }

  @ParameterizedTest(autoCloseArguments = false) // the servers are shared by the whole test JVM
  @MethodSource("servers")
  void servesVersionedBucketsOnLoopback(LocalS3Server server) {
    // given
    S3Client s3 = S3Servers.client(server);
    String bucket = S3Servers.createVersionedBucket(s3, "probe");

    // when
    s3.putObject(b -> b.bucket(bucket).key("a b+c.txt"), RequestBody.fromString("one"));
    s3.putObject(b -> b.bucket(bucket).key("a b+c.txt"), RequestBody.fromString("two"));

    // then
    assertThat(server.endpoint().getHost()).isEqualTo("127.0.0.1");
    assertThat(s3.listObjectVersions(b -> b.bucket(bucket)).versions())
        .extracting(v -> v.key())
        .containsExactly("a b+c.txt", "a b+c.txt");
  }

  @ParameterizedTest(autoCloseArguments = false)
  @MethodSource("servers")
  void answersTagReadsOfArchivedObjectsAsS3Does(LocalS3Server server) {
    // given objects in both archive tiers, tagged when written
    S3Client s3 = S3Servers.client(server);
    String bucket = S3Servers.createVersionedBucket(s3, "archived");
    for (StorageClass tier : new StorageClass[] {StorageClass.GLACIER, StorageClass.DEEP_ARCHIVE}) {
      s3.putObject(
          b -> b.bucket(bucket).key("cold/" + tier).storageClass(tier).tagging("weather=rain"),
          RequestBody.fromString("frame"));
    }

    // when their tags are read (S3 answers this for archived objects: only reading the data needs
    // a restore), then they are the tags written
    for (StorageClass tier : new StorageClass[] {StorageClass.GLACIER, StorageClass.DEEP_ARCHIVE}) {
      assertThat(s3.getObjectTagging(b -> b.bucket(bucket).key("cold/" + tier)).tagSet())
          .as(server.kind() + " " + tier)
          .extracting(t -> t.key() + "=" + t.value())
          .containsExactly("weather=rain");
    }
  }
}
