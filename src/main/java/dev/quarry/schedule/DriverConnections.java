package dev.quarry.schedule;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.quartz.utils.ConnectionProvider;

/**
 * Quartz's connections to the run store's database, a new one for each use and closed after it,
 * never pooled: an embedded H2 file is locked by the process that has it open, and a pool would
 * lock {@code quarry runs} and {@code quarry confirm} out for as long as the daemon runs (the run
 * store connects per operation for the same reason).
 */
final class DriverConnections implements ConnectionProvider {
  // H2's "database may be already in use": another quarry process has the file open right now
  private static final int H2_ALREADY_OPEN = 90020;
  private static final int ATTEMPTS = 100;

  private final String url;

  DriverConnections(String url) {
    this.url = requireNonNull(url, "url is null");
  }

  @Override
  public Connection getConnection() throws SQLException {
    for (int attempt = 1; ; attempt++) {
      try {
        return DriverManager.getConnection(url);
      } catch (SQLException e) {
        if (attempt >= ATTEMPTS || !alreadyOpen(e)) {
          throw e;
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  static boolean alreadyOpen(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && sql.getErrorCode() == H2_ALREADY_OPEN) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void shutdown() {}

  @Override
  public void initialize() {}
}
