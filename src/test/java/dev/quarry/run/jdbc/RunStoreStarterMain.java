package dev.quarry.run.jdbc;

import dev.quarry.run.RunRecord;
import dev.quarry.run.RunStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Starts runs in a process of its own, for {@link JdbcRunStoreTest}: {@code RunStoreStarterMain
 * <url> <name>}. Prints "ready" once the store is open; then, for each line {@code <playbook>}
 * read, starts run {@code <name>-<playbook>} of it at once and prints "won" or "held <run id>".
 */
public final class RunStoreStarterMain {
  private RunStoreStarterMain() {}

  public static void main(String[] args) throws Exception {
    RunStore store = JdbcRunStore.open(args[0]);
    System.out.println("ready");
    System.out.flush();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String playbook = in.readLine(); playbook != null; playbook = in.readLine()) {
      String id = args[1] + "-" + playbook;
      Optional<RunRecord> other =
          store.start(
              RunRecord.planned(
                  id,
                  playbook,
                  "ab12",
                  Map.of(),
                  "embedded",
                  new RunRecord.Manifest("m/" + id + "/manifest.csv", "e1", 1),
                  Instant.now()));
      System.out.println(other.map(r -> "held " + r.id()).orElse("won"));
      System.out.flush();
    }
  }
}
