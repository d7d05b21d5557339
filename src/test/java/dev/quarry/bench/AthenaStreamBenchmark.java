package dev.quarry.bench;

import dev.quarry.config.QuarryConfig;
import dev.quarry.config.S3Clients;
import dev.quarry.job.s3control.ManifestUpload;
import dev.quarry.manifest.Manifest;
import dev.quarry.manifest.ManifestWriter;
import dev.quarry.query.BoundQuery;
import dev.quarry.query.ObjectRow;
import dev.quarry.query.TaskIdentity;
import dev.quarry.query.athena.AthenaClients;
import dev.quarry.query.athena.AthenaEngine;
import dev.quarry.query.athena.AthenaSettings;
import dev.quarry.query.athena.MotoAthena;
import dev.quarry.sandbox.LocalS3Server;
import dev.quarry.testing.S3Servers;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.athena.AthenaClient;
import software.amazon.awssdk.services.athena.model.Datum;
import software.amazon.awssdk.services.athena.model.GetQueryResultsResponse;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * Issue 9, item 2: results of 200,000 and 2,000,000 rows streamed through {@link
 * AthenaEngine#objects} from moto's S3, encoded into a manifest and uploaded in parts, against the
 * same file paged through GetQueryResults (1,000 rows a page, by the AWS SDK's paginator against
 * {@link PagedResults}), encoded and uploaded the same way, in the same run; both manifests must be
 * byte-identical.
 *
 * <p>Each side is its own JVM under {@code /usr/bin/time}, and the paging endpoint is a third, so
 * neither side pays for the other's garbage, the endpoint's JSON or a heap sampler: the figures are
 * the side's own timed section (first request to the manifest's last part uploaded), and the
 * process's CPU seconds and peak RSS (JVM start-up included). An earlier version ran all three in
 * one JVM forcing a full GC every 50 ms, and that sampler dominated both sides.
 *
 * <p>The result file is put on moto's S3 once, then copied (server side) to the query's result
 * location while moto holds the query QUEUED, as Athena would write it; then moto lets the query
 * succeed. moto's canned-results API is no way to load millions of rows: it takes them as one JSON
 * document (about 300 MB for 2M rows of five columns), builds the CSV by string concatenation in
 * one request, and does not double quotes inside values.
 *
 * <p>Run with {@code bin/benchmark athena-stream [rows,rows...]} (needs moto_server and {@code
 * /usr/bin/time}). Not a test: it asserts nothing but that both manifests are identical, and prints
 * its figures. Rows/s covers reading and parsing the file from moto, not Athena's query time.
 */
public final class AthenaStreamBenchmark {
  private static final String SELECT =
      "SELECT bucket, key, version_id, size, storage_class FROM inventory";

