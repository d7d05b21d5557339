package dev.quarry.bench;

import dev.quarry.manifest.Manifest;
import dev.quarry.manifest.ManifestWriter;
import dev.quarry.query.ObjectRow;
import dev.quarry.sandbox.LocalS3Server;
import dev.quarry.testing.S3Servers;
import java.net.URI;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Issue 9, items 3 and 8: Quarry's local executor (as {@code quarry run} builds it, {@link
 * ExecutorRun}) against a plain SDK loop of the same concurrency ({@link SdkLoop}), each a separate
 * process measured by {@code /usr/bin/time -v}, seconds apart, on 20,000 tagging tasks and 20,000
 * copies in place against the instant endpoint ({@link InstantS3}: Quarry's own ceiling) and a
 * smaller number against the sandbox's S3Mock (the server is the bottleneck there).
 *
 * <p>{@code compare [instant tasks] [s3mock tasks] [runs] [concurrency] [actions]} (defaults 20000
 * 2000 2 8 tags,copy; s3mock tasks 0 skips S3Mock); {@code growth [sizes] [runs] [concurrency]
 * [actions]} (defaults 5000,20000,80000 1 8 tags,copy): each action against the instant endpoint at
 * each size. Run with {@code bin/benchmark executor ...}. Not a test: it prints its figures.
 *
 * <p>Quarry's process gets the JVM options {@code bin/quarry run} gives (asked with {@code
 * QUARRY_PRINT_JAVA_OPTS=1}: one place defines them), so what is measured is what a user gets; the
 * SDK loop, the plain baseline, runs on the JVM's defaults. {@code BENCH_JAVA_OPTS} adds to both.
 */
public final class ExecutorBenchmark {
  private static final String BUCKET = "bench";
  private static final List<String> QUARRY_OPTIONS = quarryOptions();

