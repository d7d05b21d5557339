package dev.quarry.action;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.quarry.action.ComputeChecksumAction.Type;
import dev.quarry.action.ObjectChecksum.Algorithm;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** The checksums the local compute-checksum task writes, against published check values. */
class ComputeChecksumActionTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource({
    // the CRC catalogue's check values (input "123456789") and the digests' well-known values
    "CRC32, cbf43926",
    "CRC32C, e3069283",
    "CRC64NVME, ae8b14860a799888",
    "MD5, 25f9e794323b453885f5181f1b624d0b",
    "SHA1, f7c3bc1d808e04732adf679965ccc34ca7ae3441",
    "SHA256, 15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225"
  })
  void eachAlgorithmGivesItsCheckValue(Algorithm algorithm, String hex) {
    // given
    byte[] input = "123456789".getBytes(StandardCharsets.US_ASCII);

    // when
    byte[] checksum = algorithm.of(input);

    // then
    assertThat(HexFormat.of().formatHex(checksum)).isEqualTo(hex);
  }

  @Test
  void aChecksumFedInPiecesEqualsTheOneOfTheWhole() {
    // given
    byte[] input = "the quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.UTF_8);

    // when
    ObjectChecksum.Running running = Algorithm.CRC64NVME.start();
    running.update(input, 0, 7);
    running.update(input, 7, input.length - 7);

    // then
    assertThat(running.finish()).isEqualTo(Algorithm.CRC64NVME.of(input));
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  void compositeIsRefusedOnlyForCrc64Nvme(Algorithm algorithm) {
    // when
    Throwable thrown = catchThrowable(() -> ComputeChecksumAction.of(algorithm, Type.COMPOSITE));

    // then
    if (algorithm == Algorithm.CRC64NVME) {
      assertThat(thrown)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("CRC64NVME has only FULL_OBJECT checksums");
    } else {
      assertThat(thrown).isNull();
    }
  }

  @Test
  void theChecksumTypeDefaultsToFullObjectAndTheOperationNamesBoth() {
    // when
    var operation = ComputeChecksumAction.of(Algorithm.CRC32C, null).jobOperation("b");

    // then
    assertThat(operation.s3ComputeObjectChecksum().checksumAlgorithmAsString()).isEqualTo("CRC32C");
    assertThat(operation.s3ComputeObjectChecksum().checksumTypeAsString()).isEqualTo("FULL_OBJECT");
  }
}
