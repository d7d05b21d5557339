package dev.quarry.job.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Held by the one process that runs a job. The operating system releases it when that process dies,
 * however it dies, so a free lock on an Active job means the job was interrupted.
 */
final class RunLock implements AutoCloseable {
  private final FileChannel channel;
  private final FileLock lock;

  private RunLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** The lock, or empty when another process (or thread) runs the job. */
  static Optional<RunLock> tryAcquire(Path jobDir) {
    try {
      Files.createDirectories(jobDir);
      FileChannel channel =
          FileChannel.open(
              jobDir.resolve("run.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      try {
        FileLock lock = channel.tryLock();
        if (lock != null) {
          return Optional.of(new RunLock(channel, lock));
        }
      } catch (OverlappingFileLockException heldInThisJvm) {
        // another thread of this process runs it
      }
      channel.close();
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot lock " + jobDir, e);
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
