package dev.quarry.sandbox;

import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

/** What {@code quarry sandbox up} left behind: the server's process and endpoints. */
public final class SandboxState {
  private SandboxState() {}

  /** The S3 endpoint of the sandbox whose state is in {@code sandboxDir}, if it is running. */
  public static Optional<URI> runningEndpoint(Path sandboxDir) {
    return Optional.empty();
  }
}
