package dev.quarry.job.local;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Writes that must each be committed before their caller goes on (a task's intent, its outcome),
 * from many workers at once, committed together: a caller waits while another's commit runs, then
 * one of the waiters commits all that queued meanwhile in one transaction. Each caller still
 * returns only once its own write is committed, so what a crash leaves is what it left with a
 * commit per write; the commits, which cost the job's database a file write each, are fewer.
 *
 * <p>A failure fails every write of its transaction: each caller gets the exception.
 */
final class GroupCommit {
  private final TransactionTemplate transaction;
  private final Object lock = new Object();
  private List<Write<?>> queued = new ArrayList<>();
  private boolean committing;

  /**
   * @param transaction a transaction of its own (requires new), not the caller's chunk's
   */
  GroupCommit(TransactionTemplate transaction) {
    this.transaction = requireNonNull(transaction, "transaction is null");
  }

  private static final class Write<T> {
    final Supplier<T> statement;
    T result;
    RuntimeException failure;
    boolean done;

    Write(Supplier<T> statement) {
      this.statement = statement;
    }

    void run() {
      result = statement.get();
    }
  }

  /** Runs {@code statement} in a transaction that is committed before this returns. */
  <T> T commit(Supplier<T> statement) {
    Write<T> write = new Write<>(requireNonNull(statement, "statement is null"));
    boolean interrupted = false;
    try {
      List<Write<?>> batch;
      synchronized (lock) {
        queued.add(write);
        while (committing && !write.done) {
          try {
            lock.wait();
          } catch (InterruptedException e) {
            // the write is queued and another caller may be committing it: wait for its fate all
            // the same, so that no caller goes on with a write it does not know was committed
            interrupted = true;
          }
        }
        if (write.done) {
          return result(write);
        }
        // nobody is committing and this write is queued: commit all that is
        committing = true;
        batch = queued;
        queued = new ArrayList<>();
      }
      RuntimeException failure = null;
      boolean committed = false;
      try {
        transaction.executeWithoutResult(status -> batch.forEach(Write::run));
        committed = true;
      } catch (RuntimeException e) {
        failure = e;
      } finally {
        // an Error thrown above leaves neither: the others must not take their writes as done
        RuntimeException outcome =
            committed || failure != null
                ? failure
                : new IllegalStateException("the commit of a task's intent did not complete");
        synchronized (lock) {
          for (Write<?> w : batch) {
            w.done = true;
            w.failure = outcome;
          }
          committing = false;
          lock.notifyAll();
        }
      }
      return result(write);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** How many writes wait for the next commit (for tests). */
  int waiting() {
    synchronized (lock) {
      return queued.size();
    }
  }

  private static <T> T result(Write<T> write) {
    if (write.failure != null) {
      throw write.failure;
    }
    return write.result;
  }
}
