package dev.quarry.bench;

import dev.quarry.config.QuarryConfig;
import dev.quarry.query.BoundQuery;
import dev.quarry.query.ObjectRow;
import dev.quarry.query.TaskIdentity;
import dev.quarry.query.athena.AthenaClients;
import dev.quarry.query.athena.AthenaEngine;
import dev.quarry.query.athena.AthenaSettings;
import dev.quarry.query.athena.MotoAthena;
import dev.quarry.sandbox.LocalS3Server;
import dev.quarry.testing.S3Servers;
import java.io.BufferedWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.athena.AthenaClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Shows that the Athena engine streams a result of any size in flat memory: results of 200,000 and
 * 2,000,000 rows read through {@link AthenaEngine#objects} from moto's S3, against a baseline in
 * the same run that collects the rows in a list (what paging everything into memory amounts to).
 * Live heap is sampled after a full GC every 50 ms while the result is read.
 *
 * <p>The result file is written to the query's result location directly, as Athena would write it,
 * while moto holds the query QUEUED; then moto lets the query succeed. moto's canned-results API is
 * no way to load millions of rows: it takes them as one JSON document (about 300 MB for 2M rows of
 * five columns), builds the CSV by string concatenation in one request, and does not double quotes
 * inside values.
 *
 * <p>Run with {@code bin/benchmark athena-stream}. Not a test: it asserts nothing and prints its
 * figures. Rows/s covers reading and parsing the file from moto, not Athena's query time.
 */
public final class AthenaStreamBenchmark {
  private static final long SMALL = 200_000;
  private static final long LARGE = 2_000_000;

  private AthenaStreamBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("quarry-athena-bench-");
    LocalS3Server server = S3Servers.moto();
    QuarryConfig config = S3Servers.config(server, dir);
    MotoAthena moto = new MotoAthena(server);
    try (S3Client s3 = S3Servers.client(server);
        AthenaClient athena = AthenaClients.create(config)) {
      String bucket = S3Servers.newBucketName("athena-bench");
      s3.createBucket(b -> b.bucket(bucket));
      AthenaSettings settings =
          AthenaSettings.defaults()
              .withOutputLocation("s3://" + bucket + "/results/")
              .withPolling(Duration.ofMillis(10), Duration.ofMillis(50))
              .withTimeout(Duration.ofMinutes(30));
      System.out.printf(
          Locale.ROOT,
          "%-10s %10s %12s %14s %12s %18s %14s%n",
          "rows",
          "file MiB",
          "stream MiB",
          "stream rows/s",
          "MiB/s",
          "collected MiB",
          "collected/stream");
      double[] streaming = new double[2];
      double[] collected = new double[2];
      long[] sizes = {SMALL, LARGE};
      for (int i = 0; i < sizes.length; i++) {
        Path file = dir.resolve("result-" + sizes[i] + ".csv");
        write(file, sizes[i]);
        double fileMiB = Files.size(file) / (1024.0 * 1024.0);
        Run counted = new Run(s3, athena, moto, config, settings);
        AtomicLong rows = new AtomicLong();
        AtomicLong chars = new AtomicLong();
        streaming[i] =
            counted.measure(
                file,
                null,
                row -> {
                  rows.incrementAndGet();
                  chars.addAndGet(row.key().length());
                });
        if (rows.get() != sizes[i]) {
          throw new IllegalStateException("streamed " + rows.get() + " rows of " + sizes[i]);
        }
        double rowsPerSecond = sizes[i] / counted.seconds;
        double mibPerSecond = fileMiB / counted.seconds;
        List<ObjectRow> list = new ArrayList<>();
        Run collecting = new Run(s3, athena, moto, config, settings);
        collected[i] = collecting.measure(null, counted.resultLocation, list::add);
        if (list.size() != sizes[i]) {
          throw new IllegalStateException("collected " + list.size() + " rows of " + sizes[i]);
        }
        list.clear();
        System.out.printf(
            Locale.ROOT,
            "%-10d %10.1f %12.1f %14.0f %12.1f %18.1f %14.1f%n",
            sizes[i],
            fileMiB,
            streaming[i],
            rowsPerSecond,
            mibPerSecond,
            collected[i],
            collected[i] / streaming[i]);
        Files.delete(file);
      }
      System.out.printf(
          Locale.ROOT,
          "heap growth from %,d to %,d rows (x%d): streaming x%.2f, collecting x%.2f%n",
          SMALL,
          LARGE,
          LARGE / SMALL,
          streaming[1] / streaming[0],
          collected[1] / collected[0]);
    }
  }

  /** One query: moto holds it, its result file is put in place, then it succeeds and is read. */
  private static final class Run {
    private final S3Client s3;
    private final AthenaClient athena;
    private final MotoAthena moto;
    private final QuarryConfig config;
    private final AthenaSettings settings;
    double seconds;
    String resultLocation;

    Run(
        S3Client s3,
        AthenaClient athena,
        MotoAthena moto,
        QuarryConfig config,
        AthenaSettings settings) {
      this.s3 = s3;
      this.athena = athena;
      this.moto = moto;
      this.config = config;
      this.settings = settings;
    }

    /**
     * Uploads {@code file} (or copies {@code copyFrom}) to the query's result location; returns the
     * maximum live heap in MiB while the engine reads it.
     */
    double measure(Path file, String copyFrom, Consumer<ObjectRow> sink) throws Exception {
      moto.hold();
      try (AthenaEngine engine = AthenaEngine.create(config, settings)) {
        Set<String> before = MotoAthena.executions(athena);
        CompletableFuture<Long> run =
            CompletableFuture.supplyAsync(
                () ->
                    engine
                        .objects(
                            BoundQuery.of(
                                "SELECT bucket, key, version_id, size, storage_class FROM"
                                    + " inventory"),
                            TaskIdentity.BUCKET_KEY_VERSION,
                            sink)
                        .objects());
        String id = MotoAthena.awaitNewExecution(athena, before);
        resultLocation =
            athena
                .getQueryExecution(r -> r.queryExecutionId(id))
                .queryExecution()
                .resultConfiguration()
                .outputLocation();
        URI target = URI.create(resultLocation);
        String bucket = target.getHost();
        String key = target.getPath().substring(1);
        if (file != null) {
          s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromFile(file));
        } else {
          URI source = URI.create(copyFrom);
          s3.copyObject(
              b ->
                  b.sourceBucket(source.getHost())
                      .sourceKey(source.getPath().substring(1))
                      .destinationBucket(bucket)
                      .destinationKey(key));
        }
        return LiveHeap.maxMiB(
            () -> {
              long start = System.nanoTime();
              moto.release();
              try {
                run.get(30, TimeUnit.MINUTES);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
              seconds = (System.nanoTime() - start) / 1e9;
            });
      } finally {
        moto.release();
      }
    }
  }

  /** A result file as Athena writes it: a header, every value quoted, NULL as nothing. */
  private static void write(Path file, long rows) throws Exception {
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      out.write("\"bucket\",\"key\",\"version_id\",\"size\",\"storage_class\"\n");
      for (long i = 0; i < rows; i++) {
        out.write("\"bench\",\"camera/");
        out.write(Long.toString(i % 1000));
        out.write("/img-");
        out.write(Long.toString(i));
        out.write(".jpg\",");
        if (i % 10 != 0) {
          out.write('"');
          out.write(String.format(Locale.ROOT, "%032x", i * 2654435761L));
          out.write('"');
        }
        out.write(",\"");
        out.write(Long.toString(i % 100000));
        out.write("\",\"");
        out.write(i % 3 == 0 ? "GLACIER" : "STANDARD");
        out.write("\"\n");
      }
    }
  }
}
