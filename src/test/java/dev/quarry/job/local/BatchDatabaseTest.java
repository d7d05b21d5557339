package dev.quarry.job.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.action.TaskOutcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rebuild a resumed job's database gets: committed content kept, in a file of its own. */
class BatchDatabaseTest {
  @TempDir Path dir;

  @Test
  void aRebuiltDatabaseKeepsWhatWasCommitted() {
    // given a job database with an intent, its outcome, and a setting
    try (BatchDatabase database = BatchDatabase.open(dir, 4)) {
      OutcomeStore outcomes = new OutcomeStore(database);
      assertThat(outcomes.recordIntent(7, Instant.parse("2026-11-21T12:00:00Z"))).isTrue();
      outcomes.recordIntentOutcome(7, TaskOutcome.succeeded("done"));
      outcomes.putSetting("fingerprint", "abc");
    }

    // when
    BatchDatabase.rebuild(dir);

    // then
    try (BatchDatabase database = BatchDatabase.open(dir, 4)) {
      OutcomeStore outcomes = new OutcomeStore(database);
      assertThat(outcomes.intent(7)).contains(java.util.Optional.of(TaskOutcome.succeeded("done")));
      assertThat(outcomes.recordIntent(7, Instant.now())).isFalse();
      assertThat(outcomes.setting("fingerprint")).contains("abc");
    }
    assertThat(dir.resolve("batch-rebuild.sql")).doesNotExist();
    assertThat(dir.resolve("batch-rebuilt.mv.db")).doesNotExist();
  }

  @Test
  void leftoversOfARebuildThatWasKilledAreReplaced() throws Exception {
    // given a database, and the files a killed rebuild would have left beside it
    try (BatchDatabase database = BatchDatabase.open(dir, 4)) {
      new OutcomeStore(database).putSetting("kept", "yes");
    }
    Files.writeString(dir.resolve("batch-rebuild.sql"), "half a script");
    Files.writeString(dir.resolve("batch-rebuilt.mv.db"), "half a database");

    // when
    BatchDatabase.rebuild(dir);

    // then
    try (BatchDatabase database = BatchDatabase.open(dir, 4)) {
      assertThat(new OutcomeStore(database).setting("kept")).contains("yes");
    }
  }

  @Test
  void aJobWithoutADatabaseHasNothingToRebuild() {
    BatchDatabase.rebuild(dir);

    assertThat(dir.resolve("batch.mv.db")).doesNotExist();
  }
}
