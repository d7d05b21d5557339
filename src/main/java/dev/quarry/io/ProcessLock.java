package dev.quarry.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * An exclusive lock on a file, held across processes. The operating system releases it when the
 * holding process dies, however it dies, so a free lock also tells that its holder is gone.
 */
public final class ProcessLock implements AutoCloseable {
  /**
   * The lock files this process holds. A file this process holds is never opened a second time: on
   * Linux, closing any descriptor of a file drops every lock the process holds on it (POSIX record
   * locks belong to the process, not to the channel), so a refused second channel, once closed,
   * would silently hand the first holder's lock to another process.
   */
  private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

  private final Path key;
  private final FileChannel channel;
  private final FileLock lock;
  private final AtomicBoolean closed = new AtomicBoolean();

  private ProcessLock(Path key, FileChannel channel, FileLock lock) {
    this.key = key;
    this.channel = channel;
    this.lock = lock;
  }

  /** The lock, or empty when another process (or another thread of this one) holds it. */
  public static Optional<ProcessLock> tryAcquire(Path file) {
    Path key = key(file);
    if (!HELD.add(key)) {
      return Optional.empty();
    }
    FileChannel channel;
    try {
      channel = open(file);
    } catch (RuntimeException e) {
      HELD.remove(key);
      throw e;
    }
    try {
      FileLock lock = channel.tryLock();
      if (lock != null) {
        return Optional.of(new ProcessLock(key, channel, lock));
      }
    } catch (OverlappingFileLockException heldInThisJvm) {
      // not through this class; nothing of ours to drop by closing
    } catch (IOException e) {
      closeQuietly(channel);
      HELD.remove(key);
      throw new UncheckedIOException("cannot lock " + file, e);
    }
    // no lock of this process is on the file (HELD said so): closing drops nothing
    closeQuietly(channel);
    HELD.remove(key);
    return Optional.empty();
  }

  /**
   * The lock, waiting for another process, or another thread of this one, to release it. Prefer
   * {@link #locked}, which lets the threads of this process take turns without polling.
   */
  public static ProcessLock acquire(Path file) {
    Path key = key(file);
    while (!HELD.add(key)) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the lock " + file, e);
      }
    }
    try {
      FileChannel channel = open(file);
      try {
        return new ProcessLock(key, channel, channel.lock());
      } catch (IOException e) {
        closeQuietly(channel);
        throw new UncheckedIOException("cannot lock " + file, e);
      }
    } catch (RuntimeException e) {
      HELD.remove(key);
      throw e;
    }
  }

  private static Path key(Path file) {
    return file.toAbsolutePath().normalize();
  }

  /**
   * Runs {@code body} holding the lock of {@code file}: threads of this process take turns first
   * (the JVM refuses overlapping file locks), then the process waits for the others.
   */
  public static <T> T locked(Path file, Supplier<T> body) {
    ReentrantLock local =
        THREADS.computeIfAbsent(file.toAbsolutePath().normalize(), p -> new ReentrantLock());
    local.lock();
    try {
      ProcessLock lock = acquire(file);
      try {
        return body.get();
      } finally {
        lock.close();
      }
    } finally {
      local.unlock();
    }
  }

  /** One lock per lock file, for the threads of this process. */
  private static final ConcurrentHashMap<Path, ReentrantLock> THREADS = new ConcurrentHashMap<>();

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot release the lock " + key, e);
    } finally {
      HELD.remove(key);
    }
  }

  private static FileChannel open(Path file) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open lock file " + file, e);
    }
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // the channel held no lock; nothing is left to release
    }
  }
}
