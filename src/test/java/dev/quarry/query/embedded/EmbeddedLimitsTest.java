package dev.quarry.query.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.config.QuarryConfig;
import dev.quarry.error.ErrorKind;
import dev.quarry.error.QuarryException;
import dev.quarry.io.ProcessLock;
import dev.quarry.query.BoundQuery;
import dev.quarry.query.QueryEngine;
import dev.quarry.testing.TestWarehouse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DuckDB's memory and spill bounds, with a real DuckDB and real cross joins. */
class EmbeddedLimitsTest {
  private static final String CROSS_JOIN =
      "SELECT x, y FROM UNNEST(sequence(0, 1999)) AS a(x), UNNEST(sequence(0, 1999)) AS b(y)"
          + " ORDER BY x * 7 % 1000, y";

  @TempDir Path state;

  private EmbeddedEngine engine(String memory, String temp) throws Exception {
    Path warehouse = state.resolve("warehouse");
    try (TestWarehouse tables = new TestWarehouse(warehouse)) {
      tables.inventory("b_photos", "SELECT 'photos' AS bucket, 'a.jpg' AS key");
      return new EmbeddedEngine(
          tables.warehouse(),
          Optional.empty(),
          new QuarryConfig.Embedded(memory, temp),
          state.resolve("tmp"));
    }
  }

  @Test
  void aCrossJoinPastTheSpillBoundIsAUserErrorNamingTheSettingToRaise() throws Exception {
    // given
    try (EmbeddedEngine engine = engine("16MB", "8MB")) {
      // when / then
      assertThatThrownBy(() -> engine.rows(BoundQuery.of(CROSS_JOIN), ignore()))
          .isInstanceOfSatisfying(
              QuarryException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.USER))
          .hasMessageStartingWith(
              "query failed: it needs more than duckdb-max-temp-size 8MB of spill space (in "
                  + state.resolve("tmp").toAbsolutePath())
          .hasMessageContaining("beyond duckdb-memory-limit 16MB")
          .hasMessageEndingWith(
              "narrow the query, or raise duckdb-max-temp-size (QUARRY_DUCKDB_MAX_TEMP_SIZE) in"
                  + " the profile of quarry.yaml");
    }
  }

  @Test
  void aQueryPastTheMemoryBoundIsAUserErrorNamingTheMemoryLimit() throws Exception {
    try (EmbeddedEngine engine = engine("16MB", "1GB")) {
      assertThatThrownBy(
              () ->
                  engine.rows(
                      BoundQuery.of(
                          "SELECT array_agg(n) FROM UNNEST(sequence(1, 10000000)) AS t(n)"),
                      ignore()))
          .isInstanceOfSatisfying(
              QuarryException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.USER))
          .hasMessageStartingWith("query failed: it needs more than duckdb-memory-limit 16MB")
          .hasMessageContaining("raise duckdb-memory-limit (QUARRY_DUCKDB_MEMORY_LIMIT)");
    }
  }

  @Test
  void theSpillGoesUnderTheGivenRootAndIsGoneWhenTheEngineCloses() throws Exception {
    // given
    Path root = state.resolve("tmp");
    EmbeddedEngine engine = engine("32MB", "1GB");
    List<Path> open = children(root);
    List<Path> dirs = open.stream().filter(Files::isDirectory).toList();

    // when
    List<Object> settings = new ArrayList<>();
    engine.rows(
        BoundQuery.of(
            "SELECT current_setting('temp_directory'), current_setting('max_temp_directory_size')"),
        collect(settings));
    engine.close();

    // then: DuckDB spills into the engine's own directory, which is gone after close
    assertThat(open).hasSize(2);
    assertThat(dirs).hasSize(1);
    assertThat(settings.get(0)).isEqualTo(dirs.get(0).toString());
    assertThat(settings.get(1).toString()).isNotEqualTo("0 bytes");
    assertThat(children(root)).isEmpty();
  }

  @Test
  void whatAKilledProcessLeftIsSweptByTheNextEngine() throws Exception {
    // given: a killed process leaves its directory and a lock file the system released
    Path root = state.resolve("tmp");
    Path dead = Files.createDirectories(root.resolve("dead"));
    Files.write(dead.resolve("duckdb_temp_storage_S32K-0.tmp"), new byte[4096]);
    Files.createFile(root.resolve("dead.lock"));
    // and a live one (this process) whose lock is held
    Path alive = Files.createDirectories(root.resolve("alive"));
    ProcessLock held = ProcessLock.tryAcquire(root.resolve("alive.lock")).orElseThrow();
    try {
      // when
      try (EmbeddedEngine engine = engine("1GB", "1GB")) {
        // then
        assertThat(engine.namespaces()).containsExactly("b_photos");
        assertThat(dead).doesNotExist();
        assertThat(root.resolve("dead.lock")).doesNotExist();
        assertThat(alive).isDirectory();
      }
    } finally {
      held.close();
    }
  }

  private static List<Path> children(Path dir) throws Exception {
    try (Stream<Path> list = Files.list(dir)) {
      return list.toList();
    }
  }

  private static QueryEngine.RowVisitor collect(List<Object> into) {
    return new QueryEngine.RowVisitor() {
      @Override
      public void columns(List<String> names) {}

      @Override
      public void row(List<Object> values) {
        into.addAll(values);
      }
    };
  }

  private static QueryEngine.RowVisitor ignore() {
    return count(new long[1]);
  }

  private static QueryEngine.RowVisitor count(long[] rows) {
    return new QueryEngine.RowVisitor() {
      @Override
      public void columns(List<String> names) {}

      @Override
      public void row(List<Object> values) {
        rows[0]++;
      }
    };
  }
}
