package dev.quarry.bench;

import dev.quarry.sandbox.LocalS3Server;
import dev.quarry.sandbox.S3MockServer;
import dev.quarry.testing.S3Servers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Issue 9, item 7: where the quickstart's time goes on S3Mock. Starts S3Mock as the sandbox does
 * once per JVM option set given, and times its start (process start to first answer), then the
 * requests the quickstart makes most (PUT with tags, as the seed does, at 8 threads; HEAD and
 * GetObjectTagging, as the metadata refresh does, at 16), with the server's own CPU seconds read
 * from /proc. Each option set is one argument, options separated by spaces; "" is the JVM's
 * defaults.
 *
 * <p>Run with {@code bin/benchmark s3mock-flags [objects] [options]...}. Not a test: it asserts
 * nothing and prints its figures.
 */
public final class S3MockFlagsBenchmark {
  private S3MockFlagsBenchmark() {}

  public static void main(String[] args) throws Exception {
    int n = Integer.parseInt(args[0]);
    System.out.printf(
        Locale.ROOT,
        "load average %s; %d objects%n%-55s %7s %8s %8s %8s %9s%n",
        Files.readString(Path.of("/proc/loadavg")).trim(),
        n,
        "S3Mock JVM options",
        "start s",
        "PUT/s",
        "HEAD/s",
        "tags/s",
        "server CPU s");
    for (String variant : Arrays.copyOfRange(args, 1, args.length)) {
      List<String> options = variant.isBlank() ? List.of() : List.of(variant.trim().split("\\s+"));
      Path dir = Files.createTempDirectory("quarry-s3mock-flags-");
      long begin = System.nanoTime();
      LocalS3Server server =
          S3MockServer.start(dir.resolve("store"), dir.resolve("s3mock.log"), options);
      double start = (System.nanoTime() - begin) / 1e9;
      try (S3Client s3 = S3Servers.client(server)) {
        String bucket = S3Servers.newBucketName("flags");
        s3.createBucket(b -> b.bucket(bucket));
        double put =
            rate(
                n,
                8,
                i ->
                    s3.putObject(
                        b -> b.bucket(bucket).key("k/" + i).tagging("team=a&weather=sun"),
                        RequestBody.fromString("x".repeat(1024))));
        double head = rate(n, 16, i -> s3.headObject(b -> b.bucket(bucket).key("k/" + i)));
        double tags = rate(n, 16, i -> s3.getObjectTagging(b -> b.bucket(bucket).key("k/" + i)));
        System.out.printf(
            Locale.ROOT,
            "%-55s %7.1f %8.0f %8.0f %8.0f %9.1f%n",
            variant.isBlank() ? "(JVM defaults)" : variant,
            start,
            put,
            head,
            tags,
            cpuSeconds(server.pid()));
      } finally {
        server.stop();
      }
    }
    System.out.printf(
        Locale.ROOT, "load average %s%n", Files.readString(Path.of("/proc/loadavg")).trim());
  }

  /** Requests per second of {@code n} calls of {@code call} on {@code threads} threads. */
  private static double rate(int n, int threads, IntConsumer call) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      long begin = System.nanoTime();
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int index = i;
        futures.add(pool.submit(() -> call.accept(index)));
      }
      for (Future<?> f : futures) {
        f.get();
      }
      return n / ((System.nanoTime() - begin) / 1e9);
    } finally {
      pool.shutdown();
    }
  }

  /** The process's user + system CPU seconds (/proc/PID/stat, in clock ticks of 1/100 s). */
  private static double cpuSeconds(long pid) throws Exception {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
  }
}