  private AthenaStreamBenchmark() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("stream")) {
      stream(URI.create(args[1]), args[2], args[3], Path.of(args[4]), args[5]);
      return;
    }
    if (args.length > 0 && args[0].equals("page")) {
      page(URI.create(args[1]), URI.create(args[2]), args[3], Path.of(args[4]));
      return;
    }
    long[] sizes =
        args.length > 0
            ? Arrays.stream(args[0].split(",")).mapToLong(Long::parseLong).toArray()
            : new long[] {200_000, 2_000_000};
    Path dir = Files.createTempDirectory("quarry-athena-bench-");
    LocalS3Server server = S3Servers.moto();
    try (S3Client s3 = S3Servers.client(server)) {
      String bucket = S3Servers.newBucketName("athena-bench");
      s3.createBucket(b -> b.bucket(bucket));
      System.out.printf(
          Locale.ROOT,
          "load average %s; each side its own JVM (java %s)%n",
          Files.readString(Path.of("/proc/loadavg")).trim(),
          String.join(" ", JVM_OPTIONS));
      System.out.printf(
          Locale.ROOT,
          "%-9s %8s | %-32s | %-32s | %6s %6s%n",
          "rows",
          "file MiB",
          "stream: timed s, rows/s, CPU s, RSS",
          "paged: timed s, rows/s, CPU s, RSS",
          "ratio",
          "CPU x");
      for (long rows : sizes) {
        Path file = dir.resolve("result-" + rows + ".csv");
        write(file, rows);
        double fileMiB = Files.size(file) / (1024.0 * 1024.0);
        String source = "source/result-" + rows + ".csv";
        s3.putObject(b -> b.bucket(bucket).key(source), RequestBody.fromFile(file));
        Path streamed = dir.resolve("streamed-" + rows + ".csv");
        Side before =
            Side.run(
                dir,
                "stream",
                server.endpoint().toString(),
                bucket,
                source,
                streamed.toString(),
                "serial");
        Side streaming =
            Side.run(
                dir,
                "stream",
                server.endpoint().toString(),
                bucket,
                source,
                streamed.toString(),
                "quarry");
        Path paged = dir.resolve("paged-" + rows + ".csv");
        Side paging;
        try (Endpoint results = Endpoint.start(file)) {
          paging =
              Side.run(
                  dir,
                  "page",
                  results.uri().toString(),
                  server.endpoint().toString(),
                  bucket,
                  paged.toString());
        }
        System.out.printf(
            Locale.ROOT,
            "%-9d %8.1f | before (serial 8 MiB parts): %s | wall ratio to it %.2f%n",
            rows,
            fileMiB,
            before.describe(),
            before.seconds / streaming.seconds);
        if (streaming.rows != rows || paging.rows != rows || before.rows != rows) {
          throw new IllegalStateException(
              "rows: streamed " + streaming.rows + ", paged " + paging.rows + ", of " + rows);
        }
        if (Files.mismatch(streamed, paged) != -1) {
          throw new IllegalStateException("the two manifests differ");
        }
        System.out.printf(
            Locale.ROOT,
            "%-9d %8.1f | %s | %s | %6.1f %6.1f%n",
            rows,
            fileMiB,
            streaming.describe(),
            paging.describe(),
            paging.seconds / streaming.seconds,
            paging.cpu / streaming.cpu);
        System.out.printf(
            Locale.ROOT,
            "  %,d pages; at Athena's ~0.6 s a page (aws-contracts.md) paging alone would take"
                + " %.0f s, %.0f times the streaming side%n",
            (rows + 1 + 999) / 1000,
            0.6 * ((rows + 1 + 999) / 1000),
            0.6 * ((rows + 1 + 999) / 1000) / streaming.seconds);
        Files.delete(file);
        Files.delete(streamed);
        Files.delete(paged);
        s3.deleteObject(b -> b.bucket(bucket).key(source));
      }
      System.out.printf(
          Locale.ROOT, "load average %s%n", Files.readString(Path.of("/proc/loadavg")).trim());
    }
  }

  /**
   * What the sides run with: bin/quarry's options and one small heap for both, so memory that grew
   * with the row count would fail the 2M-row run instead of hiding in a heap the JVM sized after
   * the machine's 23 GiB (a side's RSS then says how lazily G1 collects, not what it keeps).
   * BENCH_SIDE_JAVA_OPTS adds options to both sides, e.g. what {@code QUARRY_PRINT_JAVA_OPTS=1
   * bin/quarry run} prints, to measure the stream as {@code quarry run} starts it.
   */
  private static final List<String> JVM_OPTIONS = jvmOptions();

  private static List<String> jvmOptions() {
    List<String> options = new ArrayList<>(List.of("-Xss4m", "-Xmx256m"));
    String extra = System.getenv().getOrDefault("BENCH_SIDE_JAVA_OPTS", "").trim();
    if (!extra.isEmpty()) {
      options.addAll(List.of(extra.split("\\s+")));
    }
    return List.copyOf(options);
  }

  /** One side as its own process under /usr/bin/time: its timed seconds, rows, CPU and RSS. */
  private record Side(double seconds, long rows, double wall, double cpu, long rssKiB) {
    static Side run(Path dir, String... args) throws Exception {
      Path times = dir.resolve("times");
      List<String> command = new ArrayList<>();
      command.addAll(List.of("/usr/bin/time", "-o", times.toString(), "-f", "%e %U %S %M"));
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(JVM_OPTIONS);
      command.addAll(
          List.of(
              "-cp", System.getProperty("java.class.path"), AthenaStreamBenchmark.class.getName()));
      command.addAll(List.of(args));
      Process process =
          new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (process.waitFor() != 0) {
        throw new IllegalStateException(args[0] + " side failed: " + out);
      }
      String[] result = out.trim().split("\\s+");
      String[] t = Files.readString(times).trim().split("\\s+");
      return new Side(
          Double.parseDouble(result[0]),
          Long.parseLong(result[1]),
          Double.parseDouble(t[0]),
          Double.parseDouble(t[1]) + Double.parseDouble(t[2]),
          Long.parseLong(t[3]));
    }

    String describe() {
      return String.format(
          Locale.ROOT, "%7.2f %9.0f %6.1f %5d MiB", seconds, rows / seconds, cpu, rssKiB / 1024);
    }
  }

  /** The paging endpoint, {@link PagedResults}, in its own JVM; it prints its port. */
  private record Endpoint(Process process, URI uri) implements AutoCloseable {
    static Endpoint start(Path csv) throws Exception {
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(JVM_OPTIONS);
      command.addAll(
          List.of(
              "-cp",
              System.getProperty("java.class.path"),
              PagedResults.class.getName(),
              csv.toString()));
      Process process =
          new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      String line = out.readLine();
      if (line == null) {
        throw new IllegalStateException("the paging endpoint did not start");
      }
      return new Endpoint(process, URI.create(line.trim()));
    }

    @Override
    public void close() {
      process.destroy();
      try {
        process.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * The streaming side: holds a query on moto, puts the result in place, lets it succeed, and times
   * reading it through the engine into a manifest plus the manifest's upload.
   */
  private static void stream(
      URI endpoint, String bucket, String source, Path manifest, String uploadMode)
      throws Exception {
    Path state = Files.createTempDirectory("quarry-athena-stream-");
    QuarryConfig config = S3Servers.config(endpoint, state);
    MotoAthena moto = new MotoAthena(new Attached(endpoint));
    AthenaSettings settings =
        AthenaSettings.defaults()
            .withOutputLocation("s3://" + bucket + "/results/")
            .withPolling(Duration.ofMillis(10), Duration.ofMillis(50))
            .withTimeout(Duration.ofMinutes(30));
    try (S3Client s3 = S3Clients.create(config, 16);
        AthenaClient athena = AthenaClients.create(config);
        AthenaEngine engine = AthenaEngine.create(config, settings)) {
      moto.hold();
      try {
        Set<String> before = MotoAthena.executions(athena);
        long[] firstRow = {0};
        CompletableFuture<Manifest> run =
            CompletableFuture.supplyAsync(
                () -> {
                  try (ManifestWriter writer = ManifestWriter.open(manifest, true)) {
                    engine.objects(
                        BoundQuery.of(SELECT),
                        TaskIdentity.BUCKET_KEY_VERSION,
                        row -> {
                          if (firstRow[0] == 0) {
                            firstRow[0] = System.nanoTime();
                          }
                          writer.write(row);
                        });
                    return writer.finish();
                  }
                });
        String id = MotoAthena.awaitNewExecution(athena, before);
        URI target =
            URI.create(
                athena
                    .getQueryExecution(r -> r.queryExecutionId(id))
                    .queryExecution()
                    .resultConfiguration()
                    .outputLocation());
        s3.copyObject(
            b ->
                b.sourceBucket(bucket)
                    .sourceKey(source)
                    .destinationBucket(target.getHost())
                    .destinationKey(target.getPath().substring(1)));
        long start = System.nanoTime();
        moto.release();
        Manifest written = run.get(30, TimeUnit.MINUTES);
        long rows = written.rows();
        long read = System.nanoTime();
        if (uploadMode.equals("serial")) {
          serialUpload(s3, bucket, "manifests/streamed.csv", manifest);
        } else {
          upload(s3, bucket, "manifests/streamed.csv", written);
        }
        long end = System.nanoTime();
        // where the time goes, on stderr: the query's end seen, the rows read, the upload
        System.err.printf(
            Locale.ROOT,
            "  streaming (%s upload): to the first row %.2f s, rows %.2f s, upload %.2f s%n",
            uploadMode,
            (firstRow[0] - start) / 1e9,
            (read - firstRow[0]) / 1e9,
            (end - read) / 1e9);
        liveHeap("streaming");
        System.out.printf(Locale.ROOT, "%.3f %d%n", (end - start) / 1e9, rows);
      } finally {
        moto.release();
      }
    }
  }

  /** The baseline side: GetQueryResults paged into a manifest, then the same upload. */
  private static void page(URI results, URI endpoint, String bucket, Path manifest) {
    QuarryConfig config = S3Servers.config(endpoint, Path.of("unused"));
    try (S3Client s3 = S3Clients.create(config, 16);
        AthenaClient pager =
            AthenaClient.builder()
                .endpointOverride(results)
                .region(Region.US_EAST_1)
                .credentialsProvider(
                    StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench")))
                .build()) {
      long start = System.nanoTime();
      Manifest written = page(pager, manifest);
      long rows = written.rows();
      long read = System.nanoTime();
      upload(s3, bucket, "manifests/paged.csv", written);
      long end = System.nanoTime();
      System.err.printf(
          Locale.ROOT,
          "  paging: rows %.2f s, upload %.2f s%n",
          (read - start) / 1e9,
          (end - read) / 1e9);
      liveHeap("paging");
      System.out.printf(Locale.ROOT, "%.3f %d%n", (end - start) / 1e9, rows);
    }
  }

  /** The heap a full GC leaves, once, after the timed section: what the side keeps alive. */
  private static void liveHeap(String side) {
    System.gc();
    System.err.printf(
        Locale.ROOT,
        "  %s: live heap after the run %.1f MiB%n",
        side,
        ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024.0 * 1024.0));
  }

  /** moto, already running, as the server {@link MotoAthena} talks to. */
  private record Attached(URI endpoint) implements LocalS3Server {
    @Override
    public String kind() {
      return "moto";
    }

    @Override
    public long pid() {
      return -1;
    }

    @Override
    public List<Listener> listeners() {
      return List.of();
    }

    @Override
    public List<String> knownGaps() {
      return List.of();
    }

    @Override
    public void stop() {
      // not ours to stop: the orchestrating process started it
    }
  }

  /** GetQueryResults page by page, each row (but the header) encoded into the manifest. */
  private static Manifest page(AthenaClient athena, Path manifest) {
    try (ManifestWriter writer = ManifestWriter.open(manifest, true)) {
      boolean header = true;
      for (GetQueryResultsResponse page :
          athena.getQueryResultsPaginator(r -> r.queryExecutionId("bench").maxResults(1000))) {
        for (software.amazon.awssdk.services.athena.model.Row row : page.resultSet().rows()) {
          if (header) {
            header = false;
            continue;
          }
          List<Datum> d = row.data();
          String size = d.get(3).varCharValue();
          writer.write(
              new ObjectRow(
                  d.get(0).varCharValue(),
                  d.get(1).varCharValue(),
                  d.get(2).varCharValue(),
                  size == null ? null : Long.valueOf(size),
                  d.get(4).varCharValue()));
        }
      }
      return writer.finish();
    }
  }

  /** Quarry's own manifest upload (S3ControlBatchJobs'), with its default limits. */
  private static void upload(S3Client s3, String bucket, String key, Manifest manifest) {
    new ManifestUpload(s3, ManifestUpload.Limits.DEFAULT)
        .upload(manifest.file(), manifest.etag(), bucket, key, "123456789012" /* moto's account */);
  }

  /** The upload of b6a301d, for the same-run before: 8 MiB parts, one at a time. */
  private static void serialUpload(S3Client s3, String bucket, String key, Path file) {
    String id = s3.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
    List<CompletedPart> parts = new ArrayList<>();
    byte[] buffer = new byte[8 << 20];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.readNBytes(buffer, 0, buffer.length)) > 0) {
        int number = parts.size() + 1;
        String etag =
            s3.uploadPart(
                    b -> b.bucket(bucket).key(key).uploadId(id).partNumber(number),
                    RequestBody.fromBytes(java.util.Arrays.copyOf(buffer, n)))
                .eTag();
        parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    s3.completeMultipartUpload(
        b -> b.bucket(bucket).key(key).uploadId(id).multipartUpload(m -> m.parts(parts)));
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
