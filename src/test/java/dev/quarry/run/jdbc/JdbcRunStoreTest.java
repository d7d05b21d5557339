package dev.quarry.run.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.run.RunPhase;
import dev.quarry.run.RunRecord;
import dev.quarry.run.RunStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
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
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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
  void aRetryComesBackLinkedToItsOriginAndTheOriginToNothing(String kind) throws Exception {
    // given
    RunStore store = JdbcRunStore.open(fresh(kind));
    RunRecord origin = planned("r1", "tag", T0).enter(RunPhase.COMPLETED, T0.plusSeconds(1));
    RunRecord retry = planned("r2", "tag", T0.plusSeconds(2)).retrying("r1");

    // when
    store.save(origin);
    store.save(retry);
    store.save(retry.enter(RunPhase.COMPLETED, T0.plusSeconds(3)));

    // then
    assertThat(store.find("r2").orElseThrow().retryOf()).contains("r1");
    assertThat(store.find("r2").orElseThrow())
        .isEqualTo(retry.enter(RunPhase.COMPLETED, T0.plusSeconds(3)));
    assertThat(store.find("r1").orElseThrow().retryOf()).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("databases")
  void aRunOfTwoStepsComesBackWithEachStepsManifestJobCountsAndNote(String kind) throws Exception {
    // given: a restore that ended, a wait, then its follow-up planned and submitted
    RunStore store = JdbcRunStore.open(fresh(kind));
    RunRecord first =
        RunRecord.planned(
                "r2s",
                "thaw",
                Optional.of("/playbooks/thaw.yaml"),
                "cd34",
                Map.of(),
                "embedded",
                "restore",
                new RunRecord.Manifest(
                    "m/thaw/r2s/manifest.csv",
                    "e1",
                    7,
                    List.of("5c0d0c1e-1b2a-4c3d-9e8f-000000000001", "5c0d0c1e-000000000002")),
                T0)
            .approvedBy("--yes")
            .withJob("job-1")
            .enter(RunPhase.SUBMITTED, T0.plusSeconds(1))
            .withOutcome(new RunRecord.Counts(7, 6, 1), Optional.of("r1.json"), Optional.empty())
            .enter(RunPhase.WAITING, T0.plusSeconds(2));
    store.save(first);

    // when
    RunRecord second =
        first
            .withStep(
                RunRecord.Step.planned(
                        "reencrypt",
                        new RunRecord.Manifest("m/thaw/r2s/step-2/manifest.csv", "e2", 6))
                    .withNote("left out: 1 not restored"))
            .withJob("job-2")
            .enter(RunPhase.SUBMITTED, T0.plusSeconds(3));
    store.save(second);

    // then
    RunRecord back = store.find("r2s").orElseThrow();
    assertThat(back).isEqualTo(second);
    assertThat(back.jobIds()).containsExactly("job-1", "job-2");
    assertThat(back.steps().get(0).counts()).isEqualTo(new RunRecord.Counts(7, 6, 1));
    assertThat(back.current().note()).contains("left out: 1 not restored");
    assertThat(back.playbookPath()).contains("/playbooks/thaw.yaml");
    assertThat(back.manifest().orElseThrow().queryIds())
        .containsExactly("5c0d0c1e-1b2a-4c3d-9e8f-000000000001", "5c0d0c1e-000000000002");
    assertThat(back.current().manifest().queryIds()).isEmpty();
    assertThat(back.entered(RunPhase.WAITING)).contains(T0.plusSeconds(2));
  }

  @ParameterizedTest
  @MethodSource("databases")
  void queuedStepsComeBackWithTheirActionBlocksAndLeaveTheQueueOneByOne(String kind)
      throws Exception {
    // given: a split copy (two parts) and a follow-up planned after a restore
    RunStore store = JdbcRunStore.open(fresh(kind));
    RunRecord planned =
        RunRecord.planned(
            "r-q",
            "reencrypt",
            Optional.of("/playbooks/reencrypt.yaml"),
            "hash",
            Map.of(),
            "embedded",
            RunRecord.Step.planned(
                "reencrypt",
                Optional.of("{\"type\":\"reencrypt\",\"storage-class\":\"STANDARD\"}"),
                new RunRecord.Manifest("m/step-1/manifest.csv", "e1", 4)),
            List.of(
                new RunRecord.Queued(
                    "reencrypt",
                    "{\"type\":\"reencrypt\",\"storage-class\":\"STANDARD_IA\"}",
                    Optional.of(new RunRecord.Manifest("m/step-2/manifest.csv", "e2", 3))),
                new RunRecord.Queued("copy", "{\"type\":\"copy\"}", Optional.empty())),
            T0);

    // when
    store.save(planned);
    RunRecord back = store.find("r-q").orElseThrow();
    RunRecord second =
        back.withJob("job-1")
            .enter(RunPhase.SUBMITTED, T0.plusSeconds(1))
            .enter(RunPhase.WAITING, T0.plusSeconds(2))
            .withStep(
                RunRecord.Step.planned(
                    "reencrypt",
                    Optional.of(back.queued().get(0).options()),
                    back.queued().get(0).manifest().orElseThrow()));
    store.save(second);

    // then
    assertThat(back).isEqualTo(planned);
    assertThat(back.stepCount()).isEqualTo(3);
    assertThat(back.queued().get(1).afterRestore()).isTrue();
    RunRecord again = store.find("r-q").orElseThrow();
    assertThat(again).isEqualTo(second);
    assertThat(again.steps())
        .extracting(s -> s.options().orElseThrow())
        .containsExactly(
            "{\"type\":\"reencrypt\",\"storage-class\":\"STANDARD\"}",
            "{\"type\":\"reencrypt\",\"storage-class\":\"STANDARD_IA\"}");
    assertThat(again.queued()).extracting(RunRecord.Queued::action).containsExactly("copy");
  }

  @ParameterizedTest
  @MethodSource("databases")
  void aStaleCopyOfARunThatWasCancelledMeanwhileIsRefusedAndTheCancellationStands(String kind)
      throws Exception {
    // given: a process waits between steps with its copy; another command cancels the run
    RunStore store = JdbcRunStore.open(fresh(kind));
    RunRecord waiting =
        planned("r-stale", "thaw", T0)
            .withJob("job-1")
            .enter(RunPhase.SUBMITTED, T0.plusSeconds(1))
            .enter(RunPhase.WAITING, T0.plusSeconds(2));
    assertThat(store.start(waiting)).isEmpty();
    store.save(store.find("r-stale").orElseThrow().enter(RunPhase.CANCELLED, T0.plusSeconds(3)));

    // when: the waiting process saves its next step from its stale copy
    RunRecord stale =
        waiting.withStep(
            RunRecord.Step.planned("reencrypt", new RunRecord.Manifest("m2.csv", "e2", 1)));

    // then: refused, and the run stays cancelled, its playbook free
    assertThatThrownBy(() -> store.save(stale))
        .isInstanceOf(dev.quarry.error.QuarryException.class)
        .hasMessageContaining("was changed by another command meanwhile (it is cancelled now)");
    assertThat(store.find("r-stale").orElseThrow().phase()).isEqualTo(RunPhase.CANCELLED);
    assertThat(store.find("r-stale").orElseThrow().steps()).hasSize(1);
    assertThat(store.active("thaw")).isEmpty();
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

  @ParameterizedTest
  @MethodSource("databases")
  void aStartHoldsItsPlaybookRefusesAnotherRunOfItAndItsEndReleasesIt(String kind)
      throws Exception {
    // given
    RunStore store = JdbcRunStore.open(fresh(kind));
    RunRecord first = planned("r1", "restore", T0);
    assertThat(store.start(first)).isEmpty();

    // when
    Optional<RunRecord> refused = store.start(planned("r2", "restore", T0.plusSeconds(1)));
    Optional<RunRecord> otherPlaybook = store.start(planned("t1", "tags", T0.plusSeconds(2)));

    // then: r2 is told who holds it and was not saved; another playbook is not held by r1
    assertThat(refused).contains(first);
    assertThat(store.find("r2")).isEmpty();
    assertThat(otherPlaybook).isEmpty();
    assertThat(store.active("restore")).contains(first);
    assertThat(store.active("tags")).map(RunRecord::id).contains("t1");
    assertThat(store.active("nothing")).isEmpty();

    // a run still under way keeps the hold; its end releases it
    RunRecord running = first.withJob("job-1").enter(RunPhase.RUNNING, T0.plusSeconds(3));
    store.save(running);
    assertThat(store.start(planned("r2", "restore", T0.plusSeconds(4)))).contains(running);
    store.save(running.enter(RunPhase.COMPLETED, T0.plusSeconds(5)));
    assertThat(store.active("restore")).isEmpty();
    assertThat(store.start(planned("r2", "restore", T0.plusSeconds(6)))).isEmpty();
    assertThat(store.active("restore")).map(RunRecord::id).contains("r2");

    // the holder itself may start again (a resume): nothing refused, the record saved
    RunRecord resumed = planned("r2", "restore", T0.plusSeconds(6)).approvedBy("console");
    assertThat(store.start(resumed)).isEmpty();
    assertThat(store.find("r2")).contains(resumed);
  }

  @ParameterizedTest
  @MethodSource("databases")
  void aHoldWhoseRunEndedOrVanishedIsTakenOver(String kind) throws Exception {
    // given: holds left behind (by a process that died, or a store written by hand): one by a
    // run that has ended, one by a run that is not there at all
    String url = fresh(kind);
    RunStore store = JdbcRunStore.open(url);
    store.save(planned("r0", "restore", T0).enter(RunPhase.FAILED, T0.plusSeconds(1)));
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      s.executeUpdate(
          "INSERT INTO active_run (playbook, run_id, held_since) VALUES"
              + " ('restore', 'r0', TIMESTAMP WITH TIME ZONE '2026-12-01 10:00:00+00'),"
              + " ('tags', 'ghost', TIMESTAMP WITH TIME ZONE '2026-12-01 10:00:00+00')");
    }
    assertThat(store.active("restore")).isEmpty();
    assertThat(store.active("tags")).isEmpty();

    // when
    Optional<RunRecord> restore = store.start(planned("r1", "restore", T0.plusSeconds(60)));
    Optional<RunRecord> tags = store.start(planned("t1", "tags", T0.plusSeconds(60)));

    // then
    assertThat(restore).isEmpty();
    assertThat(tags).isEmpty();
    assertThat(store.active("restore")).map(RunRecord::id).contains("r1");
    assertThat(store.active("tags")).map(RunRecord::id).contains("t1");
    assertThat(store.start(planned("r2", "restore", T0.plusSeconds(61))))
        .map(RunRecord::id)
        .contains("r1");
  }

  @ParameterizedTest
  @MethodSource("databases")
  void ofManyThreadsStartingOnePlaybookAtOnceExactlyOneWins(String kind) throws Exception {
    // given
    RunStore store = JdbcRunStore.open(fresh(kind));
    int threads = 8;
    CyclicBarrier together = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      // when
      List<Future<Optional<RunRecord>>> starts = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        RunRecord run = planned("r" + i, "restore", T0.plusSeconds(i));
        starts.add(
            pool.submit(
                () -> {
                  together.await();
                  return store.start(run);
                }));
      }
      List<Optional<RunRecord>> results = new ArrayList<>();
      for (Future<Optional<RunRecord>> start : starts) {
        results.add(start.get(60, TimeUnit.SECONDS));
      }

      // then: one won; every other one was told the winner and left nothing behind
      RunRecord winner = store.active("restore").orElseThrow();
      assertThat(results).filteredOn(Optional::isEmpty).hasSize(1);
      assertThat(results.get(Integer.parseInt(winner.id().substring(1)))).isEmpty();
      assertThat(results)
          .filteredOn(Optional::isPresent)
          .hasSize(threads - 1)
          .allSatisfy(r -> assertThat(r).contains(winner));
      assertThat(store.list(RunStore.Query.ALL)).containsExactly(winner);
    } finally {
      pool.shutdownNow();
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void ofTwoProcessesStartingOnePlaybookAtOnceExactlyOneWins(String kind) throws Exception {
    // given: two JVMs with the store open, each told to start a run of the same playbook at once,
    // three times over (one fresh playbook each time). On an H2 file only one process has the
    // database open at a time, so there the file lock serializes them; on PostgreSQL they race
    String url = fresh(kind);
    JdbcRunStore.open(url).close();
    List<Process> children = new ArrayList<>();
    try {
      List<BufferedReader> answers = new ArrayList<>();
      List<Writer> orders = new ArrayList<>();
      for (String name : List.of("a", "b")) {
        Process child =
            new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    RunStoreStarterMain.class.getName(),
                    url,
                    name)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        children.add(child);
        BufferedReader in =
            new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        answers.add(in);
        orders.add(new OutputStreamWriter(child.getOutputStream(), StandardCharsets.UTF_8));
      }
      for (BufferedReader in : answers) {
        assertThat(in.readLine()).isEqualTo("ready");
      }
      RunStore store = JdbcRunStore.open(url);

      for (int round = 0; round < 3; round++) {
        // when
        String playbook = "p" + round;
        for (Writer order : orders) {
          order.write(playbook + "\n");
          order.flush();
        }
        String a = answers.get(0).readLine();
        String b = answers.get(1).readLine();

        // then: one won, the other was told so
        String winner = store.active(playbook).orElseThrow().id();
        assertThat(List.of(a, b))
            .as("round %d", round)
            .containsExactlyInAnyOrder("won", "held " + winner);
        assertThat(
                store.list(
                    new RunStore.Query(Optional.of(playbook), Optional.empty(), Optional.empty())))
            .extracting(RunRecord::id)
            .containsExactly(winner);
      }
    } finally {
      for (Process child : children) {
        child.destroyForcibly().waitFor();
      }
    }
  }
}
