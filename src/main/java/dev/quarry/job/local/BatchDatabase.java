package dev.quarry.job.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.repository.support.JdbcJobRepositoryFactoryBean;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * One job's H2 database in file mode, {@code <jobDir>/batch.mv.db}: Spring Batch's JobRepository
 * (reader positions, step executions) and Quarry's task outcomes and intents share it, and one
 * transaction manager, so a chunk's outcomes and its reader position commit together.
 *
 * <p>One database per job rather than one for all: jobs run in different processes at once, and an
 * embedded H2 file admits one process; a job's state also goes away with its folder.
 */
final class BatchDatabase implements AutoCloseable {
  private final JdbcConnectionPool pool;
  private final JdbcTransactionManager transactions;
  private final JobRepository repository;

  private BatchDatabase(JdbcConnectionPool pool, int maxConnections) throws Exception {
    this.pool = pool;
    pool.setMaxConnections(maxConnections);
    this.transactions = new JdbcTransactionManager(pool);
    JdbcTemplate jdbc = new JdbcTemplate(pool);
    Integer tables =
        jdbc.queryForObject(
            "SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_NAME = 'BATCH_JOB_INSTANCE'",
            Integer.class);
    if (tables == null || tables == 0) {
      new ResourceDatabasePopulator(
              new ClassPathResource("org/springframework/batch/core/schema-h2.sql"))
          .execute(pool);
    }
    OutcomeStore.createTables(jdbc);
    JdbcJobRepositoryFactoryBean factory = new JdbcJobRepositoryFactoryBean();
    factory.setDataSource(pool);
    factory.setTransactionManager(transactions);
    factory.setDatabaseType("H2");
    factory.afterPropertiesSet();
    this.repository = factory.getObject();
  }

  /**
   * Opens (creating if needed) the database in {@code dir}.
   *
   * @param maxConnections at least two per concurrent worker: a chunk's transaction and a task's
   *     intent, committed on its own
   */
  static BatchDatabase open(Path dir, int maxConnections) {
    try {
      return new BatchDatabase(JdbcConnectionPool.create(url(dir, NAME), "sa", ""), maxConnections);
    } catch (Exception e) {
      throw new IllegalStateException("cannot open the job database in " + dir, e);
    }
  }

  /**
   * Rewrites the database in {@code dir} from its committed content, for a job whose process was
   * killed. An H2 MVStore killed while it stores can keep an uncommitted entry of a transaction
   * that no longer exists (h2database#2080); a later write of that row then spins forever. The copy
   * holds what was committed and nothing else. It replaces the old file in one rename, so a kill
   * during the rebuild leaves the old database as it was.
   */
  static void rebuild(Path dir) {
    Path current = dir.resolve(NAME + ".mv.db");
    if (!Files.exists(current)) {
      return;
    }
    Path script = dir.resolve(NAME + "-rebuild.sql");
    Path fresh = dir.resolve(REBUILT + ".mv.db");
    try {
      Files.deleteIfExists(script);
      Files.deleteIfExists(fresh);
      try (Connection old = DriverManager.getConnection(url(dir, NAME), "sa", "");
          Statement statement = old.createStatement()) {
        statement.execute("SCRIPT TO '" + sqlPath(script) + "'");
        statement.execute("SHUTDOWN");
      }
      try (Connection copy = DriverManager.getConnection(url(dir, REBUILT), "sa", "");
          Statement statement = copy.createStatement()) {
        statement.execute("RUNSCRIPT FROM '" + sqlPath(script) + "'");
        statement.execute("SHUTDOWN");
      }
      Files.move(
          fresh, current, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      Files.delete(script);
    } catch (SQLException | IOException e) {
      throw new IllegalStateException("cannot rebuild the job database in " + dir, e);
    }
  }

  private static final String NAME = "batch";
  private static final String REBUILT = "batch-rebuilt";

  // WRITE_DELAY=0: a commit reaches the file before commit() returns, so a killed process loses no
  // committed intent or outcome (H2 otherwise writes committed changes a second later)
  private static String url(Path dir, String name) {
    return "jdbc:h2:file:"
        + dir.toAbsolutePath().resolve(name)
        + ";WRITE_DELAY=0;LOCK_TIMEOUT=10000";
  }

  private static String sqlPath(Path file) {
    return file.toAbsolutePath().toString().replace("'", "''");
  }

  DataSource dataSource() {
    return pool;
  }

  PlatformTransactionManager transactions() {
    return transactions;
  }

  JobRepository repository() {
    return repository;
  }

  @Override
  public void close() {
    try (var connection = pool.getConnection();
        var statement = connection.createStatement()) {
      statement.execute("SHUTDOWN");
    } catch (java.sql.SQLException e) {
      // already closed: nothing to release
    } finally {
      pool.dispose();
    }
  }
}
