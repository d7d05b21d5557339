package dev.quarry.action;

import dev.quarry.config.S3Clients;
import dev.quarry.query.ObjectRow;
import dev.quarry.testing.S3Servers;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Runs the local rollback-deletes task over a list of markers in a process of its own, for {@link
 * RollbackDeletesRaceIT}: {@code RollbackRaceMain <endpoint> <rows>}, each row {@code
 * bucket<TAB>key<TAB>versionId}. Prints "ready", waits for a line on stdin, runs every row on four
 * threads in the file's order, then prints how many markers it removed.
 */
public final class RollbackRaceMain {
  private RollbackRaceMain() {}

  public static void main(String[] args) throws Exception {
    List<String[]> rows =
        Files.readAllLines(Path.of(args[1])).stream().map(l -> l.split("\t")).toList();
    try (S3Client s3 =
        S3Clients.create(S3Servers.config(URI.create(args[0]), Path.of("unused")), 8)) {
      LocalTask task = new RollbackDeletesAction(null).localTask(s3);
      System.out.println("ready");
      System.out.flush();
      new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      AtomicInteger removed = new AtomicInteger();
      ExecutorService threads = Executors.newFixedThreadPool(4);
      for (String[] row : rows) {
        threads.execute(
            () -> {
              TaskOutcome outcome = task.run(new ObjectRow(row[0], row[1], row[2], null, null));
              if (outcome.equals(TaskOutcome.succeeded("delete marker removed"))) {
                removed.incrementAndGet();
              }
            });
      }
      threads.shutdown();
      threads.awaitTermination(5, TimeUnit.MINUTES);
      System.out.println("removed " + removed.get());
    }
  }
}
