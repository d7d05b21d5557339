package dev.quarry.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class KeyCodecTest {
  @Test
  void encodesLikeAwsExamplesKeepingSlashes() {
    assertThat(KeyCodec.encode("photos/2026/my cat.jpg")).isEqualTo("photos/2026/my%20cat.jpg");
  }

  @Test
  void neverWritesABarePlus() {
    assertThat(KeyCodec.encode("a+b")).isEqualTo("a%2Bb");
  }

  @Test
  void encodesReservedAndNonAsciiAsUtf8Bytes() {
    assertThat(KeyCodec.encode("100%,\"q\"'naïve~_-.txt"))
        .isEqualTo("100%25%2C%22q%22%27na%C3%AFve~_-.txt");
  }

  @Test
  void decodesPlusAsItself() {
    assertThat(KeyCodec.decode("a+b%20c")).isEqualTo("a+b c");
  }

  @Test
  void decodesCharactersLeftUnescapedIncludingOnesOutsideTheBmp() {
    assertThat(KeyCodec.decode("snaps/\uD83D\uDCF7 na\u00efve%20x.jpg"))
        .isEqualTo("snaps/\uD83D\uDCF7 na\u00efve x.jpg");
  }

  @Test
  void rejectsMalformedEscapes() {
    assertThatThrownBy(() -> KeyCodec.decode("abc%2")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> KeyCodec.decode("abc%zz"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> KeyCodec.decode("%C3%28"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
