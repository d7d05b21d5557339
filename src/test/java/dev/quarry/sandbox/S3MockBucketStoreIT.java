package dev.quarry.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.testing.S3Servers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The sandbox's S3Mock runs Quarry's BucketStore (kept in memory, written through), not S3Mock's
 * own, which re-parses {@code bucketMetadata.json} on every request.
 */
class S3MockBucketStoreIT {
  @Test
  void servesKeysFromMemoryAndStillWritesEveryChangeToDisk(@TempDir Path dir) throws Exception {
    // given a versioned bucket with two versions of one key
    Path store = dir.resolve("store");
    S3MockServer server = S3MockServer.start(store, dir.resolve("s3mock.log"));
    String bucket;
    try {
      S3Client s3 = S3Servers.client(server);
      bucket = S3Servers.createVersionedBucket(s3, "shadow");
      s3.putObject(b -> b.bucket(bucket).key("a b+c.txt"), RequestBody.fromString("one"));
      s3.putObject(b -> b.bucket(bucket).key("a b+c.txt"), RequestBody.fromString("two"));
      Path metadata = store.resolve(bucket).resolve("bucketMetadata.json");
      String written = Files.readString(metadata);

      // when the file is damaged under the running server
      Files.writeString(metadata, "not json", StandardCharsets.UTF_8);

      // then requests are answered from memory (S3Mock's own class fails to parse the file)
      assertThat(s3.headObject(b -> b.bucket(bucket).key("a b+c.txt")).contentLength())
          .isEqualTo(3);

      // and a new key writes the whole metadata through to disk again
      s3.putObject(b -> b.bucket(bucket).key("second"), RequestBody.fromString("x"));
      assertThat(Files.readString(metadata))
          .startsWith(written.substring(0, written.indexOf("\"objects\"")))
          .contains("\"a b+c.txt\"", "\"second\"");
    } finally {
      server.stop();
    }

    // and S3Mock restarted over the same root sees every key and version
    S3MockServer restarted = S3MockServer.start(store, dir.resolve("s3mock-2.log"));
    try {
      S3Client s3 = S3Servers.client(restarted);
      assertThat(s3.listObjectVersions(b -> b.bucket(bucket)).versions())
          .extracting(v -> v.key())
          .containsExactlyInAnyOrder("a b+c.txt", "a b+c.txt", "second");
    } finally {
      restarted.stop();
    }
  }
}
