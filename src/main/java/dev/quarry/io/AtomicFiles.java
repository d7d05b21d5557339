package dev.quarry.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes files so that a reader sees the old content or the new, never a part: a temporary file in
 * the same folder, then an atomic rename. Files are written 0600 and the folders created for them
 * 0700 (see {@link StateDirectory}): they are Quarry's state, its user's alone.
 */
public final class AtomicFiles {
  /** The mapper for Quarry's own state files: ISO dates, indented, stable. */
  public static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .registerModule(new Jdk8Module())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .enable(SerializationFeature.INDENT_OUTPUT);

  private AtomicFiles() {}

  public static void write(Path target, byte[] content) {
    Path dir = target.toAbsolutePath().getParent();
    try {
      StateDirectory.createPrivateDirectories(dir);
      Path temp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
      try {
        if (StateDirectory.posix(temp)) {
          // createTempFile makes it 0600 already on POSIX; say so rather than rely on it
          Files.setPosixFilePermissions(temp, StateDirectory.OWNER_ONLY_FILE);
        }
        Files.write(temp, content);
        Files.move(
            temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target, e);
    }
  }

  public static void writeJson(Path target, Object value) {
    try {
      write(target, JSON.writeValueAsBytes(value));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot render " + value.getClass() + " as JSON", e);
    }
  }
}
