package dev.quarry.sandbox;

import java.net.URI;
import java.util.List;

/**
 * An S3-compatible server running as a process on this machine. {@link #stop()} ends it; a server
 * started for {@code quarry sandbox up} is left running when Quarry exits and stopped later by pid.
 */
public interface LocalS3Server extends AutoCloseable {
  /** {@code s3mock} or {@code moto}. */
  String kind();

  /** The S3 endpoint, always on loopback. */
  URI endpoint();

  long pid();

  /** Every port the process listens on and on which address, for {@code sandbox status}. */
  List<Listener> listeners();

  /** What the server cannot do that S3 does, so users and tests know what to expect. */
  List<String> knownGaps();

  void stop();

  @Override
  default void close() {
    stop();
  }

  /** A listening socket: the address it is bound to ({@code 127.0.0.1}, or {@code 0.0.0.0}). */
  record Listener(String address, int port, String purpose) {}
}
