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
   * The user's folder for them: {@code ~/.cache/quarry/key-locks}, or {@code
   * $QUARRY_KEY_LOCKS_DIR}. Not {@code $XDG_RUNTIME_DIR}: a login shell has it and a cron job does
   * not, and both must take turns on the same keys.
   */
  public static Path userDir(Map<String, String> environment) {
    String dir = environment.get("QUARRY_KEY_LOCKS_DIR");
    return dir != null && !dir.isBlank()
        ? Path.of(dir)
        : Path.of(System.getProperty("user.home"), ".cache", "quarry", "key-locks");
  }

  @Override
  public <T> T locked(String bucket, String key, Supplier<T> body) {
    int stripe = DeleteMarkerRollback.KeyLocks.stripe(bucket, key, STRIPES);
    // the threads of this process take turns first, inside ProcessLock.locked
    return ProcessLock.locked(dir.resolve("key-" + stripe + ".lock"), body);
  }
}
