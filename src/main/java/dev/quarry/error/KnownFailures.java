package dev.quarry.error;

import java.net.BindException;
import java.net.ConnectException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.ReadOnlyFileSystemException;
import java.util.Locale;
import java.util.Optional;

/**
 * Failures of the machine rather than of Quarry: a port taken, nothing listening at an endpoint, a
 * read-only or full disk. They reach us as JDK exceptions deep in a cause chain, and without this
 * they would be reported as bugs (exit 70, a stack trace) although the user can act on each.
 */
public final class KnownFailures {
  private KnownFailures() {}

  /** The code of the first link of {@code e}'s cause chain that is a known failure. */
  public static Optional<ErrorCode> code(Throwable e) {
    return of(e).map(QuarryException::errorCode);
  }

  /**
   * {@code e} as an external error with a message that says what to do, where its cause chain shows
   * a known failure.
   */
  public static Optional<QuarryException> of(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      Optional<QuarryException> known = own(t, e);
      if (known.isPresent()) {
        return known;
      }
    }
    return Optional.empty();
  }

  private static Optional<QuarryException> own(Throwable t, Throwable whole) {
    String detail =
        t instanceof FileSystemException f
            ? f.getFile() + (f.getReason() == null ? "" : " (" + f.getReason() + ")")
            : String.valueOf(t.getMessage());
    if (t instanceof BindException) {
      return known(
          ErrorCode.PORT_IN_USE,
          "the port is already in use (" + detail + "): choose another port or stop what holds it",
          whole);
    }
    if (t instanceof ConnectException) {
      return known(
          ErrorCode.CONNECTION_REFUSED,
          "connection refused (" + detail + "): nothing listens at the endpoint; is it running?",
          whole);
    }
    String text = lower(t instanceof FileSystemException f ? f.getReason() : t.getMessage());
    if (t instanceof ReadOnlyFileSystemException
        || t instanceof AccessDeniedException
        || text.contains("read-only file system")) {
      return known(
          ErrorCode.STORAGE_READ_ONLY,
          "cannot write "
              + detail
              + ": give Quarry a writable state directory (--state-dir or QUARRY_STATE_DIR)",
          whole);
    }
    if (text.contains("no space left on device") || text.contains("disk quota exceeded")) {
      return known(
          ErrorCode.STORAGE_FULL,
          "no space left on the device: " + detail + "; free space there",
          whole);
    }
    return Optional.empty();
  }

  private static Optional<QuarryException> known(ErrorCode code, String message, Throwable cause) {
    return Optional.of(new QuarryException(code, message, cause));
  }

  private static String lower(String text) {
    return text == null ? "" : text.toLowerCase(Locale.ROOT);
  }
}
