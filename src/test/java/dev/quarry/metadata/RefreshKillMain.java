package dev.quarry.metadata;

import dev.quarry.config.S3Clients;
import dev.quarry.testing.S3Servers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Refreshes one bucket in a process of its own, for {@link MetadataRefreshKillIT} to kill: {@code
 * RefreshKillMain <warehouse> <endpoint> <bucket> <checkpoint> <marker>}. At the named checkpoint
 * it creates the marker file and waits there for its SIGKILL.
 */
public final class RefreshKillMain {
  private RefreshKillMain() {}

  public static void main(String[] args) throws InterruptedException {
    String point = args[3];
    Path marker = Path.of(args[4]);
    MetadataRefresher.Checkpoint halt =
        name -> {
          if (name.equals(point)) {
            try {
              Files.writeString(marker, name);
              Thread.sleep(Long.MAX_VALUE);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        };
    try (S3Client s3 =
        S3Clients.create(S3Servers.config(URI.create(args[1]), Path.of(args[0])), 4)) {
      new MetadataRefresher(new Warehouse(Path.of(args[0])), s3, args[1], Clock.systemUTC(), halt)
          .refresh(args[2], 4, RefreshProgress.NONE);
    }
    // the checkpoint was never reached: the parent sees the process end without a marker
    System.exit(3);
  }
}
