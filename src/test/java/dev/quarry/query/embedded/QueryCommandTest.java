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
