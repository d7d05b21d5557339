package dev.quarry.run.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.run.RunPhase;
import dev.quarry.run.RunRecord;
import dev.quarry.run.RunStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The run store against real databases: an embedded H2 file always, and a PostgreSQL server when
 * {@code QUARRY_TEST_POSTGRES_URL} names one (e.g. {@code
 * jdbc:postgresql://127.0.0.1:5432/quarry?user=quarry&password=quarry}); each case then gets a
 * fresh schema of its own there.
 */
class JdbcRunStoreTest {
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

  @TempDir static Path dir;

  static Stream<String> databases() {
    List<String> urls = new ArrayList<>();
    urls.add("h2");
    Optional.ofNullable(System.getenv("QUARRY_TEST_POSTGRES_URL")).ifPresent(urls::add);
    return urls.stream();
  }

  /** A fresh, empty database on {@code kind}. */
  private static String fresh(String kind) throws Exception {
    String name = "t" + UUID.randomUUID().toString().replace("-", "");
    if (kind.equals("h2")) {
      return "jdbc:h2:file:" + dir.resolve(name) + ";WRITE_DELAY=0;MAX_COMPACT_TIME=0";
    }
    try (Connection c = DriverManager.getConnection(kind);
        Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + name);
    }
    return kind + (kind.contains("?") ? "&" : "?") + "currentSchema=" + name;
  }

  private static RunRecord planned(String id, String playbook, Instant at) {
    return RunRecord.planned(
        id,
        playbook,
        "ab12",
        Map.of("weather", "rain"),
        "embedded",
        new RunRecord.Manifest("manifests/" + playbook + "/" + id + "/manifest.csv", "e1", 3),
        at);
  }

  @ParameterizedTest
  @MethodSource("databases")
  void aRunComesBackAsItWasSavedAtEachPhase(String kind) throws Exception {
    // given
    RunStore store = JdbcRunStore.open(fresh(kind));
    RunRecord run = planned("r1", "restore", T0);
    store.save(run);

    // when
    RunRecord ended =
        run.withJob("job-1")
            .enter(RunPhase.SUBMITTED, T0.plusSeconds(1))
            .approvedBy("--yes")
            .enter(RunPhase.RUNNING, T0.plusSeconds(2))
            .withOutcome(
                new RunRecord.Counts(3, 2, 1),
                Optional.of("report/manifest.json"),
                Optional.empty())
            .enter(RunPhase.COMPLETED, T0.plusSeconds(3));
    store.save(ended);

    // then
    RunRecord back = store.find("r1").orElseThrow();
    assertThat(back).isEqualTo(ended);
    assertThat(back.phase()).isEqualTo(RunPhase.COMPLETED);
    assertThat(back.ended()).contains(T0.plusSeconds(3));
    assertThat(back.transitions())
        .extracting(RunRecord.Transition::phase)
        .containsExactly(
            RunPhase.PLANNED, RunPhase.SUBMITTED, RunPhase.RUNNING, RunPhase.COMPLETED);
    assertThat(store.find("nope")).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("databases")
  void listFiltersByPlaybookPhaseAndStartNewestFirst(String kind) throws Exception {
    // given
    RunStore store = JdbcRunStore.open(fresh(kind));
    store.save(planned("r1", "restore", T0));
    store.save(
        planned("r2", "restore", T0.plusSeconds(60))
            .withOutcome(
                new RunRecord.Counts(3, 0, 0), Optional.empty(), Optional.of("limit exceeded"))
            .enter(RunPhase.REFUSED, T0.plusSeconds(61)));
    store.save(planned("r3", "tags", T0.plusSeconds(120)));

    // when / then
    assertThat(store.list(RunStore.Query.ALL))
        .extracting(RunRecord::id)
        .containsExactly("r3", "r2", "r1");
    assertThat(
            store.list(
                new RunStore.Query(Optional.of("restore"), Optional.empty(), Optional.empty())))
        .extracting(RunRecord::id)
        .containsExactly("r2", "r1");
    assertThat(
            store.list(
                new RunStore.Query(
                    Optional.empty(), Optional.of(RunPhase.REFUSED), Optional.empty())))
        .extracting(RunRecord::id, RunRecord::failureReason)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("r2", Optional.of("limit exceeded")));
    assertThat(
            store.list(
                new RunStore.Query(
                    Optional.empty(), Optional.empty(), Optional.of(T0.plusSeconds(60)))))
        .extracting(RunRecord::id)
        .containsExactly("r3", "r2");
  }

  @ParameterizedTest
  @MethodSource("databases")
  void reopeningMigratesNothingTwiceAndKeepsTheRuns(String kind) throws Exception {
    // given
    String url = fresh(kind);
    JdbcRunStore.open(url).save(planned("r1", "restore", T0));

    // when
    RunStore again = JdbcRunStore.open(url);

    // then
    assertThat(again.find("r1")).isPresent();
  }
}
