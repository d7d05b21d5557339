package dev.quarry.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One measured process of a benchmark: run under {@code /usr/bin/time -v}, its wall time (taken
 * here) and peak RSS (the whole process's: native memory counts) returned; a failing process fails
 * the benchmark with its output.
 */
record Timed(double seconds, long peakKib, double cpuSeconds) {
  private static final Pattern RSS =
      Pattern.compile("Maximum resident set size \\(kbytes\\): (\\d+)");
  private static final Pattern USER = Pattern.compile("User time \\(seconds\\): ([\\d.]+)");
  private static final Pattern SYSTEM = Pattern.compile("System time \\(seconds\\): ([\\d.]+)");

  double peakMib() {
    return peakKib / 1024.0;
  }

  /** {@code java} with this JVM's class path (absolute), {@code -Xss4m} as bin/quarry runs. */
  static List<String> java(String... mainAndArgs) {
    String classpath =
        Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .map(e -> Path.of(e).toAbsolutePath().toString())
            .collect(Collectors.joining(File.pathSeparator));
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xss4m",
                "-cp",
                classpath));
    String extra = System.getenv("BENCH_JAVA_OPTS");
    if (extra != null && !extra.isBlank()) {
      command.addAll(1, List.of(extra.trim().split("\\s+")));
    }
    command.addAll(List.of(mainAndArgs));
    return command;
  }

  static Timed run(Path work, List<String> command, String... env)
      throws IOException, InterruptedException {
    Files.createDirectories(work);
    List<String> timed = new ArrayList<>(List.of("/usr/bin/time", "-v"));
    timed.addAll(command);
    Path err = work.resolve("time.txt");
    Path out = work.resolve("out.txt");
    ProcessBuilder builder =
        new ProcessBuilder(timed)
            .directory(work.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    for (int i = 0; i + 1 < env.length; i += 2) {
      builder.environment().put(env[i], env[i + 1]);
    }
    long start = System.nanoTime();
    int exit = builder.start().waitFor();
    double seconds = (System.nanoTime() - start) / 1e9;
    String report = Files.readString(err);
    if (exit != 0) {
      throw new IllegalStateException(
          String.join(" ", command.subList(Math.max(0, command.size() - 6), command.size()))
              + " failed ("
              + exit
              + "):\n"
              + report
              + Files.readString(out));
    }
    Matcher rss = RSS.matcher(report);
    if (!rss.find()) {
      throw new IllegalStateException("no peak RSS in /usr/bin/time's report:\n" + report);
    }
    // on a loaded machine a process waits for a core: its CPU time (user + system) is the cost
    // that does not depend on what else runs
    return new Timed(
        seconds, Long.parseLong(rss.group(1)), number(USER, report) + number(SYSTEM, report));
  }

  private static double number(Pattern pattern, String report) {
    Matcher m = pattern.matcher(report);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (var paths = Files.walk(root)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
