package dev.quarry.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Reads the small text files a user hands Quarry (playbooks, {@code quarry.yaml}) without trusting
 * them: the file's type and size are checked before it is opened, so a device ({@code /dev/zero})
 * or a huge file is refused instead of filling memory, and a named pipe is refused instead of
 * blocking the open. The read itself stops one byte past the limit, for files whose size the file
 * system does not know ({@code /proc}) or that grow while read.
 */
public final class UserFiles {
  private UserFiles() {}

  /** Why a user's file was not read: the message says it for a person, without the file name. */
  public static final class Refused extends IOException {
    private static final long serialVersionUID = 1L;

    Refused(String reason) {
      super(reason);
    }
  }

  /**
   * The file's text, decoded as strict UTF-8.
   *
   * @param what what the file is, for the message ("a playbook")
   * @throws Refused if it is not a regular file, is over {@code maxBytes}, or is not UTF-8
   * @throws java.nio.file.NoSuchFileException if it does not exist
   */
  public static String readText(Path file, long maxBytes, String what) throws IOException {
    // attributes of the target, read without opening it: opening a FIFO waits for a writer
    BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
    if (!attributes.isRegularFile()) {
      throw new Refused("not a regular file (" + kind(attributes) + "); " + what + " is a file");
    }
    if (attributes.size() > maxBytes) {
      throw tooLarge(attributes.size() + " bytes", maxBytes, what);
    }
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
    }
    if (bytes.length > maxBytes) {
      throw tooLarge("more than " + maxBytes + " bytes", maxBytes, what);
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new Refused("not UTF-8 text");
    }
  }

  private static Refused tooLarge(String size, long maxBytes, String what) {
    return new Refused(
        "too large: " + size + ", and " + what + " has at most " + maxBytes + " bytes");
  }

  private static String kind(BasicFileAttributes attributes) {
    if (attributes.isDirectory()) {
      return "a directory";
    }
    // Java does not tell a FIFO from a device or a socket; all are "other"
    return attributes.isOther() ? "a device, named pipe or socket" : "not a plain file";
  }
}
