package dev.quarry.metadata;

import static java.util.Objects.requireNonNull;

import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * Streams rows into the DuckDB table {@value #TABLE} from any number of threads: they queue rows (a
 * bounded queue, so memory stays flat however large the bucket), one writer thread appends them
 * with DuckDB's Appender, the only thread that touches the connection until {@link #finish}.
 */
final class InventoryWriter implements AutoCloseable {
  static final String TABLE = "listed";

  private static final Entry END =
      new Entry(InventoryRow.deleteMarker("-", "-", null, Instant.EPOCH, -1), false);

  /**
   * @param headReused the row's HeadObject fields are to be taken from the previous inventory (the
   *     refresh fills them in SQL); only its listing fields and tags were read
   */
  private record Entry(InventoryRow row, boolean headReused) {}

  private final DuckDBConnection connection;
  private final BlockingQueue<Entry> queue;
  private final Thread thread;
  private final AtomicLong written = new AtomicLong();
  private volatile Throwable failure;
  private boolean finished;

  InventoryWriter(DuckDBConnection connection, int capacity) throws SQLException {
    this.connection = requireNonNull(connection, "connection is null");
    this.queue = new ArrayBlockingQueue<>(capacity);
    try (Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE TABLE "
              + TABLE
              + " (bucket VARCHAR, key VARCHAR, version_id VARCHAR, is_delete_marker BOOLEAN,"
              + " size BIGINT, last_modified_date TIMESTAMP, e_tag VARCHAR, storage_class VARCHAR,"
              + " is_multipart BOOLEAN, encryption_status VARCHAR, is_bucket_key_enabled BOOLEAN,"
              + " kms_key_arn VARCHAR, checksum_algorithm VARCHAR,"
              + " object_tags MAP(VARCHAR, VARCHAR), user_metadata MAP(VARCHAR, VARCHAR),"
              + " listing_order BIGINT, head_reused BOOLEAN)");
    }
    this.thread = new Thread(this::drain, "quarry-inventory-writer");
    thread.setDaemon(true);
    thread.start();
  }

  /** Queues a row, waiting while the queue is full. */
  void add(InventoryRow row) throws InterruptedException {
    add(row, false);
  }

  /**
   * Queues a row whose HeadObject fields are still to be taken from the previous inventory, waiting
   * while the queue is full.
   */
  void addReused(InventoryRow row) throws InterruptedException {
    add(row, true);
  }

  private void add(InventoryRow row, boolean headReused) throws InterruptedException {
    requireNonNull(row, "row is null");
    Entry entry = new Entry(row, headReused);
    while (!queue.offer(entry, 200, TimeUnit.MILLISECONDS)) {
      checkFailure();
    }
  }

  long written() {
    return written.get();
  }

  /** Waits until every queued row is in the table; rethrows the writer's failure, if any. */
  long finish() throws InterruptedException, SQLException {
    if (!finished) {
      finished = true;
      queue.put(END);
      thread.join();
    }
    checkFailure();
    return written.get();
  }

  private void checkFailure() {
    Throwable f = failure;
    if (f != null) {
      throw new IllegalStateException("writing the inventory to DuckDB failed: " + f, f);
    }
  }

  private void drain() {
    try (DuckDBAppender appender = connection.createAppender(TABLE)) {
      while (true) {
        Entry entry = queue.take();
        if (entry == END) {
          break;
        }
        if (failure == null) {
          append(appender, entry.row(), entry.headReused());
          written.incrementAndGet();
        }
      }
    } catch (Throwable t) {
      failure = t;
      // keep taking rows so that producers never block on a dead writer
      drainAfterFailure();
    }
  }

  private void drainAfterFailure() {
    try {
      while (queue.take() != END) {
        // discarded: the refresh fails anyway
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void append(DuckDBAppender a, InventoryRow row, boolean headReused)
      throws SQLException {
    a.beginRow();
    a.append(row.bucket());
    a.append(row.key());
    a.append(row.versionId());
    a.append(row.deleteMarker());
    a.append(row.size());
    a.append(LocalDateTime.ofInstant(row.lastModified(), ZoneOffset.UTC));
    a.append(row.eTag());
    a.append(row.storageClass());
    a.append(row.multipart());
    a.append(row.encryptionStatus());
    a.append(row.bucketKeyEnabled());
    a.append(row.kmsKeyArn());
    a.append(row.checksumAlgorithm());
    if (row.objectTags() == null) {
      a.appendNull();
    } else {
      a.append(row.objectTags());
    }
    if (row.userMetadata() == null) {
      a.appendNull();
    } else {
      a.append(row.userMetadata());
    }
    a.append(row.listingOrder());
    a.append(headReused);
    a.endRow();
  }

  /** Stops the writer thread; after a failure elsewhere, rows still queued are appended. */
  @Override
  public void close() {
    if (!finished) {
      finished = true;
      try {
        queue.put(END);
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