  private ExecutorBenchmark() {}

  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "compare";
    Path work = Path.of("target/bench-executor").toAbsolutePath();
    System.out.printf(
        Locale.ROOT,
        "machine: %d cores, Java %s, load %s%n",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"),
        load());
    System.out.println(
        "quarry's JVM options (bin/quarry run): " + String.join(" ", QUARRY_OPTIONS));
    header();
    switch (mode) {
      case "compare" -> {
        int instantTasks = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        int serverTasks = args.length > 2 ? Integer.parseInt(args[2]) : 2_000;
        int runs = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        int concurrency = args.length > 4 ? Integer.parseInt(args[4]) : 8;
        List<String> actions = List.of((args.length > 5 ? args[5] : "tags,copy").split(","));
        try (InstantS3 instant = InstantS3.start(0)) {
          Path manifest = manifest(work, BUCKET, instantTasks);
          for (String action : actions) {
            for (int run = 0; run < runs; run++) {
              pair(work, "instant", instant.endpoint(), action, manifest, concurrency);
            }
          }
          System.out.printf(
              Locale.ROOT,
              "instant endpoint: %,d requests, %d not answered%n",
              instant.requests(),
              instant.unknown());
        }
        if (serverTasks > 0) {
          LocalS3Server s3mock = S3Servers.s3mock();
          try (S3Client s3 = S3Servers.client(s3mock)) {
            String bucket = S3Servers.newBucketName("bench");
            s3.createBucket(b -> b.bucket(bucket));
            for (int i = 0; i < serverTasks; i++) {
              String key = InstantS3.key(i);
              s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString("x"));
            }
            Path manifest = manifest(work, bucket, serverTasks);
            for (String action : actions) {
              for (int run = 0; run < runs; run++) {
                pair(work, "s3mock", s3mock.endpoint(), action, manifest, concurrency);
              }
            }
          }
        }
      }
      case "growth" -> {
        int[] sizes =
            Arrays.stream((args.length > 1 ? args[1] : "5000,20000,80000").split(","))
                .mapToInt(Integer::parseInt)
                .toArray();
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        int concurrency = args.length > 3 ? Integer.parseInt(args[3]) : 8;
        // one action alone keeps a run within its time on a shared machine
        List<String> actions = List.of((args.length > 4 ? args[4] : "tags,copy").split(","));
        try (InstantS3 instant = InstantS3.start(0)) {
          for (String action : actions) {
            for (int size : sizes) {
              Path manifest = manifest(work, BUCKET, size);
              for (int run = 0; run < runs; run++) {
                pair(work, "instant", instant.endpoint(), action, manifest, concurrency);
              }
            }
          }
        }
      }
      default ->
          throw new IllegalArgumentException("unknown mode " + mode + "; valid: compare, growth");
    }
  }

  /** The SDK loop, then Quarry, seconds apart; prints both and Quarry's rate over the loop's. */
  private static void pair(
      Path work, String server, URI endpoint, String action, Path manifest, int concurrency)
      throws Exception {
    String tasks = manifest.getFileName().toString().replaceAll("\\D", "");
    long count = Long.parseLong(tasks);
    Timed sdk =
        Timed.run(
            work,
            Timed.java(
                SdkLoop.class.getName(),
                endpoint.toString(),
                action,
                manifest.toString(),
                Integer.toString(concurrency)));
    Path state = work.resolve("state");
    Timed.deleteTree(state);
    List<String> command =
        new java.util.ArrayList<>(
            Timed.java(
                ExecutorRun.class.getName(),
                endpoint.toString(),
                action,
                manifest.toString(),
                etag(manifest),
                Integer.toString(concurrency),
                state.toString()));
    command.addAll(1, QUARRY_OPTIONS);
    Timed quarry = Timed.run(work, command);
    Timed.deleteTree(state);
    row(server, action, count, "SDK loop", sdk, sdk);
    row(server, action, count, "quarry executor", quarry, sdk);
  }

  private static void header() {
    System.out.printf(
        Locale.ROOT,
        "%-8s %-5s %7s %-16s %8s %9s %9s %7s %7s %9s%n",
        "server",
        "task",
        "tasks",
        "case",
        "wall s",
        "peak MiB",
        "tasks/s",
        "ratio",
        "CPU s",
        "CPU ratio");
  }

  private static void row(
      String server, String action, long tasks, String name, Timed m, Timed baseline) {
    System.out.printf(
        Locale.ROOT,
        "%-8s %-5s %7d %-16s %8.2f %9.0f %9.0f %7.2f %7.1f %9.2f%n",
        server,
        action,
        tasks,
        name,
        m.seconds(),
        m.peakMib(),
        tasks / m.seconds(),
        baseline.seconds() / m.seconds(),
        m.cpuSeconds(),
        baseline.cpuSeconds() / m.cpuSeconds());
  }

  private static final java.util.Map<Path, String> ETAGS = new java.util.HashMap<>();

  private static String etag(Path manifest) {
    return ETAGS.get(manifest);
  }

  /** A manifest of keys {@code obj-000000...} of {@code bucket}, kept between runs. */
  private static Path manifest(Path work, String bucket, int tasks) throws Exception {
    Path file =
        work.resolve("manifests").resolve(bucket + "-" + tasks).resolve("m" + tasks + ".csv");
    java.nio.file.Files.createDirectories(file.getParent());
    try (ManifestWriter writer = ManifestWriter.open(file, false)) {
      for (int i = 0; i < tasks; i++) {
        writer.write(new ObjectRow(bucket, InstantS3.key(i), null, null, null));
      }
      Manifest written = writer.finish();
      ETAGS.put(written.file(), written.etag());
      return written.file();
    }
  }

  /**
   * The JVM options bin/quarry starts {@code quarry run} with (the working folder: the checkout).
   */
  static List<String> quarryOptions() {
    try {
      ProcessBuilder builder =
          new ProcessBuilder("bin/quarry", "run").redirectError(ProcessBuilder.Redirect.INHERIT);
      builder.environment().put("QUARRY_PRINT_JAVA_OPTS", "1");
      Process process = builder.start();
      String out =
          new String(
              process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      if (process.waitFor() != 0) {
        throw new IllegalStateException("bin/quarry could not print its JVM options: " + out);
      }
      return out.lines().filter(line -> !line.isBlank()).toList();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String load() {
    try {
      return java.nio.file.Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }
}
