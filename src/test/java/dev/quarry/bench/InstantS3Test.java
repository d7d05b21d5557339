package dev.quarry.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.config.S3Clients;
import dev.quarry.testing.S3Servers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.EncodingType;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.Tag;

/** The benchmarks' instant endpoint answers the real SDK as S3 would, for what it answers. */
class InstantS3Test {
  @Test
  void theSdkTagsCopiesHeadsReadsTagsAndListsEveryVersionInPages() throws Exception {
    // given an endpoint of 2,500 versions
    try (InstantS3 server = InstantS3.start(2500);
        S3Client s3 = S3Clients.create(S3Servers.config(server.endpoint(), Path.of("unused")), 4)) {
      // when the SDK calls each operation the benchmarks use
      s3.putObjectTagging(
          b ->
              b.bucket("b")
                  .key("obj-000001")
                  .tagging(t -> t.tagSet(Tag.builder().key("k").value("v").build())));
      String copied =
          s3.copyObject(
                  b ->
                      b.sourceBucket("b")
                          .sourceKey("obj-000001")
                          .destinationBucket("b")
                          .destinationKey("obj-000001")
                          .copySourceIfMatch(InstantS3.ETAG))
              .copyObjectResult()
              .eTag();
      HeadObjectResponse head = s3.headObject(b -> b.bucket("b").key("obj-000001").versionId("v1"));
      List<Tag> tags = s3.getObjectTagging(b -> b.bucket("b").key("obj-000001")).tagSet();
      List<String> keys = new ArrayList<>();
      String marker = null;
      int pages = 0;
      do {
        String km = marker;
        ListObjectVersionsResponse page =
            s3.listObjectVersions(
                b -> b.bucket("b").keyMarker(km).encodingType(EncodingType.URL).maxKeys(100_000));
        page.versions().forEach(v -> keys.add(v.key()));
        marker = Boolean.TRUE.equals(page.isTruncated()) ? page.nextKeyMarker() : null;
        pages++;
      } while (marker != null);

      // then each is answered, and the listing pages by 1,000 as S3 does
      assertThat(copied).isEqualTo(InstantS3.ETAG);
      assertThat(head.eTag()).isEqualTo(InstantS3.ETAG);
      assertThat(head.versionId()).isEqualTo("v1");
      // the listed size, so that a refresh can tell the version unchanged
      assertThat(head.contentLength()).isEqualTo(InstantS3.size(1));
      assertThat(tags).extracting(Tag::key).containsExactly("team", "env");
      assertThat(keys).hasSize(2500).doesNotHaveDuplicates().startsWith("obj-000000");
      assertThat(pages).isEqualTo(3);
      assertThat(server.unknown()).isZero();

      // and what it does not answer fails loudly, and is counted
      assertThatThrownBy(() -> s3.deleteObject(b -> b.bucket("b").key("obj-000001")))
          .isInstanceOf(S3Exception.class)
          .satisfies(e -> assertThat(((S3Exception) e).statusCode()).isEqualTo(501));
      assertThat(server.unknown()).isEqualTo(1);
    }
  }
}
