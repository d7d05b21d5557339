package dev.quarry.job.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.DefaultTransactionStatus;
import org.springframework.transaction.support.TransactionTemplate;

/** Writes of many workers share commits of a real H2 file database, each committed on return. */
class GroupCommitTest {
  @TempDir Path dir;

  private JdbcConnectionPool pool;
  private JdbcTemplate jdbc;
  private final AtomicInteger commits = new AtomicInteger();
  private GroupCommit group;
  private final ExecutorService workers = Executors.newFixedThreadPool(8);

  @BeforeEach
  void setUp() {
    pool = JdbcConnectionPool.create("jdbc:h2:file:" + dir.resolve("db"), "sa", "");
    jdbc = new JdbcTemplate(pool);
    jdbc.execute("CREATE TABLE T (ID INT PRIMARY KEY)");
    // counts the commits of the real transaction manager
    JdbcTransactionManager transactions =
        new JdbcTransactionManager(pool) {
          private static final long serialVersionUID = 1L;

          @Override
          protected void doCommit(DefaultTransactionStatus status) {
            commits.incrementAndGet();
            super.doCommit(status);
          }
        };
    TransactionTemplate own = new TransactionTemplate(transactions);
    own.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    group = new GroupCommit(own);
  }

  @AfterEach
  void tearDown() {
    workers.shutdownNow();
    pool.dispose();
  }

  private Integer insert(int id) {
    return jdbc.update("INSERT INTO T (ID) VALUES (?)", id);
  }

  /** Holds the first commit open until released, while 7 more writes queue behind it. */
  private List<Future<Integer>> sevenQueuedBehindOne(CountDownLatch release, int duplicate)
      throws Exception {
    CountDownLatch first = new CountDownLatch(1);
    List<Future<Integer>> calls = new ArrayList<>();
    calls.add(
        workers.submit(
            () ->
                group.commit(
                    () -> {
                      first.countDown();
                      await(release);
                      return insert(0);
                    })));
    assertThat(first.await(10, TimeUnit.SECONDS)).isTrue();
    for (int i = 1; i < 8; i++) {
      int id = i == 7 ? duplicate : i;
      calls.add(workers.submit(() -> group.commit(() -> insert(id))));
    }
    while (group.waiting() < 7) {
      Thread.sleep(1);
    }
    return calls;
  }

  @Test
  void writesQueuedWhileACommitRunsAreCommittedTogether() throws Exception {
    // given: one commit running, seven writes waiting for it
    CountDownLatch release = new CountDownLatch(1);
    List<Future<Integer>> calls = sevenQueuedBehindOne(release, 7);

    // when
    release.countDown();

    // then: each caller has its own result, every row is committed, in two commits, not eight
    for (Future<Integer> call : calls) {
      assertThat(call.get(10, TimeUnit.SECONDS)).isEqualTo(1);
    }
    assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM T", Integer.class)).isEqualTo(8);
    assertThat(commits.get()).isEqualTo(2);
  }

  @Test
  void aFailingWriteFailsEveryWriteOfItsCommitAndNoneIsKept() throws Exception {
    // given: one commit running; of the seven waiting, the last inserts row 1 again
    CountDownLatch release = new CountDownLatch(1);
    List<Future<Integer>> calls = sevenQueuedBehindOne(release, 1);

    // when
    release.countDown();

    // then: the first commit holds; all seven of the second fail and none of their rows is kept
    assertThat(calls.get(0).get(10, TimeUnit.SECONDS)).isEqualTo(1);
    for (Future<Integer> call : calls.subList(1, 8)) {
      assertThatThrownBy(() -> call.get(10, TimeUnit.SECONDS))
          .hasRootCauseInstanceOf(org.h2.jdbc.JdbcSQLIntegrityConstraintViolationException.class);
    }
    assertThat(jdbc.queryForList("SELECT ID FROM T", Integer.class)).containsExactly(0);
  }

  private static void await(CountDownLatch latch) {
    try {
      assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }
}
