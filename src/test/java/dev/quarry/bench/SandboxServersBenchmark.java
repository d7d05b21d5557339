package dev.quarry.bench;

import dev.quarry.sandbox.LocalS3Server;
import dev.quarry.testing.ListeningSockets;
import dev.quarry.testing.S3Servers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.ObjectVersion;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.StorageClass;
import software.amazon.awssdk.services.s3.model.Tier;

/**
 * Which S3 server the sandbox should run by default: S3Mock and moto, as the sandbox starts them
 * (guarded, loopback only), side by side in one run, on
 *
 * <ul>
 *   <li>fidelity: one scripted check per known gap, each answered as S3 answers it or not;
 *   <li>speed: requests/s of PUT, HEAD, GET tagging and ListObjectVersions (pages of 1,000) through
 *       the real SDK, one thread, N objects;
 *   <li>memory: the server process's resident set (VmRSS, and peak VmHWM) from {@code /proc} when
 *       started, after N objects, and after N more.
 * </ul>
 *
 * <p>Run with {@code bin/benchmark sandbox-servers [N] [object bytes]} (default 2,000 objects of 16
 * KiB). Not a test: it asserts nothing and prints its figures.
 */
public final class SandboxServersBenchmark {
  private SandboxServersBenchmark() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    int size = args.length > 1 ? Integer.parseInt(args[1]) : 16 * 1024;
    System.out.printf(
        "machine: %s, %d cores, Java %s; %d objects of %d bytes%n",
        System.getProperty("os.name") + " " + System.getProperty("os.arch"),
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"),
        n,
        size);
    Map<String, Map<String, String>> table = new LinkedHashMap<>();
    for (LocalS3Server server : List.of(S3Servers.s3mock(), S3Servers.moto())) {
      Map<String, String> column = new LinkedHashMap<>();
      table.put(server.kind(), column);
      try (S3Client s3 = S3Servers.client(server)) {
        column.put("RSS at start (MiB)", rss(server));
        fidelity(s3, column);
        speed(s3, server, n, size, column);
      }
      column.put(
          "listens on loopback only",
          ListeningSockets.of(server.pid()).stream().allMatch(ListeningSockets.Socket::loopback)
              ? "yes"
              : "NO");
    }
    print(table);
  }

  // ------------------------------------------------------------------ fidelity

  private static void fidelity(S3Client s3, Map<String, String> column) {
    String bucket = S3Servers.createVersionedBucket(s3, "fidelity");
    column.put(
        "DeleteObject of a missing version id is a no-op",
        check(
            () -> {
              String data = put(s3, bucket, "gone-marker", "data");
              String marker = s3.deleteObject(b -> b.bucket(bucket).key("gone-marker")).versionId();
              String markerId =
                  versions(s3, bucket, "gone-marker").deleteMarkers().get(0).versionId();
              s3.deleteObject(b -> b.bucket(bucket).key("gone-marker").versionId(markerId));
              // the second rollback: the marker's version id is gone now
              s3.deleteObject(b -> b.bucket(bucket).key("gone-marker").versionId(markerId));
              ListObjectVersionsResponse after = versions(s3, bucket, "gone-marker");
              boolean kept = after.versions().stream().anyMatch(v -> v.versionId().equals(data));
              return kept
                  ? "yes"
                  : "NO: the data version was deleted (marker id from DeleteObject: "
                      + (markerId.equals(marker) ? "right" : "wrong")
                      + ")";
            }));
    column.put(
        "DeleteObject returns the marker's version id",
        check(
            () -> {
              put(s3, bucket, "marker-id", "data");
              String returned = s3.deleteObject(b -> b.bucket(bucket).key("marker-id")).versionId();
              String listed = versions(s3, bucket, "marker-id").deleteMarkers().get(0).versionId();
              return returned != null && returned.equals(listed) ? "yes" : "NO";
            }));
    column.put(
        "copy in place adds a version",
        check(
            () -> {
              put(s3, bucket, "in-place", "data");
              s3.copyObject(
                  b ->
                      b.sourceBucket(bucket)
                          .sourceKey("in-place")
                          .destinationBucket(bucket)
                          .destinationKey("in-place")
                          .metadataDirective(MetadataDirective.REPLACE)
                          .metadata(Map.of("copied", "yes")));
              int count = versions(s3, bucket, "in-place").versions().size();
              return count == 2 ? "yes" : "NO: " + count + " version(s) after the copy";
            }));
    column.put(
        "ListObjectVersions paging (max-keys 7) lists all",
        check(
            () -> {
              String paged = S3Servers.createVersionedBucket(s3, "paging");
              for (int i = 0; i < 30; i++) {
                put(s3, paged, String.format("k%03d", i), "a");
                put(s3, paged, String.format("k%03d", i), "b");
              }
              int seen = 0;
              String keyMarker = null;
              String versionMarker = null;
              for (int page = 0; page < 100; page++) {
                String km = keyMarker;
                String vm = versionMarker;
                ListObjectVersionsResponse r =
                    s3.listObjectVersions(
                        b -> b.bucket(paged).maxKeys(7).keyMarker(km).versionIdMarker(vm));
                seen += r.versions().size() + r.deleteMarkers().size();
                if (!Boolean.TRUE.equals(r.isTruncated())) {
                  break;
                }
                keyMarker = r.nextKeyMarker();
                versionMarker = r.nextVersionIdMarker();
              }
              return seen == 60 ? "yes" : "NO: " + seen + " of 60 entries";
            }));
    column.put(
        "GLACIER: GetObject refused, RestoreObject works",
        check(
            () -> {
              s3.putObject(
                  b -> b.bucket(bucket).key("cold").storageClass(StorageClass.GLACIER),
                  RequestBody.fromString("cold"));
              String get;
              try {
                s3.getObjectAsBytes(b -> b.bucket(bucket).key("cold"));
                get = "GetObject answered";
              } catch (S3Exception e) {
                get = e.statusCode() == 403 ? null : "GetObject " + e.statusCode();
              }
              String restore;
              try {
                s3.restoreObject(
                    b ->
                        b.bucket(bucket)
                            .key("cold")
                            .restoreRequest(
                                r -> r.days(1).glacierJobParameters(g -> g.tier(Tier.BULK))));
                String header = s3.headObject(b -> b.bucket(bucket).key("cold")).restore();
                restore = header == null ? "no x-amz-restore" : null;
              } catch (S3Exception e) {
                restore = "RestoreObject " + e.statusCode();
              }
              return get == null && restore == null
                  ? "yes"
                  : "NO: " + (get == null ? "" : get + "; ") + (restore == null ? "" : restore);
            }));
    column.put(
        "lists a key with U+0001",
        check(
            () -> {
              put(s3, bucket, "ctrl\u0001key", "x");
              boolean listed =
                  s3
                      .listObjectVersions(b -> b.bucket(bucket).prefix("ctrl").encodingType("url"))
                      .versions()
                      .stream()
                      .anyMatch(
                          v -> v.key().equals("ctrl%01key") || v.key().equals("ctrl\u0001key"));
              return listed ? "yes" : "NO";
            }));
  }

  private static String check(Callable<String> check) {
    try {
      return check.call();
    } catch (Exception e) {
      String message = String.valueOf(e.getMessage());
      return "NO: " + message.substring(0, Math.min(60, message.length()));
    }
  }

  // --------------------------------------------------------------------- speed

  private static void speed(
      S3Client s3, LocalS3Server server, int n, int size, Map<String, String> column)
      throws Exception {
    String bucket = S3Servers.createVersionedBucket(s3, "speed");
    byte[] body = new byte[size];
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      keys.add(String.format("photos/%05d.jpg", i));
    }
    column.put(
        "PUT /s",
        rate(
            n,
            () -> {
              for (String key : keys) {
                s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(body));
              }
            }));
    column.put("RSS after N objects (MiB)", rss(server));
    column.put(
        "HEAD /s",
        rate(
            n,
            () -> {
              for (String key : keys) {
                s3.headObject(b -> b.bucket(bucket).key(key));
              }
            }));
    column.put(
        "GET tagging /s",
        rate(
            n,
            () -> {
              for (String key : keys) {
                s3.getObjectTagging(b -> b.bucket(bucket).key(key));
              }
            }));
    int pages = 20;
    int[] listed = new int[1];
    column.put(
        "ListObjectVersions pages/s",
        rate(
            pages,
            () -> {
              for (int p = 0; p < pages; p++) {
                listed[0] = s3.listObjectVersions(b -> b.bucket(bucket)).versions().size();
              }
            }));
    column.put("  (entries a page)", Integer.toString(listed[0]));
    for (String key : keys) {
      s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(body));
    }
    column.put("RSS after 2N versions (MiB)", rss(server));
    column.put("peak RSS (VmHWM, MiB)", hwm(server));
  }

  private interface Work {
    void run() throws Exception;
  }

  private static String rate(int count, Work work) throws Exception {
    long start = System.nanoTime();
    work.run();
    double seconds = (System.nanoTime() - start) / 1e9;
    return String.format(Locale.ROOT, "%.0f", count / seconds);
  }

  // -------------------------------------------------------------------- memory

  private static String rss(LocalS3Server server) throws Exception {
    return status(server, "VmRSS:");
  }

  private static String hwm(LocalS3Server server) throws Exception {
    return status(server, "VmHWM:");
  }

  /** The field of /proc/PID/status in MiB, summed over the process and its descendants. */
  private static String status(LocalS3Server server, String field) throws Exception {
    long kib = 0;
    List<Long> pids = new ArrayList<>();
    pids.add(server.pid());
    ProcessHandle.of(server.pid()).ifPresent(h -> h.descendants().forEach(d -> pids.add(d.pid())));
    for (long pid : pids) {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith(field)) {
          kib += Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    }
    return Long.toString(kib / 1024);
  }

  // ------------------------------------------------------------------- helpers

  private static String put(S3Client s3, String bucket, String key, String content) {
    return s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(content))
        .versionId();
  }

  private static ListObjectVersionsResponse versions(S3Client s3, String bucket, String key) {
    ListObjectVersionsResponse all = s3.listObjectVersions(b -> b.bucket(bucket).prefix(key));
    List<ObjectVersion> exact = all.versions().stream().filter(v -> v.key().equals(key)).toList();
    return all.toBuilder()
        .versions(exact)
        .deleteMarkers(all.deleteMarkers().stream().filter(m -> m.key().equals(key)).toList())
        .build();
  }

  private static void print(Map<String, Map<String, String>> table) {
    List<String> kinds = new ArrayList<>(table.keySet());
    List<String> rows = new ArrayList<>(table.get(kinds.get(0)).keySet());
    int width = rows.stream().mapToInt(String::length).max().orElse(10);
    StringBuilder header = new StringBuilder(String.format("%-" + width + "s", ""));
    for (String kind : kinds) {
      header.append(" | ").append(kind);
    }
    System.out.println(header);
    for (String row : rows) {
      StringBuilder line = new StringBuilder(String.format("%-" + width + "s", row));
      for (String kind : kinds) {
        line.append(" | ").append(table.get(kind).getOrDefault(row, ""));
      }
      System.out.println(line);
    }
  }
}
