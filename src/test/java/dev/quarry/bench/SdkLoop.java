package dev.quarry.bench;

import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.Tag;
import software.amazon.awssdk.services.s3.model.TaggingDirective;

/**
 * The baseline process of {@link ExecutorBenchmark}: a plain AWS SDK v2 loop, {@code concurrency}
 * threads over the manifest's rows, each row the same requests Quarry's task makes (tags: one
 * PutObjectTagging; copy: HeadObject, then CopyObject in place if the ETag still matches), with a
 * plain client (Apache HTTP, a pool of {@code concurrency} connections, path-style). No state, no
 * report: what the work costs without an executor.
 *
 * <p>Arguments: endpoint, action ({@code tags} or {@code copy}), manifest file, concurrency.
 */
public final class SdkLoop {
  private SdkLoop() {}

  public static void main(String[] args) throws Exception {
    URI endpoint = URI.create(args[0]);
    String action = args[1];
    int concurrency = Integer.parseInt(args[3]);
    List<String[]> rows = new ArrayList<>();
    try (Reader reader = Files.newBufferedReader(Path.of(args[2]), StandardCharsets.UTF_8)) {
      for (CSVRecord r : CSVFormat.DEFAULT.parse(reader)) {
        rows.add(new String[] {r.get(0), r.get(1)});
      }
    }
    try (S3Client s3 = client(endpoint, concurrency)) {
      AtomicInteger next = new AtomicInteger();
      AtomicInteger failed = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(concurrency);
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < concurrency; t++) {
        workers.add(
            pool.submit(
                () -> {
                  for (int i = next.getAndIncrement();
                      i < rows.size();
                      i = next.getAndIncrement()) {
                    try {
                      task(s3, action, rows.get(i)[0], rows.get(i)[1]);
                    } catch (RuntimeException e) {
                      failed.incrementAndGet();
                    }
                  }
                }));
      }
      for (Future<?> w : workers) {
        w.get();
      }
      pool.shutdown();
      System.out.println((rows.size() - failed.get()) + " succeeded " + failed.get() + " failed");
      if (failed.get() > 0) {
        System.exit(1);
      }
    }
  }

  static S3Client client(URI endpoint, int concurrency) {
    return S3Client.builder()
        .endpointOverride(endpoint)
        .forcePathStyle(true)
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench")))
        .httpClientBuilder(ApacheHttpClient.builder().maxConnections(concurrency))
        .build();
  }

  private static void task(S3Client s3, String action, String bucket, String key) {
    switch (action) {
      case "tags" ->
          s3.putObjectTagging(
              b ->
                  b.bucket(bucket)
                      .key(key)
                      .tagging(t -> t.tagSet(Tag.builder().key("bench").value("yes").build())));
      case "copy" -> {
        HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key(key));
        s3.copyObject(
            CopyObjectRequest.builder()
                .sourceBucket(bucket)
                .sourceKey(key)
                .destinationBucket(bucket)
                .destinationKey(key)
                .copySourceIfMatch(head.eTag())
                .metadataDirective(MetadataDirective.COPY)
                .taggingDirective(TaggingDirective.COPY)
                .storageClass(head.storageClassAsString())
                .serverSideEncryption(ServerSideEncryption.AES256)
                .build());
      }
      default -> throw new IllegalArgumentException("unknown action " + action);
    }
  }
}
