package dev.quarry.cli;

import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The one line a stopped command prints. A SIGTERM (or Ctrl-C) ends the JVM through its shutdown
 * hooks, with exit status 143 (130), and nothing else runs: without this the command vanished
 * without a word. The line says what the stop leaves behind, per command.
 */
final class Interruption {
  private static final String READ_ONLY = "nothing was changed";
  private static final String JOBS =
      "a submitted job keeps its recorded state: quarry jobs shows it and quarry resume continues"
          + " it";
  private static final Map<String, String> LEFT =
      Map.ofEntries(
          Map.entry("query", READ_ONLY + "; temporary query files were removed"),
          Map.entry("validate", READ_ONLY),
          Map.entry("schema", READ_ONLY),
          Map.entry("doctor", READ_ONLY),
          Map.entry("iam-policy", READ_ONLY),
          Map.entry("jobs", READ_ONLY),
          Map.entry("job", READ_ONLY),
          Map.entry(
              "plan",
              "no manifest of this run was finished and its temporary file was removed; nothing"
                  + " else was changed"),
          Map.entry("run", JOBS),
          Map.entry("resume", JOBS),
          Map.entry("confirm", JOBS),
          Map.entry("cancel", JOBS),
          Map.entry("report", "a report being written may be incomplete: run the command again"),
          Map.entry("metadata", "run the command again to finish the refresh or import"),
          Map.entry(
              "sandbox", "servers it started may still run: quarry sandbox status shows them"));

  private final AtomicBoolean done = new AtomicBoolean();
  private final String command;

  private Interruption(String command) {
    this.command = command;
  }

  /** Prints the line on {@code err} if the JVM ends before {@link #done()}. */
  static Interruption install(String[] args, PrintStream err) {
    Interruption interruption = new Interruption(commandOf(args));
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  if (!interruption.done.get()) {
                    err.println(interruption.message());
                    err.flush();
                  }
                },
                "quarry-interrupted"));
    return interruption;
  }

  /** The command ended by itself: its own output said everything. */
  void done() {
    done.set(true);
  }

  String message() {
    String left = LEFT.get(command);
    return "quarry: "
        + (command == null ? "interrupted" : command + " interrupted")
        + " (stopped by a signal)"
        + (left == null ? "" : "; " + left);
  }

  private static String commandOf(String[] args) {
    for (String arg : args) {
      if (LEFT.containsKey(arg)) {
        return arg;
      }
      if (!arg.startsWith("-")) {
        return null;
      }
    }
    return null;
  }
}
