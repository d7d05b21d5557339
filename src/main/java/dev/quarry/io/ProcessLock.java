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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * An exclusive lock on a file, held across processes. The operating system releases it when the
 * holding process dies, however it dies, so a free lock also tells that its holder is gone.
 */
public final class ProcessLock implements AutoCloseable {
  private final FileChannel channel;
  private final FileLock lock;

  private ProcessLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** The lock, or empty when another process (or another thread of this one) holds it. */
  public static Optional<ProcessLock> tryAcquire(Path file) {
    FileChannel channel = open(file);
    try {
      FileLock lock = channel.tryLock();
      if (lock != null) {
        return Optional.of(new ProcessLock(channel, lock));
      }
    } catch (OverlappingFileLockException heldInThisJvm) {
      // another thread of this process holds it
    } catch (IOException e) {
      closeQuietly(channel);
      throw new UncheckedIOException("cannot lock " + file, e);
    }
    closeQuietly(channel);
    return Optional.empty();
  }

  /**
   * The lock, waiting for another process to release it. Threads of one process must not wait on
   * the same file at once (the JVM refuses overlapping locks): serialize them first.
   */
  public static ProcessLock acquire(Path file) {
    FileChannel channel = open(file);
    try {
      return new ProcessLock(channel, channel.lock());
    } catch (IOException e) {
      closeQuietly(channel);
      throw new UncheckedIOException("cannot lock " + file, e);
    }
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
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
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
