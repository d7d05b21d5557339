package dev.quarry.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.playbook.Schedule;
import dev.quarry.run.jdbc.JdbcRunStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The scheduler on Quartz's JDBC job store in the run store's database: an embedded H2 file always,
 * and PostgreSQL when {@code QUARRY_TEST_POSTGRES_URL} names a server (a fresh schema of its own
 * for each case).
 */
class PlaybookSchedulerTest {
  private static final Duration CHECKIN = Duration.ofSeconds(1);

  @TempDir static Path dir;

  static Stream<String> databases() {
    List<String> urls = new ArrayList<>();
    urls.add("h2");
    Optional.ofNullable(System.getenv("QUARRY_TEST_POSTGRES_URL")).ifPresent(urls::add);
    return urls.stream();
  }

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

  private static PlaybookScheduler open(String url) {
    return PlaybookScheduler.onDatabase(1, Misfire.SKIP, url, CHECKIN);
  }

  private static Schedule at(String cron) {
    return new Schedule(cron, ZoneOffset.UTC);
  }

  /** What Quartz stored of {@code id}'s trigger: its cron expression and its start time. */
  private static String stored(String url, String id) throws Exception {
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT c.CRON_EXPRESSION, t.START_TIME FROM QRTZ_TRIGGERS t JOIN"
                    + " QRTZ_CRON_TRIGGERS c ON c.SCHED_NAME = t.SCHED_NAME AND c.TRIGGER_NAME ="
                    + " t.TRIGGER_NAME AND c.TRIGGER_GROUP = t.TRIGGER_GROUP WHERE t.TRIGGER_NAME"
                    + " = '"
                    + id
                    + "'")) {
      return r.next() ? r.getString(1) + " from " + r.getLong(2) : "none";
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void keepsItsSchedulesInTheRunStoresDatabaseAcrossARestart(String kind) throws Exception {
    // given: the run store's database, and a schedule put in it by a first daemon
    String url = fresh(kind);
    JdbcRunStore.open(url).close();
    try (PlaybookScheduler first = open(url)) {
      first.schedule("tag-all", at("0 0 6 * * ?"), slot -> {});
    }
    String before = stored(url, "tag-all");

    // when: a second daemon opens it and schedules the same playbook the same way
    try (PlaybookScheduler second = open(url)) {
      assertThat(second.ids()).containsExactly("tag-all");
      second.schedule("tag-all", at("0 0 6 * * ?"), slot -> {});

      // then: the stored trigger is kept as it was (its missed slots with it)
      assertThat(stored(url, "tag-all")).isEqualTo(before);

      // when: the schedule changes
      second.schedule("tag-all", at("0 0 7 * * ?"), slot -> {});

      // then: it is replaced
      assertThat(stored(url, "tag-all")).startsWith("0 0 7 * * ?");
    }

    // and: the run store still opens on that database, its migrations untouched
    JdbcRunStore.open(url).close();
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT COUNT(*) FROM \"quartz_schema_history\"")) {
      assertThat(r.next()).isTrue();
      assertThat(r.getInt(1)).isPositive();
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void aFiringIsGivenTheSlotItWasScheduledFor(String kind) throws Exception {
    // given
    String url = fresh(kind);
    BlockingQueue<Instant> slots = new ArrayBlockingQueue<>(100);
    try (PlaybookScheduler scheduler = open(url)) {
      scheduler.schedule("every-second", at("* * * * * ?"), slots::add);

      // when
      scheduler.start();
      Instant slot = slots.poll(20, TimeUnit.SECONDS);

      // then: a whole second, the slot's, not the moment the thread got to it
      assertThat(slot).isNotNull();
      assertThat(slot.getNano()).isZero();
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void theFirstScanUnschedulesWhatTheJobStoreKeptOfPlaybooksNoLongerInTheFolder(String kind)
      throws Exception {
    // given: two playbooks scheduled by a daemon, one of them removed while it was down
    String url = fresh(kind);
    Path folder = Files.createDirectory(dir.resolve(UUID.randomUUID().toString()));
    String playbook =
        """
        name: %s
        schedule: "0 0 6 * * ?"
        query: SELECT bucket, key FROM "b_x"."inventory"
        action: { type: put-tags, tags: { checked: "yes" } }
        """;
    Files.writeString(folder.resolve("kept.yaml"), playbook.formatted("kept"));
    Path gone = Files.writeString(folder.resolve("gone.yaml"), playbook.formatted("gone"));
    try (PlaybookScheduler first = open(url)) {
      new PlaybookFolder(folder, first, (p, slot) -> {}, line -> {}).scan();
      assertThat(first.ids()).containsExactlyInAnyOrder("kept", "gone");
    }
    Files.delete(gone);

    // when: the daemon starts again
    List<String> log = new ArrayList<>();
    try (PlaybookScheduler second = open(url)) {
      new PlaybookFolder(folder, second, (p, slot) -> {}, log::add).scan();

      // then: the playbook is its name's job, and the removed one is gone
      assertThat(second.ids()).containsExactly("kept");
      assertThat(log).contains("gone: no longer in " + folder + "; unscheduled");
    }
  }
}
