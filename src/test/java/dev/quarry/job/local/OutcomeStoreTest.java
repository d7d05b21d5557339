package dev.quarry.job.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.action.TaskOutcome;
import dev.quarry.query.ObjectRow;
import dev.quarry.report.TaskResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/** {@link OutcomeStore} over a real H2 job database. */
class OutcomeStoreTest {
  @TempDir Path dir;

  @Test
  void theReportStreamsMoreOutcomesThanH2KeepsInMemoryInOrder() {
    // given: 45,000 outcomes (H2 materialises up to 40,000 rows of a result on the heap), written
    // in reverse order so that only the ORDER BY gives the manifest's
    BatchDatabase database = BatchDatabase.open(dir, 1);
    try {
      JdbcTemplate jdbc = new JdbcTemplate(database.dataSource());
      OutcomeStore.createTables(jdbc);
      OutcomeStore store = new OutcomeStore(database);
      int tasks = 45_000;
      List<TaskRecord> records = new ArrayList<>();
      for (int i = tasks - 1; i >= 0; i--) {
        TaskOutcome outcome =
            i % 7 == 0
                ? TaskOutcome.failed("AccessDenied", 403, "no")
                : TaskOutcome.succeeded("done");
        records.add(
            new TaskRecord(i, new ObjectRow("b", "k" + i, null, null, null), outcome, false));
      }
      // in one transaction, as a chunk writes them
      new TransactionTemplate(database.transactions())
          .executeWithoutResult(status -> store.write(records));

      // when
      List<TaskResult> streamed = new ArrayList<>();
      store.forEach(streamed::add);

      // then: every outcome once, in row order, as written
      assertThat(streamed).hasSize(tasks);
      for (int i = 0; i < tasks; i++) {
        assertThat(streamed.get(i).key()).isEqualTo("k" + i);
        assertThat(streamed.get(i).outcome().status())
            .isEqualTo(i % 7 == 0 ? TaskOutcome.Status.FAILED : TaskOutcome.Status.SUCCEEDED);
      }
      // and the store goes on answering on the same (only) connection
      assertThat(store.counts()).containsExactly(tasks - (tasks + 6) / 7, (tasks + 6) / 7);
    } finally {
      database.close();
    }
  }
}
