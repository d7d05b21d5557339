package dev.quarry.io;

import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Turns a local file-system failure into an error a user can act on: the file system is a peer like
 * any other (external, no stack trace), and a full one is named as such with the path.
 */
public final class StorageErrors {
  private StorageErrors() {}

  /**
   * @param doing what failed, such as "cannot write manifest"
   * @param path the file being written
   * @param hint what to do about a full device, such as "or set manifests-dir elsewhere"
   */
  public static QuarryException of(String doing, Path path, IOException e, String hint) {
    Path absolute = path.toAbsolutePath().normalize();
    if (noSpace(e)) {
      return QuarryException.external(
          ErrorCode.STORAGE_FULL,
          doing
              + " "
              + absolute
              + ": no space left on the device that holds "
              + absolute.getParent()
              + " (free space there, "
              + hint
              + ")",
          e);
    }
    return QuarryException.external(
        ErrorCode.STORAGE_FAILED, doing + " " + absolute + ": " + reason(e), e);
  }

  /** Whether the failure, or one of its causes, is ENOSPC or EDQUOT. */
  public static boolean noSpace(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String message = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
      if (message.contains("no space left on device") || message.contains("disk quota exceeded")) {
        return true;
      }
    }
    return false;
  }

  /** The failure's own words: the file system's reason where it gives one. */
  public static String reason(IOException e) {
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
