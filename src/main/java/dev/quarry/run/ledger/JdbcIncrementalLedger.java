package dev.quarry.run.ledger;

import static java.util.Objects.requireNonNull;

import dev.quarry.app.IncrementalLedger;
import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.util.Collection;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The incremental ledger in the run store's database (tables of {@code db/runs/V7}), which {@link
 * dev.quarry.run.jdbc.JdbcRunStore#open} creates: a window counts when every step of its run has a
 * submitted job there (and the run was not cancelled), so the ledger needs no second write after
 * the submissions and a crash cannot leave the two apart. Times go as {@link LocalDateTime} (UTC),
 * never through the JVM's zone.
 */
public final class JdbcIncrementalLedger implements IncrementalLedger {
  // every job of the run was submitted (a split run's queued parts too: a part never submitted
  // handled nothing) and the run was not cancelled, or it ended completed with nothing to submit
  private static final String COUNTED =
      " ((EXISTS (SELECT 1 FROM run_step s WHERE s.run_id = w.run_id AND s.job_id IS NOT NULL)"
          + " AND NOT EXISTS (SELECT 1 FROM run_step s WHERE s.run_id = w.run_id AND s.job_id IS"
          + " NULL) AND NOT EXISTS (SELECT 1 FROM run r WHERE r.id = w.run_id AND r.phase ="
          + " 'CANCELLED')) OR EXISTS (SELECT 1 FROM run r WHERE r.id = w.run_id AND r.phase ="
          + " 'COMPLETED')) ";

  private final String url;

  /** The ledger at {@code url}; its schema is the run store's, migrated when the store opens. */
  public JdbcIncrementalLedger(String url) {
    this.url = requireNonNull(url, "url is null");
  }

  @Override
  public Optional<Window> lastCounted(String playbook) {
    return one(
        "SELECT * FROM incremental_window w WHERE w.playbook = ? AND"
            + COUNTED
            + "ORDER BY w.window_until DESC, w.run_id DESC",
        playbook);
  }

  @Override
  public Optional<Window> window(String runId) {
    return one("SELECT * FROM incremental_window w WHERE w.run_id = ?", runId);
  }

  @Override
  public Set<Handled> handled(String playbook, LocalDateTime after) {
    try (Connection c = connect();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT o.bucket, o.object_key, o.version_id FROM incremental_object o"
                    + " JOIN incremental_window w ON w.run_id = o.run_id"
                    + " WHERE w.playbook = ? AND w.window_until > ? AND"
                    + COUNTED)) {
      s.setString(1, playbook);
      s.setObject(2, after);
      Set<Handled> handled = new HashSet<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          handled.add(new Handled(rs.getString(1), rs.getString(2), rs.getString(3)));
        }
      }
      return handled;
    } catch (SQLException e) {
      throw failed(e);
    }
  }

  @Override
  public void record(Window window, Collection<Handled> objects) {
    try (Connection c = connect()) {
      c.setAutoCommit(false);
      try (PreparedStatement w =
              c.prepareStatement(
                  "INSERT INTO incremental_window (run_id, playbook, window_since, scan_from,"
                      + " window_until, late_rows) VALUES (?, ?, ?, ?, ?, ?)");
          PreparedStatement o =
              c.prepareStatement(
                  "INSERT INTO incremental_object (run_id, bucket, object_key, version_id)"
                      + " VALUES (?, ?, ?, ?)")) {
        w.setString(1, window.runId());
        w.setString(2, window.playbook());
        w.setObject(3, window.since());
        w.setObject(4, window.scanFrom());
        w.setObject(5, window.until());
        w.setLong(6, window.lateRows());
        w.executeUpdate();
        for (Handled h : objects) {
          o.setString(1, window.runId());
          o.setString(2, h.bucket());
          o.setString(3, h.key());
          o.setString(4, h.versionId());
          o.addBatch();
        }
        o.executeBatch();
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw failed(e);
    }
  }

  @Override
  public void prune(String playbook, LocalDateTime before) {
    Optional<String> keep = lastCounted(playbook).map(Window::runId);
    try (Connection c = connect();
        PreparedStatement s =
            c.prepareStatement(
                "DELETE FROM incremental_window WHERE playbook = ? AND window_until < ?"
                    + " AND run_id <> ?")) {
      s.setString(1, playbook);
      s.setObject(2, before);
      s.setString(3, keep.orElse(""));
      s.executeUpdate();
    } catch (SQLException e) {
      throw failed(e);
    }
  }

  private Optional<Window> one(String sql, String arg) {
    try (Connection c = connect();
        PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, arg);
      s.setMaxRows(1);
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(
            new Window(
                rs.getString("run_id"),
                rs.getString("playbook"),
                rs.getObject("window_since", LocalDateTime.class),
                rs.getObject("scan_from", LocalDateTime.class),
                rs.getObject("window_until", LocalDateTime.class),
                rs.getLong("late_rows")));
      }
    } catch (SQLException e) {
      throw failed(e);
    }
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection(url);
  }

  private static QuarryException failed(SQLException e) {
    return QuarryException.external(
        ErrorCode.RUN_STORE_FAILED, "the incremental ledger: " + e.getMessage(), e);
  }
}
