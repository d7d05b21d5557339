package dev.quarry.query.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.manifest.KeyCodec;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The engine's key-encoding macro, on a real DuckDB, against {@link KeyCodec}: the manifests both
 * write must agree byte for byte, whichever branch of the macro a key takes.
 */
class EncodeKeyMacroTest {
  @Test
  void encodesEveryKeyAsKeyCodecDoes() throws Exception {
    // given: hostile keys, keys of only the characters left bare, and their edges
    List<String> keys = new ArrayList<>(EmbeddedEngineTest.ODD_KEYS);
    keys.addAll(
        List.of(
            "",
            "/",
            "logs/app/2024/01/01/part-000000001.json.gz",
            "A-Z_a~z.0-9/",
            "k".repeat(1024),
            "%2F",
            "a/b%2Fc",
            "dir/ends with space ",
            "emoji-\uD83D\uDE00",
            "é",
            "cr\r",
            "star*",
            "paren(1)",
            "q?x=1&y=2",
            "semi;colon:at@",
            "back\\slash",
            "trailing-newline\n"));

    // when
    List<String> encoded = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement()) {
      s.execute(EmbeddedEngine.ENCODE_KEY_MACRO);
      try (PreparedStatement p = c.prepareStatement("SELECT quarry_encode_key(?)")) {
        for (String key : keys) {
          p.setString(1, key);
          try (ResultSet rs = p.executeQuery()) {
            rs.next();
            encoded.add(rs.getString(1));
          }
        }
      }
    }

    // then
    assertThat(encoded).isEqualTo(keys.stream().map(KeyCodec::encode).toList());
  }
}
