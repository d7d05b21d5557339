package dev.quarry.io;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.List;
import java.util.Set;

/**
 * Quarry's state directory is its user's alone: it holds the sandbox's key, job databases,
 * manifests of object keys and reports, so it is created 0700 and everything Quarry writes under it
 * (see {@link AtomicFiles}) is 0600 in 0700 folders. On a file system without POSIX permissions
 * nothing is changed.
 */
public final class StateDirectory {
  public static final Set<PosixFilePermission> OWNER_ONLY_DIR =
      PosixFilePermissions.fromString("rwx------");
  public static final Set<PosixFilePermission> OWNER_ONLY_FILE =
      PosixFilePermissions.fromString("rw-------");

  /** The folders Quarry keeps in a state directory, by which an existing one is recognised. */
  private static final List<String> QUARRY_FOLDERS =
      List.of("warehouse", "sandbox", "jobs", "runs", "control");

  private StateDirectory() {}

  /**
   * Creates {@code dir} (and missing parents) owner-only, or makes an existing state directory of
   * an earlier Quarry owner-only. An existing directory that belongs to someone else, or that does
   * not look like a state directory (say {@code QUARRY_STATE_DIR=/tmp}), is left as it is.
   */
  public static void secure(Path dir) {
    if (!posix(dir)) {
      return;
    }
    try {
      if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
        createPrivateDirectories(dir);
        return;
      }
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) || !ownedByUs(dir)) {
        return;
      }
      boolean quarrys =
          dir.toAbsolutePath().normalize().getFileName() != null
                  && dir.toAbsolutePath().normalize().getFileName().toString().equals(".quarry")
              || QUARRY_FOLDERS.stream().anyMatch(f -> Files.isDirectory(dir.resolve(f)));
      if (quarrys && !Files.getPosixFilePermissions(dir).equals(OWNER_ONLY_DIR)) {
        Files.setPosixFilePermissions(dir, OWNER_ONLY_DIR);
      }
    } catch (IOException e) {
      throw StorageErrors.of(
          "cannot make the state directory private:", dir, e, "or give --state-dir another place");
    }
  }

  /** Like {@link Files#createDirectories}, but every folder it creates is owner-only. */
  public static void createPrivateDirectories(Path dir) throws IOException {
    Path absolute = dir.toAbsolutePath();
    if (Files.isDirectory(absolute)) {
      return;
    }
    if (!posix(absolute)) {
      Files.createDirectories(absolute);
      return;
    }
    Path parent = absolute.getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      createPrivateDirectories(parent);
    }
    try {
      Files.createDirectory(absolute, ownerOnlyDir());
      // the umask may have taken bits away, never added any; set exactly owner-only
      Files.setPosixFilePermissions(absolute, OWNER_ONLY_DIR);
    } catch (FileAlreadyExistsException raced) {
      if (!Files.isDirectory(absolute)) {
        throw raced;
      }
    }
  }

  static FileAttribute<Set<PosixFilePermission>> ownerOnlyDir() {
    return PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR);
  }

  static boolean posix(Path path) {
    Path existing = path.toAbsolutePath();
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    return existing != null
        && existing.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  private static boolean ownedByUs(Path dir) throws IOException {
    UserPrincipal owner = Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS);
    return owner.getName().equals(System.getProperty("user.name"));
  }
}
