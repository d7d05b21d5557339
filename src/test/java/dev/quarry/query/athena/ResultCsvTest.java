package dev.quarry.query.athena;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.error.ErrorKind;
import dev.quarry.error.QuarryException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResultCsvTest {
  private static ResultCsv csv(String text) {
    return new ResultCsv(
        new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "s3://r/q.csv");
  }

  private static List<List<String>> rows(ResultCsv csv) {
    List<List<String>> rows = new ArrayList<>();
    for (List<String> row = csv.next(); row != null; row = csv.next()) {
      rows.add(row);
    }
    return rows;
  }

  @Test
  void athenasQuotingRoundTrips() {
    // given: Athena quotes every value, doubles inner quotes, writes NULL as nothing
    String file =
        "\"bucket\",\"key\",\"version_id\"\n"
            + "\"b\",\"a,b\",\"v1\"\n"
            + "\"b\",\"say \"\"hi\"\"\",\n"
            + "\"b\",\"line\nbreak\r\nand crlf\",\"\"\n"
            + "\"b\",\"ünï 🚀\",\"v2\"\n";

    // when
    ResultCsv csv = csv(file);

    // then
    assertThat(csv.header()).containsExactly("bucket", "key", "version_id");
    assertThat(rows(csv))
        .containsExactly(
            List.of("b", "a,b", "v1"),
            Arrays.asList("b", "say \"hi\"", null),
            List.of("b", "line\nbreak\r\nand crlf", ""),
            List.of("b", "ünï 🚀", "v2"));
  }

  @Test
  void aOneColumnNullIsAnEmptyLine() {
    assertThat(rows(csv("\"x\"\n\n\"a\"\n")))
        .containsExactly(Arrays.asList((String) null), List.of("a"));
  }

  @Test
  void anEmptyFileHasNoColumnsAndNoRows() {
    ResultCsv csv = csv("");
    assertThat(csv.header()).isEmpty();
    assertThat(csv.next()).isNull();
  }

  @Test
  void aBrokenFileIsAnExternalError() {
    ResultCsv csv = csv("\"key\"\n\"a\"b\"\n");
    assertThatThrownBy(csv::next)
        .isInstanceOf(QuarryException.class)
        .satisfies(e -> assertThat(((QuarryException) e).kind()).isEqualTo(ErrorKind.EXTERNAL))
        .hasMessageStartingWith("cannot read the Athena result s3://r/q.csv after record 1");
  }
}
