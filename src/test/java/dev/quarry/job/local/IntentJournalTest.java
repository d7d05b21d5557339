package dev.quarry.job.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.action.TaskOutcome;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The intents of tasks that are not idempotent, in a file of the job's folder: what a killed
 * process leaves is read back, and recording them costs the job's database nothing.
 */
class IntentJournalTest {
  @TempDir Path dir;

  @Test
  void intentsAndOutcomesLeftByAProcessThatNeverClosedTheJournalAreReadBack() {
    // given: intents and outcomes written, the journal never closed (as a killed process leaves it)
    Path file = dir.resolve(IntentJournal.FILE);
    IntentJournal killed = IntentJournal.open(file);
    killed.recordIntent(3, 1000);
    killed.recordOutcome(3, TaskOutcome.failed("AccessDenied", 403, "no\ttabs\nor lines \\ here"));
    killed.recordIntent(4, 1001);
    killed.recordOutcome(4, TaskOutcome.succeeded("copied"));
    killed.recordIntent(5, 1002);

    // when
    try (IntentJournal journal = IntentJournal.open(file)) {
      // then: each row's intent and what it recorded; an intent without an outcome is in doubt
      assertThat(journal.intent(3))
          .contains(
              Optional.of(TaskOutcome.failed("AccessDenied", 403, "no\ttabs\nor lines \\ here")));
      assertThat(journal.intent(4)).contains(Optional.of(TaskOutcome.succeeded("copied")));
      assertThat(journal.intent(5)).contains(Optional.empty());
      assertThat(journal.intent(6)).isEmpty();
      assertThat(journal.recordIntent(5, 2000)).isFalse();
      assertThat(journal.recordIntent(6, 2000)).isTrue();
    }
    killed.close();
  }

  @Test
  void aRecordCutShortIsDroppedAndTheNextOneStartsOnItsOwnLine() throws Exception {
    // given: a journal whose last write was cut short (a full disk)
    Path file = dir.resolve(IntentJournal.FILE);
    try (IntentJournal journal = IntentJournal.open(file)) {
      journal.recordIntent(1, 1000);
    }
    Files.writeString(file, "I\t2\t10", StandardCharsets.UTF_8, StandardOpenOption.APPEND);

    // when: opened and written again
    try (IntentJournal journal = IntentJournal.open(file)) {
      assertThat(journal.intent(2)).isEmpty();
      journal.recordIntent(8, 1003);
    }

    // then
    try (IntentJournal journal = IntentJournal.open(file)) {
      assertThat(journal.intent(1)).contains(Optional.empty());
      assertThat(journal.intent(2)).isEmpty();
      assertThat(journal.intent(8)).contains(Optional.empty());
    }
  }

  @Test
  void aForgottenIntentStaysForgottenAfterAReopen() {
    // given
    Path file = dir.resolve(IntentJournal.FILE);
    try (IntentJournal journal = IntentJournal.open(file)) {
      journal.recordIntent(9, 1000);
      journal.recordOutcome(9, TaskOutcome.failed("SlowDown", 503, "slow down"));

      // when
      journal.forget(9);
    }

    // then
    try (IntentJournal journal = IntentJournal.open(file)) {
      assertThat(journal.intent(9)).isEmpty();
      assertThat(journal.recordIntent(9, 2000)).isTrue();
    }
  }

  @Test
  void recordingIntentsAndOutcomesWritesNothingToTheJobDatabase() throws Exception {
    // given: a job database, written and flushed
    try (BatchDatabase database = BatchDatabase.open(dir, 4)) {
      OutcomeStore outcomes = new OutcomeStore(database);
      outcomes.putSetting("fingerprint", "abc");
      long before = Files.size(dir.resolve("batch.mv.db"));

      // when: a hundred tasks record their intents and outcomes
      for (long row = 0; row < 100; row++) {
        assertThat(outcomes.recordIntent(row, Instant.EPOCH)).isTrue();
        outcomes.recordIntentOutcome(row, TaskOutcome.succeeded("done"));
      }

      // then: the database's file did not grow by a commit a write (H2 appends a chunk each)
      assertThat(Files.size(dir.resolve("batch.mv.db"))).isEqualTo(before);
    }
    try (BatchDatabase database = BatchDatabase.open(dir, 4)) {
      assertThat(new OutcomeStore(database).intent(99))
          .contains(Optional.of(TaskOutcome.succeeded("done")));
    }
  }

  @Test
  void intentsAJobRecordedInItsDatabaseBeforeTheJournalAreStillKnown() throws Exception {
    // given: a job database holding intents as jobs recorded them before the journal
    try (BatchDatabase database = BatchDatabase.open(dir, 4)) {
      new OutcomeStore(database).putSetting("fingerprint", "abc");
    }
    try (Connection c =
            DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("batch"), "sa", "");
        Statement s = c.createStatement()) {
      s.execute(
          "INSERT INTO QUARRY_TASK_INTENT (ROW_INDEX, STARTED) VALUES (1, TIMESTAMP WITH TIME ZONE"
              + " '2026-11-21 12:00:00+00')");
      s.execute(
          "INSERT INTO QUARRY_TASK_INTENT VALUES (2, TIMESTAMP WITH TIME ZONE"
              + " '2026-11-21 12:00:00+00', 'SUCCEEDED', NULL, 200, 'copied')");
      s.execute("SHUTDOWN");
    }

    // when
    try (BatchDatabase database = BatchDatabase.open(dir, 4)) {
      OutcomeStore outcomes = new OutcomeStore(database);

      // then
      assertThat(outcomes.intent(1)).contains(Optional.empty());
      assertThat(outcomes.intent(2)).contains(Optional.of(TaskOutcome.succeeded("copied")));
      assertThat(outcomes.recordIntent(1, Instant.now())).isFalse();
      assertThat(outcomes.intent(3)).isEmpty();
    }
    assertThat(dir.resolve(IntentJournal.FILE)).exists();
  }
}
