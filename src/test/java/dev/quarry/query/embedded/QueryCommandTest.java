package dev.quarry.query.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.cli.CliContext;
import dev.quarry.cli.Json;
import dev.quarry.cli.QuarryCommand;
import dev.quarry.testing.TestWarehouse;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code quarry query} end to end, over a real warehouse in a state directory. */
class QueryCommandTest {
  @TempDir static Path state;

  @BeforeAll
  static void warehouse() throws Exception {
    try (TestWarehouse tables = new TestWarehouse(state.resolve("warehouse"))) {
      tables.inventory(
          "b_starwatcher",
          "SELECT * FROM (VALUES ('starwatcher', 'a, \"b\".jpg', 10, 'GLACIER'),"
              + " ('starwatcher', 'c.jpg', 20, 'STANDARD'), ('starwatcher', 'd.jpg', 30,"
              + " 'GLACIER')) AS t(bucket, key, size, storage_class)");
    }
  }

  record Run(int code, String out, String err) {}

  private static Run quarry(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CliContext context =
        new CliContext(Map.of(), new PrintWriter(out), new PrintWriter(err), false);
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--state-dir");
    all.add(state.toString());
    int code = QuarryCommand.execute(context, all.toArray(String[]::new));
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void printsAnAlignedTable() {
    Run run =
        quarry(
            "query",
            "--param",
            "class=GLACIER",
            "SELECT key, size FROM inventory WHERE storage_class = :class ORDER BY size");
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.out())
        .isEqualTo(
            """
            key        | size
            ---------- | ----
            a, "b".jpg | 10
            d.jpg      | 30
            (2 rows)
            """);
  }

  @Test
  void stopsAtMaxRows() {
    Run run = quarry("query", "--max-rows", "1", "SELECT key FROM inventory ORDER BY key");
    assertThat(run.out())
        .contains("a, \"b\".jpg")
        .doesNotContain("c.jpg")
        .contains("more not shown");
  }

  @Test
  void csvCellsThatASpreadsheetWouldRunAreEscapedAndJsonKeepsThemRaw() throws Exception {
    // given: keys as an attacker names them, a negative number, a harmless key
    String sql =
        "SELECT * FROM (VALUES ('=HYPERLINK(\"http://x\")', -5), ('+1', 1), ('-2', 2), ('@SUM(A1)',"
            + " 3), (chr(9) || 'tab', 4), (chr(13) || 'cr', 5), ('plain', 6)) t(key, n)";

    // when
    Run csv = quarry("query", "-o", "csv", sql);
    Run json = quarry("query", "-o", "json", sql);

    // then: quoted, with a leading quote mark; numbers and plain text as before
    assertThat(csv.code()).isZero();
    assertThat(csv.out())
        .isEqualTo(
            "key,n\r\n"
                + "\"'=HYPERLINK(\"\"http://x\"\")\",-5\r\n"
                + "\"'+1\",1\r\n"
                + "\"'-2\",2\r\n"
                + "\"'@SUM(A1)\",3\r\n"
                + "\"'\ttab\",4\r\n"
                + "\"'\rcr\",5\r\n"
                + "plain,6\r\n");
    assertThat(json.out()).contains("\"=HYPERLINK(\\\"http://x\\\")\"").contains("\"\\ttab\"");
  }

  @Test
  void textShowsBidiAndControlCharactersInKeysEscapedAndJsonAndCsvKeepThem() throws Exception {
    // given: a key that a right-to-left override makes read "gpj.exe" backwards
    String sql =
        "SELECT 'invoice' || chr(8238) || 'gpj.exe' || chr(8203) || chr(27) || '[2J' AS key";

    // when
    Run text = quarry("query", sql);
    Run csv = quarry("query", "-o", "csv", sql);
    Run json = quarry("query", "-o", "json", sql);

    // then
    assertThat(text.out()).contains("invoice\\u202egpj.exe\\u200b\\u001b[2J");
    assertThat(text.out()).doesNotContain("\u202e").doesNotContain("\u001b");
    assertThat(csv.out()).contains("invoice\u202egpj.exe\u200b\u001b[2J");
    assertThat(json.out()).contains("invoice\u202egpj.exe\u200b\\u001B[2J");
  }

  @Test
  void printsJsonAndCsv() throws Exception {
    Run json =
        quarry(
            "query",
            "-o",
            "json",
            "--bucket",
            "starwatcher",
            "--param",
            "min:integer=15",
            "SELECT key, size FROM inventory WHERE size > :min ORDER BY key");
    assertThat(json.code()).as(json.err()).isZero();
    JsonNode rows = Json.MAPPER.readTree(json.out());
    assertThat(rows).hasSize(2);
    assertThat(rows.get(0).get("key").asText()).isEqualTo("c.jpg");
    assertThat(rows.get(0).get("size").asLong()).isEqualTo(20);

    Run csv = quarry("query", "-o", "csv", "SELECT key, size FROM inventory ORDER BY key");
    assertThat(csv.out())
        .isEqualTo("key,size\r\n\"a, \"\"b\"\".jpg\",10\r\nc.jpg,20\r\nd.jpg,30\r\n");
  }

  @Test
  void userErrorsExitWithTwo() {
    Run refused = quarry("query", "SELECT format('%s', key) FROM inventory");
    assertThat(refused.code()).isEqualTo(2);
    assertThat(refused.err()).contains("format()");

    Run missing = quarry("query", "SELECT key FROM inventory WHERE key = :k");
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err()).contains(":k");

    Run badBucket = quarry("query", "--bucket", "nope", "SELECT 1");
    assertThat(badBucket.code()).isEqualTo(2);
    assertThat(badBucket.err()).contains("'nope'").contains("b_starwatcher");
  }

  @Test
  void helpShowsAnExample() {
    Run help = quarry("query", "--help");
    assertThat(help.out()).contains("Example:").contains("--param").contains("--max-rows");
  }
}
