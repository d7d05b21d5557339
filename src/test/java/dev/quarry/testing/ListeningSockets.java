package dev.quarry.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The TCP sockets a process (and its descendants) listens on, read from Linux's {@code /proc} as
 * {@code ss -ltnp} does: the socket inodes among the process's open files, matched against the
 * listening entries of {@code /proc/net/tcp} and {@code tcp6}.
 */
public final class ListeningSockets {
  private ListeningSockets() {}

  /** A listening socket: its local address as {@code ss} prints it, and port. */
  public record Socket(String address, int port) {
    public boolean loopback() {
      return address.startsWith("127.") || address.equals("::1");
    }
  }

  public static List<Socket> of(long pid) throws IOException {
    Set<String> inodes = new HashSet<>();
    List<Long> pids = new ArrayList<>();
    pids.add(pid);
    ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(d -> pids.add(d.pid())));
    for (long p : pids) {
      Path fds = Path.of("/proc", Long.toString(p), "fd");
      try (Stream<Path> links = Files.list(fds)) {
        for (Path link : links.toList()) {
          try {
            String target = Files.readSymbolicLink(link).toString();
            if (target.startsWith("socket:[")) {
              inodes.add(target.substring(8, target.length() - 1));
            }
          } catch (IOException gone) {
            // closed while we looked
          }
        }
      }
    }
    List<Socket> sockets = new ArrayList<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path file = Path.of(table);
      if (!Files.exists(file)) {
        continue;
      }
      List<String> lines = Files.readAllLines(file);
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.trim().split("\\s+");
        // f[1] local address:port (hex), f[3] state (0A = LISTEN), f[9] inode
        if (f[3].equals("0A") && inodes.contains(f[9])) {
          String[] local = f[1].split(":");
          sockets.add(new Socket(address(local[0]), Integer.parseInt(local[1], 16)));
        }
      }
    }
    return sockets;
  }

  /** A /proc/net address (little-endian 32-bit words) as text; v4-mapped v6 as plain v4. */
  private static String address(String hex) {
    byte[] bytes = new byte[hex.length() / 2];
    for (int word = 0; word < bytes.length / 4; word++) {
      for (int i = 0; i < 4; i++) {
        int at = (word * 4 + (3 - i)) * 2;
        bytes[word * 4 + i] = (byte) Integer.parseInt(hex.substring(at, at + 2), 16);
      }
    }
    if (bytes.length == 4) {
      return (bytes[0] & 0xff)
          + "."
          + (bytes[1] & 0xff)
          + "."
          + (bytes[2] & 0xff)
          + "."
          + (bytes[3] & 0xff);
    }
    boolean mapped = true;
    for (int i = 0; i < 10; i++) {
      mapped &= bytes[i] == 0;
    }
    mapped &= (bytes[10] & 0xff) == 0xff && (bytes[11] & 0xff) == 0xff;
    if (mapped) {
      return (bytes[12] & 0xff)
          + "."
          + (bytes[13] & 0xff)
          + "."
          + (bytes[14] & 0xff)
          + "."
          + (bytes[15] & 0xff);
    }
    boolean zero = true;
    for (int i = 0; i < 15; i++) {
      zero &= bytes[i] == 0;
    }
    if (zero && bytes[15] == 1) {
      return "::1";
    }
    if (zero && bytes[15] == 0) {
      return "::";
    }
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 16; i += 2) {
      text.append(i == 0 ? "" : ":")
          .append(Integer.toHexString(((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff)));
    }
    return text.toString();
  }
}
