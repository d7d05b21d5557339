package dev.quarry.playbook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.error.Problem;
import dev.quarry.query.BoundQuery;
import dev.quarry.testing.FakeQueryEngine;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlaybookValidatorTest {
  private static final Path FILE = Path.of("revert.yaml");

  private static LoadResult load(String yaml) {
    LoadResult result = new PlaybookLoader().load(FILE, yaml);
    assertThat(result.problems()).isEmpty();
    return result;
  }

  private static final String REVERT =
      """
      name: revert
      description: bring back yesterday's versions
      query: |
        SELECT bucket, key
        FROM journal
      action: { type: revert-to-version }
      limits: { max-objects: 10 }
      """;

  @Test
  void aQueryWithoutTheVersionItsActionNeedsIsReportedAtTheQuery() {
    // given
    LoadResult loaded = load(REVERT);
    FakeQueryEngine engine = FakeQueryEngine.returning("bucket", "key");

    // when
    List<Problem> problems = PlaybookValidator.checkColumns(loaded, engine);

    // then
    assertThat(problems)
        .containsExactly(
            new Problem(
                "revert.yaml",
                3,
                1,
                "query",
                "the query must return bucket, key, version_id (action 'revert-to-version' acts on"
                    + " exact versions, so it needs version_id); missing: version_id; it returns:"
                    + " bucket, key"));
  }

  @Test
  void aQueryWithoutKeyIsReported() {
    // given
    LoadResult loaded =
        load(
            """
            name: tag
            query: SELECT bucket, object_key FROM inventory
            action: { type: delete-tags }
            """);

    // when
    List<Problem> problems =
        PlaybookValidator.checkColumns(loaded, FakeQueryEngine.returning("bucket", "object_key"));

    // then
    assertThat(problems)
        .containsExactly(
            new Problem(
                "revert.yaml",
                2,
                1,
                "query",
                "the query must return bucket, key; missing: key; it returns: bucket,"
                    + " object_key"));
  }

  @Test
  void theRequiredColumnsInAnyCaseAndInAnyOrderPass() {
    // given
    LoadResult loaded = load(REVERT);

    // when
    List<Problem> problems =
        PlaybookValidator.checkColumns(
            loaded, FakeQueryEngine.returning("VERSION_ID", "size", "Key", "bucket"));

    // then
    assertThat(problems).isEmpty();
  }

  @Test
  void sqlTheEngineRefusesIsAProblemAtTheQuery() {
    // given
    LoadResult loaded = load(REVERT);

    // when
    List<Problem> problems =
        PlaybookValidator.checkColumns(
            loaded, FakeQueryEngine.refusing("Table 'journal' does not exist"));

    // then
    assertThat(problems)
        .containsExactly(
            new Problem(
                "revert.yaml",
                3,
                1,
                "query",
                "the query does not run: Table 'journal' does not exist"));
  }

  @Test
  void parametersAreBoundToTheirDefaultOrAPlaceholderOfTheirType() {
    // given
    LoadResult loaded =
        load(
            """
            name: typed
            query: SELECT bucket, key FROM t WHERE a = :a AND b >= :b AND c = :c
            parameters:
              a: { type: string, default: rain }
              b: { type: timestamp }
              c: { type: number }
            action: { type: delete-tags }
            """);
    FakeQueryEngine engine = FakeQueryEngine.returning("bucket", "key");

    // when
    PlaybookValidator.checkColumns(loaded, engine);

    // then the SQL keeps its placeholders: values are bound, never spliced
    assertThat(engine.asked)
        .containsExactly(
            new BoundQuery(
                "SELECT bucket, key FROM t WHERE a = :a AND b >= :b AND c = :c",
                Map.of(
                    "a", "rain", "b", LocalDateTime.of(1970, 1, 1, 0, 0), "c", BigDecimal.ZERO)));
  }

  @Test
  void anInvalidPlaybookAsksTheEngineNothing() {
    // given
    LoadResult invalid = new PlaybookLoader().load(FILE, "name: x\n");
    FakeQueryEngine engine = FakeQueryEngine.returning("bucket", "key");

    // when
    List<Problem> problems = PlaybookValidator.checkColumns(invalid, engine);

    // then
    assertThat(problems).isEmpty();
    assertThat(engine.asked).isEmpty();
  }

  @Test
  void aPlaybookWithoutItsSourceMapIsReportedWithoutALine() {
    // given
    Playbook playbook = load(REVERT).orThrow();

    // when
    List<Problem> problems =
        PlaybookValidator.checkColumns(
            playbook, FakeQueryEngine.returning("bucket", "key")::columns);

    // then
    assertThat(problems)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.line()).isZero();
              assertThat(p.path()).isEqualTo("query");
              assertThat(p.toString()).startsWith("revert.yaml: query: the query must return");
            });
  }
}
