package dev.quarry.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class KeyCodecProperties {
  @Property(tries = 500)
  void roundTripsAnyKey(@ForAll("keys") String key) {
    String encoded = KeyCodec.encode(key);

    assertThat(KeyCodec.decode(encoded)).isEqualTo(key);
    // nothing a CSV reader or AWS could misread survives encoding
    assertThat(encoded).doesNotContain(",", "\"", " ", "+", "\n", "\r");
  }

  @Provide
  Arbitrary<String> keys() {
    // S3 keys are up to 1,024 bytes of UTF-8; include the characters that break naive encoders
    Arbitrary<String> odd =
        Arbitraries.strings()
            .withChars(" +%,\"'/\\~é漢😀\t\u0001")
            .withCharRange('a', 'z')
            .ofMinLength(1)
            .ofMaxLength(300);
    Arbitrary<String> anyUnicode =
        Arbitraries.strings()
            .all()
            .ofMinLength(1)
            .ofMaxLength(200)
            .filter(KeyCodecProperties::wellFormed);
    // withChars splits the emoji into lone surrogates; S3 keys are well-formed UTF-8, so drop those
    return Arbitraries.oneOf(odd, anyUnicode)
        .filter(KeyCodecProperties::wellFormed)
        .filter(k -> k.getBytes(StandardCharsets.UTF_8).length <= 1024);
  }

  private static boolean wellFormed(String s) {
    return StandardCharsets.UTF_8.newEncoder().canEncode(s);
  }
}
