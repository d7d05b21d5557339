package dev.quarry.job.s3control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.error.QuarryException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestUploadTest {
  static final long MIB = 1L << 20;

  @TempDir Path dir;

  @Test
  void partsGrowToTheWholeMebibyteThatKeepsAnUploadWithinTenThousandParts() {
    // given: 1 TiB in 16 MiB parts would be 65,536 parts
    long size = 1L << 40;

    // when
    long part = ManifestUpload.partSize(size, 16 * MIB);

    // then: 105 MiB parts, 9,987 of them
    assertThat(part).isEqualTo(105 * MIB);
    assertThat((size + part - 1) / part).isLessThanOrEqualTo(10_000);
    assertThat(ManifestUpload.partSize(200 * MIB, 16 * MIB)).isEqualTo(16 * MIB);
  }

  @Test
  void aManifestBeyondS3sLargestObjectIsRefusedAndOneOfItsSizeFitsTenThousandParts() {
    long fiveTib = 5L << 40;
    assertThat(ManifestUpload.partSize(fiveTib, 16 * MIB)).isEqualTo(525 * MIB);
    assertThatThrownBy(() -> ManifestUpload.partSize(fiveTib + 1, 16 * MIB))
        .isInstanceOf(QuarryException.class)
        .hasMessageContaining("more than 5 TiB, S3's largest object");
  }

  @Test
  void theMultipartEtagIsTheMd5OfThePartsMd5sAndTheirCount() throws Exception {
    // given: 5 MiB and one byte, in 5 MiB parts
    byte[] bytes = new byte[(int) (5 * MIB) + 1];
    java.util.Arrays.fill(bytes, (byte) 'a');
    Path file = Files.write(dir.resolve("m.csv"), bytes);

    // when
    String etag = ManifestUpload.multipartEtag(file, 5 * MIB);

    // then
    MessageDigest whole = MessageDigest.getInstance("MD5");
    whole.update(
        MessageDigest.getInstance("MD5").digest(java.util.Arrays.copyOf(bytes, bytes.length - 1)));
    whole.update(MessageDigest.getInstance("MD5").digest("a".getBytes(StandardCharsets.US_ASCII)));
    assertThat(etag).isEqualTo(HexFormat.of().formatHex(whole.digest()) + "-2");
  }

  @Test
  void partsSmallerThanFiveMebibytesAreRefused() {
    assertThatThrownBy(() -> new ManifestUpload.Limits(0, MIB, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("5 MiB");
  }
}
