package dev.quarry.bench;

import dev.quarry.config.QuarryConfig;
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
import java.io.BufferedWriter;
import java.io.InputStream;
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
import java.util.function.Consumer;
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
 * byte-identical. Live heap is sampled after a full GC every 50 ms while each runs.
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
          "%-10s %9s %9s %11s %10s %9s %11s %10s %9s%n",
          "rows",
          "file MiB",
          "stream s",
          "stream rows/s",
          "heap MiB",
          "paged s",
          "paged rows/s",
          "heap MiB",
          "ratio");
      double[] streaming = new double[2];
      double[] paging = new double[2];
      long[] sizes = {SMALL, LARGE};
      for (int i = 0; i < sizes.length; i++) {
        Path file = dir.resolve("result-" + sizes[i] + ".csv");
        write(file, sizes[i]);
        double fileMiB = Files.size(file) / (1024.0 * 1024.0);
        // streamed from moto's S3, encoded into a manifest, uploaded in parts
        Run counted = new Run(s3, athena, moto, config, settings);
        Path streamedManifest = dir.resolve("streamed-" + sizes[i] + ".csv");
        ManifestWriter[] writer = {ManifestWriter.open(streamedManifest, true)};
        streaming[i] = counted.measure(file, null, row -> writer[0].write(row));
        long streamedRows = writer[0].finish().rows();
        long start = System.nanoTime();
        upload(s3, bucket, "manifests/streamed-" + sizes[i] + ".csv", streamedManifest);
        double streamSeconds = counted.seconds + (System.nanoTime() - start) / 1e9;
        if (streamedRows != sizes[i]) {
          throw new IllegalStateException("streamed " + streamedRows + " rows of " + sizes[i]);
        }
        // the baseline: the same file paged through GetQueryResults, 1,000 rows a page
        Path pagedManifest = dir.resolve("paged-" + sizes[i] + ".csv");
        double[] pagedSeconds = new double[1];
        long wanted = sizes[i];
        try (PagedResults results = new PagedResults(file);
            AthenaClient pager =
                AthenaClient.builder()
                    .endpointOverride(results.endpoint())
                    .region(Region.US_EAST_1)
                    .credentialsProvider(
                        StaticCredentialsProvider.create(
                            AwsBasicCredentials.create("bench", "bench")))
                    .build()) {
          paging[i] =
              LiveHeap.maxMiB(
                  () -> {
                    long begin = System.nanoTime();
                    long pagedRows = page(pager, pagedManifest);
                    upload(s3, bucket, "manifests/paged-" + wanted + ".csv", pagedManifest);
                    pagedSeconds[0] = (System.nanoTime() - begin) / 1e9;
                    if (pagedRows != wanted) {
                      throw new IllegalStateException("paged " + pagedRows + " of " + wanted);
                    }
                  });
        }
        if (Files.mismatch(streamedManifest, pagedManifest) != -1) {
          throw new IllegalStateException("the two manifests differ");
        }
        System.out.printf(
            Locale.ROOT,
            "%-10d %9.1f %9.2f %13.0f %10.1f %9.2f %12.0f %10.1f %9.1f%n",
            sizes[i],
            fileMiB,
            streamSeconds,
            sizes[i] / streamSeconds,
            streaming[i],
            pagedSeconds[0],
            sizes[i] / pagedSeconds[0],
            paging[i],
            pagedSeconds[0] / streamSeconds);
        Files.delete(file);
        Files.delete(streamedManifest);
        Files.delete(pagedManifest);
      }
      System.out.printf(
          Locale.ROOT,
          "heap growth from %,d to %,d rows (x%d): streaming x%.2f, paging x%.2f; peak RSS %s%n",
          SMALL,
          LARGE,
          LARGE / SMALL,
          streaming[1] / streaming[0],
          paging[1] / paging[0],
          peakRss());
    }
  }

  /** GetQueryResults page by page, each row (but the header) encoded into the manifest. */
  private static long page(AthenaClient athena, Path manifest) {
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
      return writer.finish().rows();
    }
  }

  /** The manifest in 8 MiB parts, as a multipart upload. */
  private static void upload(S3Client s3, String bucket, String key, Path file) {
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

  private static String peakRss() {
    try {
      return Files.readAllLines(Path.of("/proc/self/status")).stream()
          .filter(l -> l.startsWith("VmHWM"))
          .map(l -> l.replaceAll("\\s+", " "))
          .findFirst()
          .orElse("(unknown)");
    } catch (java.io.IOException e) {
      return "(unknown)";
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
