package dev.quarry.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Issue 9, item 4: {@code quarry metadata refresh} (the CLI, {@code dev.quarry.cli.Main}) of a
 * bucket of N versions on the instant endpoint ({@link InstantS3}) against a plain
 * ListObjectVersions + HeadObject + GetObjectTagging loop of the same concurrency ({@link
 * RefreshLoop}), each a separate process measured by {@code /usr/bin/time -v}, seconds apart.
 *
 * <p>Arguments: versions, runs, concurrency (defaults 20000 2 16, the refresh's default
 * concurrency), and {@code second}: then, instead, one first refresh, and per run a second refresh
 * of a copy of its warehouse, full (the default) and {@code --incremental} in turn (nothing changed
 * in between: every version is known). Run with {@code bin/benchmark refresh ...}. Not a test: it
 * prints its figures.
 */
public final class RefreshBenchmark {
  private RefreshBenchmark() {}

  public static void main(String[] args) throws Exception {
    int versions = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    int concurrency = args.length > 2 ? Integer.parseInt(args[2]) : 16;
    Path work = Path.of("target/bench-refresh").toAbsolutePath();
    System.out.printf(
        Locale.ROOT,
        "machine: %d cores, Java %s, load %s; %,d versions, concurrency %d%n",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"),
        Files.readString(Path.of("/proc/loadavg")).trim(),
        versions,
        concurrency);
    System.out.printf(
        Locale.ROOT,
        "%-24s %8s %9s %11s %7s %7s %9s%n",
        "case",
        "wall s",
        "peak MiB",
        "versions/s",
        "ratio",
        "CPU s",
        "CPU ratio");
    boolean second = args.length > 3 && args[3].equals("second");
    try (InstantS3 instant = InstantS3.start(versions)) {
      String endpoint = instant.endpoint().toString();
      if (second) {
        secondRefreshes(work, endpoint, versions, runs, concurrency);
      }
      for (int run = 0; !second && run < runs; run++) {
        Timed loop =
            Timed.run(
                work,
                Timed.java(
                    RefreshLoop.class.getName(), endpoint, "bench", Integer.toString(concurrency)));
        Path state = work.resolve("state");
        Timed.deleteTree(state);
        Timed quarry =
            Timed.run(
                work,
                Timed.java(
                    "dev.quarry.cli.Main",
                    "metadata",
                    "refresh",
                    "--bucket",
                    "bench",
                    "--concurrency",
                    Integer.toString(concurrency)),
                "QUARRY_S3_ENDPOINT",
                endpoint,
                "QUARRY_STATE_DIR",
                state.toString());
        Timed.deleteTree(state);
        row("SDK loop", loop, versions, loop);
        row("quarry metadata refresh", quarry, versions, loop);
      }
      System.out.printf(
          Locale.ROOT,
          "instant endpoint: %,d requests, %d not answered%n",
          instant.requests(),
          instant.unknown());
    }
  }

  private static void secondRefreshes(
      Path work, String endpoint, int versions, int runs, int concurrency) throws Exception {
    Path first = work.resolve("state-first");
    Timed.deleteTree(first);
    Timed once = refresh(work, endpoint, first, concurrency);
    row("first refresh", once, versions, once);
    for (int run = 0; run < runs; run++) {
      Timed full = null;
      Timed incremental = null;
      // alternated: the full refresh first in even runs, the incremental one in odd runs
      for (int turn = 0; turn < 2; turn++) {
        boolean incrementalNow = (turn == 0) == (run % 2 == 1);
        Path state = work.resolve("state-second");
        Timed.deleteTree(state);
        copyTree(first, state);
        Timed t =
            incrementalNow
                ? refresh(work, endpoint, state, concurrency, "--incremental")
                : refresh(work, endpoint, state, concurrency);
        Timed.deleteTree(state);
        // what the refresh says it read: every version in full, or every one known
        Files.readAllLines(work.resolve("out.txt")).stream()
            .filter(line -> line.startsWith("versions:"))
            .forEach(line -> System.out.println("  " + line));
        if (incrementalNow) {
          incremental = t;
        } else {
          full = t;
        }
      }
      row("second refresh, full", full, versions, full);
      row("second, --incremental", incremental, versions, full);
    }
    Timed.deleteTree(first);
  }

  private static Timed refresh(
      Path work, String endpoint, Path state, int concurrency, String... more) throws Exception {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "dev.quarry.cli.Main",
                "metadata",
                "refresh",
                "--bucket",
                "bench",
                "--concurrency",
                Integer.toString(concurrency)));
    args.addAll(List.of(more));
    return Timed.run(
        work,
        Timed.java(args.toArray(String[]::new)),
        "QUARRY_S3_ENDPOINT",
        endpoint,
        "QUARRY_STATE_DIR",
        state.toString());
  }

  private static void copyTree(Path from, Path to) throws java.io.IOException {
    try (java.util.stream.Stream<Path> paths = Files.walk(from)) {
      for (Path p : paths.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }

  private static void row(String name, Timed m, long versions, Timed baseline) {
    System.out.printf(
        Locale.ROOT,
        "%-24s %8.2f %9.0f %11.0f %7.2f %7.1f %9.2f%n",
        name,
        m.seconds(),
        m.peakMib(),
        versions / m.seconds(),
        baseline.seconds() / m.seconds(),
        m.cpuSeconds(),
        baseline.cpuSeconds() / m.cpuSeconds());
  }
}
