package dev.quarry.metadata;

import dev.quarry.error.QuarryException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** One writer per namespace at a time (a refresh or an import), across processes. */
final class NamespaceLock implements AutoCloseable {
  private final FileChannel channel;
  private final FileLock lock;

  private NamespaceLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  static NamespaceLock acquire(Path namespaceDir) {
    try {
      Files.createDirectories(namespaceDir);
      FileChannel channel =
          FileChannel.open(
              namespaceDir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        channel.close();
        throw QuarryException.user(
            "another refresh or import of "
                + namespaceDir.getFileName()
                + " is running ("
                + namespaceDir
                + ")");
      }
      return new NamespaceLock(channel, lock);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
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
