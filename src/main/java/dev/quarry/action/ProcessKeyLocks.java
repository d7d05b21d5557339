package dev.quarry.action;

import static java.util.Objects.requireNonNull;

import dev.quarry.io.ProcessLock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@link DeleteMarkerRollback.KeyLocks} that hold across processes: one file lock per stripe of
 * bucket and key in a folder every Quarry process of this user on this machine shares, whatever its
 * state directory. Not in the rollback Lambda, which has no such folder (and needs none on AWS).
 *
 * <p>The operating system releases a lock when its process dies, so a killed task never blocks
 * another one.
 */
public final class ProcessKeyLocks implements DeleteMarkerRollback.KeyLocks {
  /** Enough that tasks of two processes rarely wait on different keys of one stripe. */
  static final int STRIPES = 256;

  private final Path dir;

  public ProcessKeyLocks(Path dir) {
    this.dir = requireNonNull(dir, "dir is null");
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the folder of key locks " + dir, e);
    }
  }

  /**
   * The user's folder for them: under {@code $XDG_RUNTIME_DIR} (the user's own, cleared at logout)
   * where there is one, else {@code ~/.cache/quarry}.
   */
  public static Path userDir(Map<String, String> environment) {
    String runtime = environment.get("XDG_RUNTIME_DIR");
    Path base =
        runtime != null && !runtime.isBlank() && Files.isDirectory(Path.of(runtime))
            ? Path.of(runtime, "quarry")
            : Path.of(System.getProperty("user.home"), ".cache", "quarry");
    return base.resolve("key-locks");
  }

  @Override
  public <T> T locked(String bucket, String key, Supplier<T> body) {
    int stripe = DeleteMarkerRollback.KeyLocks.stripe(bucket, key, STRIPES);
    // the threads of this process take turns first, inside ProcessLock.locked
    return ProcessLock.locked(dir.resolve("key-" + stripe + ".lock"), body);
  }
}
