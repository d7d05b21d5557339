package dev.quarry.bench;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.EncodingType;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;
import software.amazon.awssdk.services.s3.model.ObjectVersion;

/**
 * The baseline process of {@link RefreshBenchmark}: the requests {@code quarry metadata refresh}
 * makes, as a plain SDK loop: ListObjectVersions page by page, and for each version HeadObject and
 * GetObjectTagging on {@code concurrency} threads (at most 4 × concurrency versions waiting, as the
 * refresher bounds them). Nothing is kept.
 *
 * <p>Arguments: endpoint, bucket, concurrency, and optionally the page size (default 1,000; the
 * refresher asks S3Mock for one page, its paging loses entries) and {@code plain} (HeadObject and
 * GetObjectTagging without version id and checksum mode: tells whether a server is slower for
 * those).
 */
public final class RefreshLoop {
  private RefreshLoop() {}

  public static void main(String[] args) throws Exception {
    URI endpoint = URI.create(args[0]);
    String bucket = args[1];
    int concurrency = Integer.parseInt(args[2]);
    int pageSize = args.length > 3 ? Integer.parseInt(args[3]) : 1000;
    boolean plain = args.length > 4 && args[4].equals("plain");
    AtomicLong read = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    Semaphore waiting = new Semaphore(concurrency * 4);
    List<Future<?>> last = new ArrayList<>();
    try (S3Client s3 = SdkLoop.client(endpoint, concurrency + 2)) {
      String keyMarker = null;
      String versionMarker = null;
      while (true) {
        String km = keyMarker;
        String vm = versionMarker;
        ListObjectVersionsResponse page =
            s3.listObjectVersions(
                b ->
                    b.bucket(bucket)
                        .keyMarker(km)
                        .versionIdMarker(vm)
                        .encodingType(EncodingType.URL)
                        .maxKeys(pageSize));
        for (ObjectVersion v : page.versions()) {
          waiting.acquire();
          Future<?> f =
              pool.submit(
                  () -> {
                    try {
                      if (plain) {
                        s3.headObject(b -> b.bucket(bucket).key(v.key()));
                        s3.getObjectTagging(b -> b.bucket(bucket).key(v.key()));
                      } else {
                        s3.headObject(
                            b ->
                                b.bucket(bucket)
                                    .key(v.key())
                                    .versionId(v.versionId())
                                    .checksumMode(ChecksumMode.ENABLED));
                        s3.getObjectTagging(
                            b -> b.bucket(bucket).key(v.key()).versionId(v.versionId()));
                      }
                      read.incrementAndGet();
                    } finally {
                      waiting.release();
                    }
                  });
          last.add(f);
          if (last.size() > 10_000) {
            for (Future<?> done : last) {
              done.get();
            }
            last.clear();
          }
        }
        if (!Boolean.TRUE.equals(page.isTruncated())) {
          break;
        }
        keyMarker = page.nextKeyMarker();
        versionMarker = page.nextVersionIdMarker();
      }
      for (Future<?> f : last) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    System.out.println(read.get() + " versions read");
  }
}
