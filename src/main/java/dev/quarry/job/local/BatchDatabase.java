package dev.quarry.job.local;

import java.nio.file.Path;
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
    // WRITE_DELAY=0: a commit reaches the file before commit() returns, so a killed process
    // loses no committed intent or outcome (H2 otherwise writes committed changes a second later)
    String url =
        "jdbc:h2:file:"
            + dir.toAbsolutePath().resolve("batch")
            + ";WRITE_DELAY=0;LOCK_TIMEOUT=10000";
    try {
      return new BatchDatabase(JdbcConnectionPool.create(url, "sa", ""), maxConnections);
    } catch (Exception e) {
      throw new IllegalStateException("cannot open the job database in " + dir, e);
    }
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
