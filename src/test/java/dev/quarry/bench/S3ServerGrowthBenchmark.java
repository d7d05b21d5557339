package dev.quarry.bench;

import dev.quarry.sandbox.LocalS3Server;
import dev.quarry.sandbox.S3MockServer;
import dev.quarry.testing.S3Servers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Issue 9, item 7: does a sandbox server's cost per request grow with the bucket? S3Mock 5.2.0
 * reads and parses its bucket's whole {@code bucketMetadata.json} (every key's entry) on each
 * bucket lookup and rewrites it on each new key. For each server (S3Mock and moto, as the sandbox
 * starts them): the quickstart's demo bucket is filled step by step with PUTs with two tags (8
 * threads, as the seed); after each step, HEAD and GetObjectTagging of keys already there (16
 * threads, as the refresh), and the same reads on a second bucket holding only 50 keys, the
 * same-run baseline for "cost that does not depend on the bucket". Each figure is the server's own
 * CPU milliseconds per request (from /proc) and the request rate.
 *
 * <p>Run with {@code bin/benchmark s3-growth [keys] [step] [reads] [servers]} (default 3000 1000
 * 300 s3mock-stock,s3mock,moto; s3mock-stock is S3Mock with its own BucketStore). Not a test: it
 * asserts nothing and prints its figures.
 */
public final class S3ServerGrowthBenchmark {
  private S3ServerGrowthBenchmark() {}

  public static void main(String[] args) throws Exception {
    int keys = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
    int step = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    int reads = args.length > 2 ? Integer.parseInt(args[2]) : 300;
    // s3mock-stock: S3Mock with its own BucketStore, the same-run baseline of Quarry's
    List<String> kinds =
        List.of((args.length > 3 ? args[3] : "s3mock-stock,s3mock,moto").split(","));
    System.out.printf(
        Locale.ROOT,
        "load average %s; %d keys in steps of %d, %d reads a step%n",
        Files.readString(Path.of("/proc/loadavg")).trim(),
        keys,
        step,
        reads);
    for (String kind : kinds) {
      LocalS3Server server = server(kind);
      try (S3Client s3 = S3Servers.client(server)) {
        String big = S3Servers.createVersionedBucket(s3, "growth");
        String small = S3Servers.createVersionedBucket(s3, "small");
        fill(s3, small, 0, 50);
        System.out.printf(
            Locale.ROOT,
            "%n%s (pid %d): server CPU ms a request (requests/s)%n%-12s %-16s %-16s %-16s %-16s"
                + " %-16s%n",
            kind,
            server.pid(),
            "bucket keys",
            "PUT (this step)",
            "HEAD",
            "GET tagging",
            "HEAD, 50 keys",
            "tagging, 50 keys");
        for (int from = 0; from < keys; from += step) {
          int to = Math.min(keys, from + step);
          String put = measure(server, to - from, 8, i -> put(s3, big, i), from);
          int present = to;
          String head =
              measure(server, reads, 16, i -> s3.headObject(b -> b.bucket(big).key(key(i))), 0);
          String tags =
              measure(
                  server, reads, 16, i -> s3.getObjectTagging(b -> b.bucket(big).key(key(i))), 0);
          String smallHead =
              measure(
                  server, reads, 16, i -> s3.headObject(b -> b.bucket(small).key(key(i % 50))), 0);
          String smallTags =
              measure(
                  server,
                  reads,
                  16,
                  i -> s3.getObjectTagging(b -> b.bucket(small).key(key(i % 50))),
                  0);
          System.out.printf(
              Locale.ROOT,
              "%-12d %-16s %-16s %-16s %-16s %-16s%n",
              present,
              put,
              head,
              tags,
              smallHead,
              smallTags);
        }
      }
    }
    System.out.printf(
        Locale.ROOT, "%nload average %s%n", Files.readString(Path.of("/proc/loadavg")).trim());
    System.exit(0);
  }

  private static LocalS3Server server(String kind) throws Exception {
    return switch (kind) {
      case "s3mock" -> S3Servers.s3mock();
      case "moto" -> S3Servers.moto();
      case "s3mock-stock" -> {
        Path dir = Files.createTempDirectory("quarry-s3mock-stock-");
        LocalS3Server stock =
            S3MockServer.startWithS3MocksOwnBucketStore(
                dir.resolve("store"), dir.resolve("s3mock.log"));
        Runtime.getRuntime().addShutdownHook(new Thread(stock::stop));
        yield stock;
      }
      default -> throw new IllegalArgumentException("unknown server " + kind);
    };
  }

  private static void fill(S3Client s3, String bucket, int from, int to) {
    for (int i = from; i < to; i++) {
      put(s3, bucket, i);
    }
  }

  /** Keys shaped like the demo's (a prefix, a date, a name), about 60 bytes. */
  private static String key(int i) {
    return String.format(Locale.ROOT, "camera/2026/11/%02d/frame-%07d-overcast.jpg", i % 28 + 1, i);
  }

  private static void put(S3Client s3, String bucket, int i) {
    s3.putObject(
        b -> b.bucket(bucket).key(key(i)).tagging("team=vision&weather=overcast"),
        RequestBody.fromString("x".repeat(1024)));
  }

  /** "CPU ms a request (rate/s)" of {@code n} calls, indices {@code offset..offset+n-1}. */
  private static String measure(
      LocalS3Server server, int n, int threads, IntConsumer call, int offset) throws Exception {
    double cpu = cpuSeconds(server.pid());
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    long begin = System.nanoTime();
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int index = offset + i;
        futures.add(pool.submit(() -> call.accept(index)));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    double wall = (System.nanoTime() - begin) / 1e9;
    double cpuMs = (cpuSeconds(server.pid()) - cpu) * 1000 / n;
    return String.format(Locale.ROOT, "%.1f (%.0f/s)", cpuMs, n / wall);
  }

  /** The process's user + system CPU seconds (/proc/PID/stat, in clock ticks of 1/100 s). */
  private static double cpuSeconds(long pid) throws Exception {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
  }
}
