package dev.quarry.job.local;

import dev.quarry.action.TaskOutcome;
import dev.quarry.report.TaskResult;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Task outcomes and intents in the job's database.
 *
 * <p>Outcomes are written by the chunk's writer, in the chunk's transaction: committed with the
 * reader's position or not at all. Intents (for actions that are not idempotent) are committed on
 * their own before the task runs and updated with its outcome right after, so that after a crash a
 * task that may have run is known and is never run again.
 */
final class OutcomeStore {
  /** Messages beyond this are cut: S3's own are short, and a stack of causes is not needed. */
  private static final int MAX_MESSAGE = 4000;

  private final JdbcTemplate jdbc;
  private final TransactionTemplate ownTransaction;
  // intents and their outcomes of tasks running at once share commits: one each costs H2 a write
  private final GroupCommit intents;

  OutcomeStore(BatchDatabase database) {
    this.jdbc = new JdbcTemplate(database.dataSource());
    this.ownTransaction = new TransactionTemplate(database.transactions());
    ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    this.intents = new GroupCommit(ownTransaction);
  }

  static void createTables(JdbcTemplate jdbc) {
    jdbc.execute(
        "CREATE TABLE IF NOT EXISTS QUARRY_TASK_OUTCOME (ROW_INDEX BIGINT PRIMARY KEY,"
            + " BUCKET VARCHAR NOT NULL, OBJECT_KEY VARCHAR NOT NULL, VERSION_ID VARCHAR,"
            + " STATUS VARCHAR(16) NOT NULL, ERROR_CODE VARCHAR, HTTP_STATUS INT NOT NULL,"
            + " MESSAGE VARCHAR NOT NULL)");
    // a transient failure whose retries ran out: what a resume runs again (added later: jobs
    // created before have no such column)
    jdbc.execute(
        "ALTER TABLE QUARRY_TASK_OUTCOME ADD COLUMN IF NOT EXISTS RETRYABLE BOOLEAN DEFAULT FALSE"
            + " NOT NULL");
    jdbc.execute(
        "CREATE TABLE IF NOT EXISTS QUARRY_TASK_INTENT (ROW_INDEX BIGINT PRIMARY KEY,"
            + " STARTED TIMESTAMP WITH TIME ZONE NOT NULL, STATUS VARCHAR(16), ERROR_CODE VARCHAR,"
            + " HTTP_STATUS INT, MESSAGE VARCHAR)");
    jdbc.execute(
        "CREATE TABLE IF NOT EXISTS QUARRY_SETTING (NAME VARCHAR PRIMARY KEY,"
            + " SETTING_VALUE VARCHAR NOT NULL)");
  }

  /** Writes outcomes in the caller's transaction (the chunk's). */
  void write(List<TaskRecord> records) {
    jdbc.batchUpdate(
        "INSERT INTO QUARRY_TASK_OUTCOME (ROW_INDEX, BUCKET, OBJECT_KEY, VERSION_ID, STATUS,"
            + " ERROR_CODE, HTTP_STATUS, MESSAGE, RETRYABLE) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        records,
        records.size(),
        (ps, r) -> {
          ps.setLong(1, r.index());
          ps.setString(2, r.row().bucket());
          ps.setString(3, r.row().key());
          ps.setString(4, r.row().versionId());
          ps.setString(5, r.outcome().status().name());
          ps.setString(6, r.outcome().errorCode());
          ps.setInt(7, r.outcome().httpStatus());
          ps.setString(8, cut(r.outcome().message()));
          ps.setBoolean(9, r.retryable());
        });
  }

  /** How many committed outcomes are transient failures a resume may run again. */
  long retryable() {
    Long n =
        jdbc.queryForObject("SELECT COUNT(*) FROM QUARRY_TASK_OUTCOME WHERE RETRYABLE", Long.class);
    return n == null ? 0 : n;
  }

  /**
   * Starts the next round of the job, in one transaction: counts it up, and forgets the outcomes
   * (and intents) of the tasks that failed transiently, so that the round runs them again.
   *
   * @return how many were forgotten
   */
  long startRound(String roundSetting) {
    Integer n =
        ownTransaction.execute(
            status -> {
              long round = setting(roundSetting).map(Long::parseLong).orElse(0L) + 1;
              putSetting(roundSetting, Long.toString(round));
              jdbc.update(
                  "DELETE FROM QUARRY_TASK_INTENT WHERE ROW_INDEX IN"
                      + " (SELECT ROW_INDEX FROM QUARRY_TASK_OUTCOME WHERE RETRYABLE)");
              return jdbc.update("DELETE FROM QUARRY_TASK_OUTCOME WHERE RETRYABLE");
            });
    return n == null ? 0 : n;
  }

  /** The rows that have a committed outcome. */
  java.util.BitSet doneRows() {
    java.util.BitSet done = new java.util.BitSet();
    jdbc.query(
        "SELECT ROW_INDEX FROM QUARRY_TASK_OUTCOME",
        rs -> {
          done.set(Math.toIntExact(rs.getLong(1)));
        });
    return done;
  }

