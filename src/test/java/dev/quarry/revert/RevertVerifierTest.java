package dev.quarry.revert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.revert.RevertVerifier.Attributes;
import dev.quarry.revert.RevertVerifier.Expected;
import dev.quarry.revert.RevertVerifier.Match;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * How a key's version at T and its current version compare when a revert copied the one back onto
 * the other: a copy keeps the ETag only where it is the content's MD5.
 */
class RevertVerifierTest {
  private static final String MD5_A = "0cc175b9c0f1b6a831c399e269772661";
  private static final String MD5_B = "92eb5ffee6ae2fec3ad71c777531578f";

  @Test
  void contentMd5sThatDifferAreADifferenceWithoutAskingForChecksums() {
    // given: SSE-S3 at T and now
    Expected atT = new Expected("v1", MD5_A, 1L, "SSE-S3");
    Map<String, Attributes> server = Map.of("v2", new Attributes("SSE-S3", Map.of()));

    // when / then
    assertThat(RevertVerifier.compare(atT, "v2", MD5_B, 1L, server::get))
        .isEqualTo(Match.DIFFERENT);
    assertThat(RevertVerifier.compare(atT, "v2", MD5_A, 1L, id -> null)).isEqualTo(Match.SAME);
  }

  @Test
  void anSseKmsCopyBackOfEqualContentIsTheSameByItsFullObjectChecksum() {
    // given: an SSE-KMS version at T copied back in place: a new ETag, the same CRC64NVME
    Expected atT = new Expected("v1", "a1b2c3d4e5f60718293a4b5c6d7e8f90", 5L, "SSE-KMS");
    Map<String, Attributes> server =
        Map.of(
            "v1", new Attributes("SSE-KMS", Map.of("CRC64NVME", "M3eFcAZSQlc=")),
            "v3", new Attributes("SSE-KMS", Map.of("CRC64NVME", "M3eFcAZSQlc=")),
            "v4", new Attributes("SSE-KMS", Map.of("CRC64NVME", "AAAAAAAAAAA=")));

    // when / then
    assertThat(
            RevertVerifier.compare(atT, "v3", "ffffffffffffffffffffffffffffffff", 5L, server::get))
        .isEqualTo(Match.SAME);
    assertThat(
            RevertVerifier.compare(atT, "v4", "ffffffffffffffffffffffffffffffff", 5L, server::get))
        .isEqualTo(Match.DIFFERENT);
  }

  @Test
  void aMultipartVersionWithoutChecksumsIsComparedBySizeOnly() {
    // given: a multipart upload at T (its ETag names its parts), copied back as one part
    Expected atT = new Expected("v1", MD5_A + "-3", 20_000_000L, null);
    Map<String, Attributes> server =
        Map.of("v1", new Attributes("none", Map.of()), "v2", new Attributes("none", Map.of()));

    // when / then: equal sizes are all that can be said; other sizes are a difference
    assertThat(RevertVerifier.compare(atT, "v2", MD5_B, 20_000_000L, server::get))
        .isEqualTo(Match.SAME_SIZE);
    assertThat(RevertVerifier.compare(atT, "v2", MD5_B, 19_999_999L, server::get))
        .isEqualTo(Match.DIFFERENT);
  }

  @Test
  void aCurrentVersionTheServerDoesNotDescribeIsNotTakenForAContentMd5() {
    // given: an MD5-shaped ETag now, but HeadObject refused (SSE-C without its key)
    Expected atT = new Expected("v1", MD5_A, 1L, "SSE-S3");

    // when / then
    assertThat(RevertVerifier.compare(atT, "v2", MD5_B, 1L, id -> Attributes.UNKNOWN))
        .isEqualTo(Match.SAME_SIZE);
  }

  @Test
  void onlyASinglePartEtagOfAnObjectWithoutKmsOrSseCIsAContentMd5() {
    assertThat(RevertVerifier.isContentMd5(MD5_A, null)).isTrue();
    assertThat(RevertVerifier.isContentMd5(MD5_A, "SSE-S3")).isTrue();
    assertThat(RevertVerifier.isContentMd5(MD5_A, "SSE-KMS")).isFalse();
    assertThat(RevertVerifier.isContentMd5(MD5_A, "DSSE-KMS")).isFalse();
    assertThat(RevertVerifier.isContentMd5(MD5_A, "SSE-C")).isFalse();
    assertThat(RevertVerifier.isContentMd5(MD5_A + "-2", null)).isFalse();
  }
}
