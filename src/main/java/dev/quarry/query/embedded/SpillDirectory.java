package dev.quarry.query.embedded;

import dev.quarry.io.ProcessLock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Where one DuckDB connection spills what does not fit in its memory limit: {@code <root>/<id>/},
 * beside a lock file {@code <root>/<id>.lock} held while the connection lives.
 *
 * <p>DuckDB removes its own spill files when a query ends, but not when the process is stopped: a
 * SIGTERM runs the JVM's shutdown hooks and nothing of DuckDB's. So every open directory is removed
 * by {@link #close()}, by one shutdown hook for those still open at exit, and, for a process killed
 * outright, by the next {@link #create} under the same root: a lock the system released means its
 * holder is gone, so its directory is swept.
 */
final class SpillDirectory implements AutoCloseable {
  private static final String LOCK = ".lock";
  private static final long EXIT_DEADLINE_MILLIS = 3_000;
  private static final Set<SpillDirectory> OPEN = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(() -> OPEN.forEach(SpillDirectory::deleteAtExit), "quarry-spill-cleanup"));
  }

  private final Path dir;
  private final Path lockFile;
  private final ProcessLock lock;

  private SpillDirectory(Path dir, Path lockFile, ProcessLock lock) {
    this.dir = dir;
    this.lockFile = lockFile;
    this.lock = lock;
  }

  /** Sweeps what killed processes left under {@code root}, then makes a directory of its own. */
  static SpillDirectory create(Path root) {
    Path absolute = root.toAbsolutePath().normalize();
    try {
      Files.createDirectories(absolute);
      sweep(absolute);
      String id = UUID.randomUUID().toString();
      Path lockFile = absolute.resolve(id + LOCK);
      // the lock first: a sweeper finds a directory only once its lock is held
      ProcessLock lock =
          ProcessLock.tryAcquire(lockFile)
              .orElseThrow(() -> new IllegalStateException("a fresh lock is held: " + lockFile));
      Path dir = absolute.resolve(id);
      try {
        Files.createDirectory(dir);
      } catch (IOException | RuntimeException e) {
        lock.close();
        Files.deleteIfExists(lockFile);
        throw e;
      }
      SpillDirectory spill = new SpillDirectory(dir, lockFile, lock);
      OPEN.add(spill);
      return spill;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot make a spill directory under " + absolute, e);
    }
  }

  Path path() {
    return dir;
  }

  @Override
  public void close() {
    OPEN.remove(this);
    delete();
    lock.close();
  }

  private void delete() {
    deleteTree(dir);
    try {
      Files.deleteIfExists(lockFile);
    } catch (IOException ignored) {
      // an empty lock file left behind is swept with the next start
    }
  }

  /**
   * At exit DuckDB's query still runs beside the hooks and may write a new spill file after a pass
   * listed the directory, leaving it non-empty. So passes repeat until the directory is gone and
   * still gone a moment later, for at most {@link #EXIT_DEADLINE_MILLIS}.
   */
  private void deleteAtExit() {
    long deadline = System.nanoTime() + EXIT_DEADLINE_MILLIS * 1_000_000;
    do {
      delete();
      pause();
      if (!Files.exists(dir)) {
        return;
      }
    } while (System.nanoTime() < deadline);
  }

  private static void pause() {
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Removes the directories (and lock files) of processes that are gone. */
  private static void sweep(Path root) throws IOException {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (name.endsWith(LOCK)) {
          Path dir = root.resolve(name.substring(0, name.length() - LOCK.length()));
          Optional<ProcessLock> free = ProcessLock.tryAcquire(entry);
          if (free.isPresent()) {
            // its holder is gone; holding the lock keeps another sweeper out meanwhile
            try {
              deleteTree(dir);
              Files.deleteIfExists(entry);
            } finally {
              free.get().close();
            }
          }
        } else if (Files.isDirectory(entry) && !Files.exists(root.resolve(name + LOCK))) {
          // a directory whose lock file went first: its owner closed or was swept
          deleteTree(entry);
        }
      }
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(SpillDirectory::deleteQuietly);
    } catch (NoSuchFileException gone) {
      // nothing to remove
    } catch (IOException | UncheckedIOException e) {
      // best effort: what is left is swept by the next start
    }
  }

  private static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException ignored) {
      // see deleteTree
    }
  }
}
