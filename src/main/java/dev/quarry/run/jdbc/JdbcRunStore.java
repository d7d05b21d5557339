package dev.quarry.run.jdbc;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.run.RunPhase;
import dev.quarry.run.RunRecord;
import dev.quarry.run.RunStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * The run store on a JDBC database: an embedded H2 file by default, PostgreSQL for a team. Flyway
 * brings the schema ({@code db/runs/V*.sql}) up to date when the store opens.
 *
 * <p>Each operation opens its own connection: an embedded H2 file is locked by the process that has
 * it open, so holding it would lock {@code quarry runs} out while a {@code quarry run} follows its
 * job. A second process that finds the file open waits for it (see {@link #connect}).
 */
public final class JdbcRunStore implements RunStore {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<LinkedHashMap<String, String>> PARAMETERS =
      new TypeReference<>() {};
  // H2's "database may be already in use": another quarry process has the file open right now
  // run_step.queued: a queued step whose manifest the plan wrote, or one planned after a restore
  private static final String PLANNED = "PLANNED";
  private static final String AFTER_RESTORE = "AFTER_RESTORE";
  private static final int H2_ALREADY_OPEN = 90020;
  private static final int OPEN_ATTEMPTS = 100;
  private static final int H2_LOCK_TIMEOUT = 50200;
  private static final int H2_CONCURRENT_UPDATE = 90131;

  private final String url;

  private JdbcRunStore(String url) {
    this.url = requireNonNull(url, "url is null");
  }

  /** Opens the store at {@code url}, creating or migrating its schema. */
  public static JdbcRunStore open(String url) {
    JdbcRunStore store = new JdbcRunStore(url);
    store.migrate();
    return store;
  }

  private void migrate() {
    for (int attempt = 1; ; attempt++) {
      try {
        Flyway.configure()
            .dataSource(url, null, null)
            .locations("classpath:db/runs")
            .table("quarry_run_schema_history")
            // a database shared with the local executor's Spring Batch tables is not empty
            .baselineOnMigrate(true)
            .baselineVersion("0")
            .load()
            .migrate();
        return;
      } catch (FlywayException e) {
        if (attempt >= OPEN_ATTEMPTS || !(alreadyOpen(e) || baselineUnderWay(e))) {
          throw QuarryException.external(
              ErrorCode.RUN_STORE_FAILED,
              "cannot open the run store " + redacted() + ": " + e.getMessage(),
              e);
        }
        pause();
      }
    }
  }

  @Override
  public void save(RunRecord run) {
    try (Connection c = connect()) {
      c.setAutoCommit(false);
      try {
        checkExtends(c, run);
        write(c, run);
        if (run.phase().ended()) {
          // the run is over: its playbook is free again, in the same transaction as the end
          try (PreparedStatement s =
              c.prepareStatement("DELETE FROM active_run WHERE playbook = ? AND run_id = ?")) {
            s.setString(1, run.playbook());
            s.setString(2, run.id());
            s.executeUpdate();
          }
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw failed("cannot save run " + run.id(), e);
    }
  }

  /**
   * A run's phases only grow: the record saved must go on from the stored one's transitions. A
   * process that drives a run with a stale copy (the run was cancelled, or taken on by another
   * process, meanwhile) is stopped here instead of writing over what happened. The stored row is
   * locked for the rest of the transaction, so two writers are checked one after the other.
   */
  private static void checkExtends(Connection c, RunRecord run) throws SQLException {
    try (PreparedStatement lock =
        c.prepareStatement("SELECT id FROM run WHERE id = ? FOR UPDATE")) {
      lock.setString(1, run.id());
      try (ResultSet r = lock.executeQuery()) {
        if (!r.next()) {
          return;
        }
      }
    }
    List<RunPhase> stored = new ArrayList<>();
    try (PreparedStatement s =
        c.prepareStatement("SELECT phase FROM run_transition WHERE run_id = ? ORDER BY seq")) {
      s.setString(1, run.id());
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          stored.add(RunPhase.valueOf(r.getString(1)));
        }
      }
    }
    List<RunPhase> given = run.transitions().stream().map(RunRecord.Transition::phase).toList();
    if (given.size() < stored.size() || !given.subList(0, stored.size()).equals(stored)) {
      throw QuarryException.user(
          ErrorCode.BUSY,
          "run "
              + run.id()
              + " was changed by another command meanwhile (it is "
              + stored.get(stored.size() - 1).label()
              + " now); this one stops without touching it: see quarry runs show "
              + run.id());
    }
  }

  @Override
  public Optional<RunRecord> start(RunRecord run) {
    if (run.phase().ended()) {
      throw new IllegalArgumentException("run " + run.id() + " has ended: it cannot start");
    }
    for (int attempt = 1; ; attempt++) {
      try (Connection c = connect()) {
        c.setAutoCommit(false);
        try {
          Optional<String> held = holder(c, run.playbook());
          if (held.isPresent() && !held.get().equals(run.id())) {
            Optional<RunRecord> holding = unfinished(c, held.get());
            if (holding.isPresent()) {
              c.rollback();
              return holding;
            }
            // stale: only the hold we saw is replaced, so of two takeovers one updates a row
            if (!takeOver(c, run, held.get())) {
              c.rollback();
              if (attempt >= OPEN_ATTEMPTS) {
                throw new QuarryException(
                    ErrorCode.RUN_STORE_FAILED,
                    "cannot start run " + run.id() + ": its playbook's hold keeps changing");
              }
              continue;
            }
          } else if (held.isEmpty()) {
            hold(c, run);
          }
          write(c, run);
          c.commit();
          return Optional.empty();
        } catch (SQLException | RuntimeException e) {
          c.rollback();
          throw e;
        }
      } catch (SQLException e) {
        // another start took the hold first, or holds it uncommitted still: look again
        if (attempt >= OPEN_ATTEMPTS || !lost(e)) {
          throw failed("cannot start run " + run.id(), e);
        }
      }
    }
  }

  @Override
  public Optional<RunRecord> active(String playbook) {
    try (Connection c = connect()) {
      Optional<String> held = holder(c, playbook);
      return held.isPresent() ? unfinished(c, held.get()) : Optional.empty();
    } catch (SQLException e) {
      throw failed("cannot read the run store", e);
    }
  }

  private static Optional<String> holder(Connection c, String playbook) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("SELECT run_id FROM active_run WHERE playbook = ?")) {
      s.setString(1, playbook);
      try (ResultSet r = s.executeQuery()) {
        return r.next() ? Optional.of(r.getString(1)) : Optional.empty();
      }
    }
  }

  // the run that holds a hold, unless it has ended or vanished: then the hold is stale
  private static Optional<RunRecord> unfinished(Connection c, String runId) throws SQLException {
    return select(c, " WHERE id = ?", List.of(runId)).stream()
        .filter(r -> !r.phase().ended())
        .findFirst();
  }

  private static void hold(Connection c, RunRecord run) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO active_run (playbook, run_id, held_since) VALUES (?, ?, ?)")) {
      s.setString(1, run.playbook());
      s.setString(2, run.id());
      s.setObject(3, time(run.started()));
      s.executeUpdate();
    }
  }

  private static boolean takeOver(Connection c, RunRecord run, String stale) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE active_run SET run_id = ?, held_since = ? WHERE playbook = ? AND run_id = ?")) {
      s.setString(1, run.id());
      s.setObject(2, time(run.started()));
      s.setString(3, run.playbook());
      s.setString(4, stale);
      return s.executeUpdate() == 1;
    }
  }

  // a start that lost a race: unique violation (SQLState 23505 on H2 and PostgreSQL), or H2's lock
  // timeout and concurrent update while the winner has not committed yet
  private static boolean lost(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql
          && ("23505".equals(sql.getSQLState())
              || sql.getErrorCode() == H2_LOCK_TIMEOUT
              || sql.getErrorCode() == H2_CONCURRENT_UPDATE)) {
        return true;
      }
    }
    return false;
  }

  // the run's rows, without committing: save and start each wrap it in their transaction
  private static void write(Connection c, RunRecord run) throws SQLException {
    upsert(c, run);
    replace(c, "DELETE FROM run_transition WHERE run_id = ?", run.id());
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO run_transition (run_id, seq, phase, entered_at) VALUES (?, ?, ?, ?)")) {
      for (int i = 0; i < run.transitions().size(); i++) {
        RunRecord.Transition t = run.transitions().get(i);
        s.setString(1, run.id());
        s.setInt(2, i);
        s.setString(3, t.phase().name());
        s.setObject(4, time(t.at()));
        s.addBatch();
      }
      s.executeBatch();
    }
    replace(c, "DELETE FROM run_step WHERE run_id = ?", run.id());
    insertSteps(c, run);
  }

  private static void insertSteps(Connection c, RunRecord run) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO run_step (run_id, step, step_action, manifest_location, manifest_etag,"
                + " manifest_rows, job_id, objects, succeeded, failed, report_location, note,"
                + " query_ids, step_options, queued)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      for (int i = 0; i < run.steps().size(); i++) {
        RunRecord.Step step = run.steps().get(i);
        s.setString(1, run.id());
        s.setInt(2, i);
        s.setString(3, step.action());
        s.setString(14, step.options().orElse(null));
        s.setString(15, null);
        s.setString(4, step.manifest().location());
        s.setString(5, step.manifest().etag());
        s.setLong(6, step.manifest().rows());
        s.setString(7, step.jobId().orElse(null));
        s.setLong(8, step.counts().objects());
        s.setLong(9, step.counts().succeeded());
        s.setLong(10, step.counts().failed());
        s.setString(11, step.report().orElse(null));
        s.setString(12, step.note().orElse(null));
        // Athena's query execution ids are alphanumerics and dashes: a comma cannot be in one
        s.setString(
            13,
            step.manifest().queryIds().isEmpty()
                ? null
                : String.join(",", step.manifest().queryIds()));
        s.addBatch();
      }
      for (int i = 0; i < run.queued().size(); i++) {
        RunRecord.Queued step = run.queued().get(i);
        RunRecord.Manifest manifest = step.manifest().orElse(new RunRecord.Manifest("", "", 0));
        s.setString(1, run.id());
        s.setInt(2, run.steps().size() + i);
        s.setString(3, step.action());
        s.setString(4, manifest.location());
        s.setString(5, manifest.etag());
        s.setLong(6, manifest.rows());
        s.setString(7, null);
        s.setLong(8, manifest.rows());
        s.setLong(9, 0);
        s.setLong(10, 0);
        s.setString(11, null);
        s.setString(12, null);
        s.setString(13, null);
        s.setString(14, step.options());
        s.setString(15, step.afterRestore() ? AFTER_RESTORE : PLANNED);
        s.addBatch();
      }
      s.executeBatch();
    }
  }

  private static void replace(Connection c, String sql, String id) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, id);
      s.executeUpdate();
    }
  }

  // UPDATE, else INSERT: portable across H2 and PostgreSQL (MERGE and ON CONFLICT differ)
  private static void upsert(Connection c, RunRecord run) throws SQLException {
    String columns =
        "playbook = ?, playbook_hash = ?, parameters = ?, engine = ?, manifest_location = ?,"
            + " manifest_etag = ?, manifest_rows = ?, phase = ?, started_at = ?, ended_at = ?,"
            + " approved_by = ?, report_location = ?, objects = ?, succeeded = ?, failed = ?,"
            + " failure_reason = ?, playbook_path = ?, retry_of = ?";
    try (PreparedStatement s = c.prepareStatement("UPDATE run SET " + columns + " WHERE id = ?")) {
      bind(s, run);
      s.setString(19, run.id());
      if (s.executeUpdate() == 1) {
        return;
      }
    }
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO run (playbook, playbook_hash, parameters, engine, manifest_location,"
                + " manifest_etag, manifest_rows, phase, started_at, ended_at, approved_by,"
                + " report_location, objects, succeeded, failed, failure_reason, playbook_path,"
                + " retry_of, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      bind(s, run);
      s.setString(19, run.id());
      s.executeUpdate();
    }
  }

  private static void bind(PreparedStatement s, RunRecord run) throws SQLException {
    s.setString(1, run.playbook());
    s.setString(2, run.playbookHash());
    try {
      s.setString(3, JSON.writeValueAsString(new java.util.TreeMap<>(run.parameters())));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("parameters are strings", e);
    }
    s.setString(4, run.engine());
    s.setString(5, run.manifest().map(RunRecord.Manifest::location).orElse(null));
    s.setString(6, run.manifest().map(RunRecord.Manifest::etag).orElse(null));
    s.setObject(7, run.manifest().map(RunRecord.Manifest::rows).orElse(null));
    s.setString(8, run.phase().name());
    s.setObject(9, time(run.started()));
    s.setObject(10, run.ended().map(JdbcRunStore::time).orElse(null));
    s.setString(11, run.approvedBy().orElse(null));
    s.setString(12, run.report().orElse(null));
    s.setLong(13, run.counts().objects());
    s.setLong(14, run.counts().succeeded());
    s.setLong(15, run.counts().failed());
    s.setString(16, run.failureReason().orElse(null));
    s.setString(17, run.playbookPath().orElse(null));
    s.setString(18, run.retryOf().orElse(null));
  }

  @Override
  public Optional<RunRecord> find(String runId) {
    List<RunRecord> runs = select(" WHERE id = ?", List.of(runId));
    return runs.stream().findFirst();
  }

  @Override
  public List<RunRecord> list(Query query) {
    StringBuilder where = new StringBuilder(" WHERE 1 = 1");
    List<Object> args = new ArrayList<>();
    query.playbook().ifPresent(p -> where.append(" AND playbook = ?").append(add(args, p)));
    query.phase().ifPresent(p -> where.append(" AND phase = ?").append(add(args, p.name())));
    query.since().ifPresent(t -> where.append(" AND started_at >= ?").append(add(args, time(t))));
    return select(where + " ORDER BY started_at DESC, id DESC", args);
  }

  private static String add(List<Object> args, Object value) {
    args.add(value);
    return "";
  }

  private List<RunRecord> select(String where, List<Object> args) {
    try (Connection c = connect()) {
      return select(c, where, args);
    } catch (SQLException e) {
      throw failed("cannot read the run store", e);
    }
  }

  private static List<RunRecord> select(Connection c, String where, List<Object> args)
      throws SQLException {
    Map<String, List<RunRecord.Transition>> transitions = new LinkedHashMap<>();
    Map<String, Steps> steps = new LinkedHashMap<>();
    List<Object[]> rows = new ArrayList<>();
    try (PreparedStatement s = c.prepareStatement("SELECT * FROM run" + where)) {
      for (int i = 0; i < args.size(); i++) {
        s.setObject(i + 1, args.get(i));
      }
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          rows.add(row(r));
        }
      }
    }
    for (Object[] row : rows) {
      String id = (String) row[0];
      transitions.put(id, transitions(c, id));
      steps.put(id, steps(c, id));
    }
    List<RunRecord> runs = new ArrayList<>();
    for (Object[] row : rows) {
      String id = (String) row[0];
      runs.add(record(row, transitions.get(id), steps.get(id)));
    }
    return runs;
  }

  private static Object[] row(ResultSet r) throws SQLException {
    return new Object[] {
      r.getString("id"),
      r.getString("playbook"),
      r.getString("playbook_hash"),
      r.getString("parameters"),
      r.getString("engine"),
      Optional.ofNullable(r.getString("playbook_path")),
      Optional.ofNullable(r.getString("approved_by")),
      Optional.ofNullable(r.getString("failure_reason")),
      Optional.ofNullable(r.getString("retry_of"))
    };
  }

  @SuppressWarnings("unchecked")
  private static RunRecord record(
      Object[] row, List<RunRecord.Transition> transitions, Steps steps) {
    Map<String, String> parameters;
    try {
      parameters = JSON.readValue((String) row[3], PARAMETERS);
    } catch (JsonProcessingException e) {
      throw new QuarryException(
          ErrorCode.INTERNAL_ERROR, "run " + row[0] + " has unreadable parameters", e);
    }
    return new RunRecord(
        (String) row[0],
        (String) row[1],
        (Optional<String>) row[5],
        (String) row[2],
        parameters,
        (String) row[4],
        steps.reached(),
        transitions,
        (Optional<String>) row[6],
        (Optional<String>) row[7],
        (Optional<String>) row[8],
        steps.queued());
  }

  private static List<RunRecord.Transition> transitions(Connection c, String id)
      throws SQLException {
    List<RunRecord.Transition> out = new ArrayList<>();
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT phase, entered_at FROM run_transition WHERE run_id = ? ORDER BY seq")) {
      s.setString(1, id);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          out.add(
              new RunRecord.Transition(
                  RunPhase.valueOf(r.getString(1)),
                  r.getObject(2, OffsetDateTime.class).toInstant()));
        }
      }
    }
    return out;
  }

  /** A run's steps as stored: those reached, then those queued. */
  private record Steps(List<RunRecord.Step> reached, List<RunRecord.Queued> queued) {}

  private static Steps steps(Connection c, String id) throws SQLException {
    List<RunRecord.Step> out = new ArrayList<>();
    List<RunRecord.Queued> queued = new ArrayList<>();
    try (PreparedStatement s =
        c.prepareStatement("SELECT * FROM run_step WHERE run_id = ? ORDER BY step")) {
      s.setString(1, id);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          String waits = r.getString("queued");
          if (waits != null) {
            queued.add(
                new RunRecord.Queued(
                    r.getString("step_action"),
                    r.getString("step_options"),
                    AFTER_RESTORE.equals(waits)
                        ? Optional.empty()
                        : Optional.of(
                            new RunRecord.Manifest(
                                r.getString("manifest_location"),
                                r.getString("manifest_etag"),
                                r.getLong("manifest_rows")))));
            continue;
          }
          out.add(
              new RunRecord.Step(
                  r.getString("step_action"),
                  Optional.ofNullable(r.getString("step_options")),
                  new RunRecord.Manifest(
                      r.getString("manifest_location"),
                      r.getString("manifest_etag"),
                      r.getLong("manifest_rows"),
                      queryIds(r.getString("query_ids"))),
                  Optional.ofNullable(r.getString("job_id")),
                  new RunRecord.Counts(
                      r.getLong("objects"), r.getLong("succeeded"), r.getLong("failed")),
                  Optional.ofNullable(r.getString("report_location")),
                  Optional.ofNullable(r.getString("note"))));
        }
      }
    }
    return new Steps(out, queued);
  }

  private static List<String> queryIds(String joined) {
    return joined == null || joined.isEmpty() ? List.of() : List.of(joined.split(","));
  }

  private static OffsetDateTime time(Instant at) {
    return at.atOffset(ZoneOffset.UTC);
  }

  private Connection connect() throws SQLException {
    for (int attempt = 1; ; attempt++) {
      try {
        return DriverManager.getConnection(url);
      } catch (SQLException e) {
        if (attempt >= OPEN_ATTEMPTS || e.getErrorCode() != H2_ALREADY_OPEN) {
          throw e;
        }
        pause();
      }
    }
  }

  /**
   * Another process is baselining the same schema at this moment: it has created Flyway's history
   * table and not yet written its first row (two daemons started together on one PostgreSQL).
   * Flyway refuses rather than wait (it names no code for it, only this message); a moment later
   * the row is there and the migration goes on from it.
   */
  public static boolean baselineUnderWay(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof FlywayException
          && t.getMessage() != null
          && t.getMessage().contains("as it already exists, and is empty")) {
        return true;
      }
    }
    return false;
  }

  private static boolean alreadyOpen(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && sql.getErrorCode() == H2_ALREADY_OPEN) {
        return true;
      }
    }
    return false;
  }

  private static void pause() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw QuarryException.user(
          ErrorCode.INTERRUPTED, "interrupted while waiting for the run store");
    }
  }

  private QuarryException failed(String what, SQLException e) {
    return QuarryException.external(
        ErrorCode.RUN_STORE_FAILED, what + " (" + redacted() + "): " + e.getMessage(), e);
  }

  // a PostgreSQL URL may carry a password
  private String redacted() {
    int query = url.indexOf('?');
    return query < 0 ? url : url.substring(0, query) + "?...";
  }

  @Override
  public void close() {
    // nothing held between operations
  }
}
