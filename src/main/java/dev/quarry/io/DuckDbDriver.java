package dev.quarry.io;

import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Properties;

/**
 * Opens DuckDB connections. quarry.jar holds no copy of DuckDB's JNI library: the build puts it
 * next to the jar ({@code target/libduckdb_java.so_<os>_<arch>}), where DuckDB loads it from, so a
 * command does not inflate 60 MB into a temporary file at each start (or leave one behind when
 * killed). A jar copied away from it fails here with what is missing, not with a linkage error.
 */
public final class DuckDbDriver {
  private DuckDbDriver() {}

  public static Connection connect(String url, Properties properties) throws SQLException {
    checkNativeLibrary();
    try {
      return DriverManager.getConnection(url, properties);
    } catch (LinkageError e) {
      // the first failure is an ExceptionInInitializerError, any later one a NoClassDefFoundError
      throw QuarryException.user(
          ErrorCode.INSTALLATION_INCOMPLETE,
          "DuckDB's native library could not be loaded: it must be next to the quarry jar (the"
              + " build puts libduckdb_java.so_<os>_<arch> beside target/quarry.jar; copy them"
              + " with it): "
              + rootMessage(e));
    }
  }

  private static volatile boolean checked;

  /**
   * Refuses before DuckDB's own loader runs (which prints a stack trace of its own when it finds
   * nothing), looking where it looks, in its order: a resource of the classpath (DuckDB's jar as
   * Maven gives it, in the tests), a library of one's own on java.library.path (a platform DuckDB
   * ships none for), a file next to the jar that holds DuckDB's classes (quarry.jar as built). A
   * stale libduckdb_java.so on java.library.path wins over the one beside the jar, as it would for
   * DuckDB alone.
   */
  private static void checkNativeLibrary() {
    if (checked) {
      return;
    }
    String name = "libduckdb_java.so_" + platform();
    if (DuckDbDriver.class.getResource("/" + name) == null && !onLibraryPath()) {
      Path beside = besideDuckDbJar(name);
      if (beside != null && !Files.isRegularFile(beside)) {
        throw QuarryException.user(
            ErrorCode.INSTALLATION_INCOMPLETE,
            "DuckDB's native library "
                + beside
                + " is missing: the build puts libduckdb_java.so_<os>_<arch> beside"
                + " target/quarry.jar; copy them with the jar");
      }
    }
    checked = true;
  }

  /** DuckDB's second place: a {@code libduckdb_java.so} of one's own on java.library.path. */
  private static boolean onLibraryPath() {
    String file = System.mapLibraryName("duckdb_java");
    for (String dir : System.getProperty("java.library.path", "").split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isRegularFile(Path.of(dir, file))) {
        return true;
      }
    }
    return false;
  }

  /**
   * DuckDB's own name for this platform (DuckDBNative.nativeLibName): linux_amd64, osx_universal.
   */
  private static String platform() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    if (os.startsWith("mac")) {
      return "osx_universal";
    }
    String osName = os.startsWith("windows") ? "windows" : os.startsWith("linux") ? "linux" : os;
    String archName =
        switch (arch) {
          case "x86_64", "amd64" -> "amd64";
          case "aarch64", "arm64" -> "arm64";
          default -> arch;
        };
    return osName + "_" + archName;
  }

  /** {@code name} next to the jar DuckDB's classes come from; null when they are not in a jar. */
  private static Path besideDuckDbJar(String name) {
    try {
      java.security.CodeSource source =
          org.duckdb.DuckDBDriver.class.getProtectionDomain().getCodeSource();
      if (source == null) {
        return null;
      }
      Path location = Path.of(source.getLocation().toURI());
      return Files.isRegularFile(location) ? location.resolveSibling(name) : null;
    } catch (java.net.URISyntaxException | IllegalArgumentException | SecurityException e) {
      return null; // DuckDB's own loader decides, and connect() names what it says
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.toString() : root.getMessage();
  }
}