  /** Succeeded and failed counts of committed outcomes. */
  long[] counts() {
    long succeeded = count(TaskOutcome.Status.SUCCEEDED);
    long failed = count(TaskOutcome.Status.FAILED);
    return new long[] {succeeded, failed};
  }

  private long count(TaskOutcome.Status status) {
    Long n =
        jdbc.queryForObject(
            "SELECT COUNT(*) FROM QUARRY_TASK_OUTCOME WHERE STATUS = ?", Long.class, status.name());
    return n == null ? 0 : n;
  }

  /**
   * Streams every committed outcome in manifest order.
   *
   * <p>Lazily, row by row off the primary key: H2 otherwise materialises a result, up to 40,000
   * rows on the heap (its {@code MAX_MEMORY_ROWS}) and the rest in a temporary file, so that the
   * report of a 100,000-task job grew the live heap from 30 to 44 MiB at its end and the committed
   * heap from 62 to 107 MiB (docs/PERFORMANCE.md, section 3).
   */
  void forEach(Consumer<TaskResult> sink) {
    jdbc.execute(
        (ConnectionCallback<Void>)
            connection -> {
              lazy(connection, true);
              try (Statement statement = connection.createStatement();
                  ResultSet rs =
                      statement.executeQuery(
                          "SELECT BUCKET, OBJECT_KEY, VERSION_ID, STATUS, ERROR_CODE, HTTP_STATUS,"
                              + " MESSAGE FROM QUARRY_TASK_OUTCOME ORDER BY ROW_INDEX")) {
                while (rs.next()) {
                  sink.accept(
                      new TaskResult(
                          rs.getString(1), rs.getString(2), rs.getString(3), outcome(rs, 4)));
                }
              } finally {
                // the pooled connection goes back as it came
                lazy(connection, false);
              }
              return null;
            });
  }

  private static void lazy(Connection connection, boolean on) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("SET LAZY_QUERY_EXECUTION " + (on ? "TRUE" : "FALSE"));
    }
  }

  /**
   * Records that the task of row {@code index} is about to run, committed before this returns (with
   * other tasks' intents, not in the chunk's transaction).
   *
   * @return false when an intent was recorded before: by an earlier attempt of this job
   */
  boolean recordIntent(long index, Instant now) {
    Integer inserted =
        intents.commit(
            () ->
                jdbc.update(
                    "INSERT INTO QUARRY_TASK_INTENT (ROW_INDEX, STARTED) SELECT ?, ? WHERE NOT"
                        + " EXISTS (SELECT 1 FROM QUARRY_TASK_INTENT WHERE ROW_INDEX = ?)",
                    index,
                    Timestamp.from(now),
                    index));
    return inserted != null && inserted == 1;
  }

  /**
   * Records what the task of row {@code index} did, committed before this returns (with other
   * tasks' intents, not in the chunk's transaction).
   */
  void recordIntentOutcome(long index, TaskOutcome outcome) {
    intents.commit(
        () ->
            jdbc.update(
                "UPDATE QUARRY_TASK_INTENT SET STATUS = ?, ERROR_CODE = ?, HTTP_STATUS = ?,"
                    + " MESSAGE = ? WHERE ROW_INDEX = ?",
                outcome.status().name(),
                outcome.errorCode(),
                outcome.httpStatus(),
                cut(outcome.message()),
                index));
  }

  /**
   * What an earlier attempt recorded for row {@code index}: empty when it recorded no intent; an
   * intent without an outcome is a task that may or may not have run.
   */
  Optional<Optional<TaskOutcome>> intent(long index) {
    List<Optional<TaskOutcome>> found =
        jdbc.query(
            "SELECT STATUS, ERROR_CODE, HTTP_STATUS, MESSAGE FROM QUARRY_TASK_INTENT"
                + " WHERE ROW_INDEX = ?",
            (rs, n) -> rs.getString(1) == null ? Optional.empty() : Optional.of(outcome(rs, 1)),
            index);
    return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
  }

  Optional<String> setting(String name) {
    List<String> values =
        jdbc.queryForList(
            "SELECT SETTING_VALUE FROM QUARRY_SETTING WHERE NAME = ?", String.class, name);
    return values.stream().findFirst();
  }

  void putSetting(String name, String value) {
    jdbc.update("MERGE INTO QUARRY_SETTING (NAME, SETTING_VALUE) VALUES (?, ?)", name, value);
  }

  private static TaskOutcome outcome(ResultSet rs, int first) throws SQLException {
    return new TaskOutcome(
        TaskOutcome.Status.valueOf(rs.getString(first)),
        rs.getString(first + 1),
        rs.getInt(first + 2),
        rs.getString(first + 3));
  }

  private static String cut(String message) {
    return message.length() <= MAX_MESSAGE ? message : message.substring(0, MAX_MESSAGE);
  }
}
