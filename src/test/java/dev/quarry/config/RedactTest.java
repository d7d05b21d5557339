package dev.quarry.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RedactTest {
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "http://user:secret@127.0.0.1:9090 | http://***@127.0.0.1:9090",
        "https://AKIAEXAMPLE:s%40cr%2Ft@s3.example.com/base?x=1 |"
            + " https://***@s3.example.com/base?x=1",
        "http://token@[::1]:9000/ | http://***@[::1]:9000/",
        "http://127.0.0.1:9090 | http://127.0.0.1:9090",
        "HTTP://u:p@host | HTTP://***@host",
      })
  void anEndpointLosesItsUserInfoAndKeepsTheRest(String endpoint, String shown) {
    assertThat(Redact.endpoint(URI.create(endpoint))).isEqualTo(shown);
  }

  @Test
  void everyUrlInAMessageIsMaskedAndTheRestOfTheMessageKept() {
    // given
    String message =
        "cannot reach http://alice:pw1@10.0.0.1:9000 (tried https://bob:pw2@10.0.0.2/x);"
            + " mail bob@example.com";

    // when
    String shown = Redact.text(message);

    // then
    assertThat(shown)
        .isEqualTo(
            "cannot reach http://***@10.0.0.1:9000 (tried https://***@10.0.0.2/x);"
                + " mail bob@example.com")
        .doesNotContain("pw1", "pw2", "alice");
  }

  @Test
  void aSecretKeyWithASlashIsMaskedWhole() {
    // an AWS secret key often holds a '/', typed into the URL as it is
    assertThat(Redact.endpoint("http://AKIAEXAMPLE:wJalr/XUtnFEMI/K7MDENG@127.0.0.1:9000"))
        .isEqualTo("http://***@127.0.0.1:9000");
    assertThat(Redact.text("cannot reach http://AKIAEXAMPLE:wJalr/XUtn@127.0.0.1:9000/b: refused"))
        .isEqualTo("cannot reach http://***@127.0.0.1:9000/b: refused");
    assertThat(Redact.text("http://127.0.0.1:9000/bucket/key and mail to ops@example.com"))
        .isEqualTo("http://127.0.0.1:9000/bucket/key and mail to ops@example.com");
  }

  @Test
  void aUrlThatDoesNotParseIsMaskedToo() {
    assertThat(Redact.endpoint("http://u:p w@ host")).isEqualTo("http://***@ host");
    assertThat(Redact.text("S3 endpoint 'http://u:secret@host:port:1' is not a URL"))
        .isEqualTo("S3 endpoint 'http://***@host:port:1' is not a URL");
  }

  @Test
  void nullAndTextWithoutUrlsStayAsTheyAre() {
    assertThat(Redact.text(null)).isNull();
    assertThat(Redact.endpoint((URI) null)).isNull();
    assertThat(Redact.endpoint("aws")).isEqualTo("aws");
    assertThat(Redact.text("aws")).isEqualTo("aws");
  }
}
