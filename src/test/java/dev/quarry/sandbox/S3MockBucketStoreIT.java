package dev.quarry.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.testing.S3Servers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.ExpirationStatus;
import software.amazon.awssdk.services.s3.model.LifecycleRule;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The sandbox's S3Mock runs Quarry's BucketStore (one shared snapshot per bucket in memory, new
 * keys appended to a journal beside {@code bucketMetadata.json}), not S3Mock's own, which re-parses
 * that file on every request and rewrites it for every new key.
 */
class S3MockBucketStoreIT {
  private static final String META = "bucketMetadata.json";
  private static final String JOURNAL = "bucketMetadata.journal";

  @Test
  void servesKeysFromMemoryAndStillKeepsEveryChangeOnDisk(@TempDir Path dir) throws Exception {
    // given a versioned bucket with two versions of one key
    Path store = dir.resolve("store");
    S3MockServer server = S3MockServer.start(store, dir.resolve("s3mock.log"));
    String bucket;
    try {
      S3Client s3 = S3Servers.client(server);
      bucket = S3Servers.createVersionedBucket(s3, "shadow");
      s3.putObject(b -> b.bucket(bucket).key("a b+c.txt"), RequestBody.fromString("one"));
      s3.putObject(b -> b.bucket(bucket).key("a b+c.txt"), RequestBody.fromString("two"));
      Path metadata = store.resolve(bucket).resolve(META);
      String written = Files.readString(metadata);

      // when the file is damaged under the running server
      Files.writeString(metadata, "not json", StandardCharsets.UTF_8);

      // then requests are answered from memory (S3Mock's own class fails to parse the file)
      assertThat(s3.headObject(b -> b.bucket(bucket).key("a b+c.txt")).contentLength())
          .isEqualTo(3);

      // and a new key goes to the journal, not the file
      s3.putObject(b -> b.bucket(bucket).key("second\nline"), RequestBody.fromString("x"));
      assertThat(Files.readString(metadata)).isEqualTo("not json");
      assertThat(Files.readString(store.resolve(bucket).resolve(JOURNAL)))
          .contains("\"second\\nline\"");
      server.stop();

      // and S3Mock's shutdown writes the whole metadata, the journal compacted into it
      assertThat(Files.readString(metadata))
          .startsWith(written.substring(0, written.indexOf("\"objects\"")))
          .contains("\"a b+c.txt\"", "\"second\\nline\"");
      assertThat(store.resolve(bucket).resolve(JOURNAL)).doesNotExist();
    } finally {
      server.stop();
    }

    // and S3Mock restarted over the same root sees every key and version
    S3MockServer restarted = S3MockServer.start(store, dir.resolve("s3mock-2.log"));
    try {
      S3Client s3 = S3Servers.client(restarted);
      assertThat(s3.listObjectVersions(b -> b.bucket(bucket)).versions())
          .extracting(v -> v.key())
          .containsExactlyInAnyOrder("a b+c.txt", "a b+c.txt", "second\nline");
    } finally {
      restarted.stop();
    }
  }

  @Test
  void aNewKeyIsAppendedToTheJournalWithoutRewritingTheFile(@TempDir Path dir) throws Exception {
    // given a bucket with one key
    Path store = dir.resolve("store");
    S3MockServer server = S3MockServer.start(store, dir.resolve("s3mock.log"));
    try {
      S3Client s3 = S3Servers.client(server);
      String bucket = S3Servers.createVersionedBucket(s3, "journal");
      s3.putObject(b -> b.bucket(bucket).key("first"), RequestBody.fromString("1"));
      Path folder = store.resolve(bucket);
      String before = Files.readString(folder.resolve(META));

      // when two new keys are put, and a known one again
      s3.putObject(b -> b.bucket(bucket).key("second"), RequestBody.fromString("2"));
      s3.putObject(b -> b.bucket(bucket).key("third"), RequestBody.fromString("3"));
      s3.putObject(b -> b.bucket(bucket).key("first"), RequestBody.fromString("1 again"));

      // then the file is as it was and the journal has one line per new key (S3Mock's own class
      // rewrites the file for each and has no journal)
      assertThat(Files.readString(folder.resolve(META))).isEqualTo(before);
      assertThat(Files.readAllLines(folder.resolve(JOURNAL), StandardCharsets.UTF_8))
          .hasSize(3)
          .satisfies(lines -> assertThat(lines.get(0)).contains("\"first\""))
          .satisfies(lines -> assertThat(lines.get(1)).contains("\"second\""))
          .satisfies(lines -> assertThat(lines.get(2)).contains("\"third\""));
    } finally {
      server.stop();
    }
  }

  @Test
  void everyAcknowledgedKeySurvivesKillDashNine(@TempDir Path dir) throws Exception {
    // given keys put before and after a configuration change (which compacts the journal)
    Path store = dir.resolve("store");
    S3MockServer server = S3MockServer.start(store, dir.resolve("s3mock.log"));
    String bucket;
    List<String> acknowledged = new ArrayList<>();
    try {
      S3Client s3 = S3Servers.client(server);
      bucket = S3Servers.createVersionedBucket(s3, "killed");
      for (int i = 0; i < 300; i++) {
        String key = "logs/" + i;
        s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString("v" + key));
        acknowledged.add(key);
        if (i == 149) {
          s3.putBucketVersioning(
              b ->
                  b.bucket(bucket)
                      .versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
          assertThat(store.resolve(bucket).resolve(JOURNAL)).doesNotExist();
        }
      }
      // and, in an unversioned bucket, keys put and one deleted (a journal line that removes)
      s3.createBucket(b -> b.bucket(bucket + "-plain"));
      for (String key : List.of("a", "b", "c")) {
        s3.putObject(b -> b.bucket(bucket + "-plain").key(key), RequestBody.fromString(key));
      }
      s3.deleteObject(b -> b.bucket(bucket + "-plain").key("b"));

      // when S3Mock is killed without a chance to write anything more
      killDashNine(server);
    } finally {
      server.stop();
    }
    assertThat(store.resolve(bucket).resolve(JOURNAL)).exists();

    // then S3Mock restarted over the same root has every acknowledged key and version
    S3MockServer restarted = S3MockServer.start(store, dir.resolve("s3mock-2.log"));
    try {
      S3Client s3 = S3Servers.client(restarted);
      assertThat(listKeys(s3, bucket)).containsExactlyInAnyOrderElementsOf(acknowledged);
      assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("logs/299")).asUtf8String())
          .isEqualTo("vlogs/299");
      assertThat(listKeys(s3, bucket + "-plain")).containsExactlyInAnyOrder("a", "c");
      // and its start compacted the journal into the file
      assertThat(store.resolve(bucket).resolve(JOURNAL)).doesNotExist();
      assertThat(Files.readString(store.resolve(bucket).resolve(META))).contains("\"logs/299\"");
    } finally {
      restarted.stop();
    }
  }

  @Test
  void aJournalLineCutShortByACrashIsIgnoredAtTheRestart(@TempDir Path dir) throws Exception {
    // given two acknowledged keys in the journal of a killed S3Mock
    Path store = dir.resolve("store");
    S3MockServer server = S3MockServer.start(store, dir.resolve("s3mock.log"));
    String bucket;
    try {
      S3Client s3 = S3Servers.client(server);
      bucket = S3Servers.createVersionedBucket(s3, "cut");
      s3.putObject(b -> b.bucket(bucket).key("one"), RequestBody.fromString("1"));
      s3.putObject(b -> b.bucket(bucket).key("two"), RequestBody.fromString("2"));
      killDashNine(server);
    } finally {
      server.stop();
    }
    // and a third line the crash cut off in the middle of its write (never acknowledged)
    Path journal = store.resolve(bucket).resolve(JOURNAL);
    Files.writeString(
        journal, "[\"+\",\"thr", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);

    // when S3Mock starts again over the same root and a new key is put
    S3MockServer restarted = S3MockServer.start(store, dir.resolve("s3mock-2.log"));
    try {
      S3Client s3 = S3Servers.client(restarted);
      s3.putObject(b -> b.bucket(bucket).key("four"), RequestBody.fromString("4"));

      // then the acknowledged keys are there, the cut line is gone, and the new key's line is a
      // whole line of its own (the start compacted the damaged journal away first)
      assertThat(listKeys(s3, bucket)).containsExactlyInAnyOrder("one", "two", "four");
      assertThat(Files.readString(store.resolve(bucket).resolve(META))).contains("\"two\"");
      assertThat(Files.readAllLines(journal, StandardCharsets.UTF_8))
          .singleElement()
          .satisfies(line -> assertThat(line).startsWith("[\"+\",\"four\","));
    } finally {
      restarted.stop();
    }
  }

  @Test
  void aLongJournalIsCompactedIntoTheFile(@TempDir Path dir) throws Exception {
    // given an unversioned bucket with one key kept
    Path store = dir.resolve("store");
    S3MockServer server = S3MockServer.start(store, dir.resolve("s3mock.log"));
    try {
      S3Client s3 = S3Servers.client(server);
      String bucket = S3Servers.newBucketName("long");
      s3.createBucket(b -> b.bucket(bucket));
      s3.putObject(b -> b.bucket(bucket).key("kept"), RequestBody.fromString("k"));

      // when 520 puts and deletes of another key make 1,041 journal lines in all
      for (int i = 0; i < 520; i++) {
        s3.putObject(b -> b.bucket(bucket).key("scratch"), RequestBody.fromString("s"));
        s3.deleteObject(b -> b.bucket(bucket).key("scratch"));
      }

      // then the 1,024th change wrote the file and emptied the journal; 17 lines followed it
      Path folder = store.resolve(bucket);
      assertThat(Files.readAllLines(folder.resolve(JOURNAL), StandardCharsets.UTF_8)).hasSize(17);
      assertThat(Files.readString(folder.resolve(META))).contains("\"kept\"");
      assertThat(listKeys(s3, bucket)).containsExactly("kept");
    } finally {
      server.stop();
    }
  }

  @Test
  void putsAndReadsAtOnceShareTheSnapshotSafely() throws Exception {
    // given a bucket with some keys on the shared server
    S3Client s3 = S3Servers.client(S3Servers.s3mock());
    String bucket = S3Servers.createVersionedBucket(s3, "concurrent");
    ConcurrentLinkedQueue<String> written = new ConcurrentLinkedQueue<>();
    for (int i = 0; i < 50; i++) {
      String key = "seed/" + i;
      s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(key));
      written.add(key);
    }

    // when 6 threads put new keys while 6 others HEAD the keys already acknowledged and list
    ExecutorService pool = Executors.newFixedThreadPool(12);
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicInteger reads = new AtomicInteger();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    try {
      List<Future<?>> writers = new ArrayList<>();
      for (int t = 0; t < 6; t++) {
        int thread = t;
        writers.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 60; i++) {
                    String key = "new/" + thread + "/" + i;
                    s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(key));
                    written.add(key);
                  }
                  return null;
                }));
      }
      List<Future<?>> readers = new ArrayList<>();
      for (int t = 0; t < 6; t++) {
        int thread = t;
        readers.add(
            pool.submit(
                () -> {
                  while (writing.get()) {
                    try {
                      if (thread % 3 == 0) {
                        int listed = s3.listObjectsV2(b -> b.bucket(bucket)).keyCount();
                        assertThat(listed).isGreaterThanOrEqualTo(50);
                      } else {
                        // every key a PUT acknowledged is there for a read after it
                        List<String> snapshot = List.copyOf(written);
                        String key = snapshot.get(snapshot.size() - 1 - (reads.get() % 20));
                        assertThat(s3.headObject(b -> b.bucket(bucket).key(key)).contentLength())
                            .isEqualTo(key.length());
                      }
                      reads.incrementAndGet();
                    } catch (Throwable e) {
                      failures.add(e);
                      return null;
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> writer : writers) {
        writer.get(5, TimeUnit.MINUTES);
      }
      writing.set(false);
      for (Future<?> reader : readers) {
        reader.get(1, TimeUnit.MINUTES);
      }
    } finally {
      writing.set(false);
      pool.shutdownNow();
    }

    // then no read failed, and every key is listed
    assertThat(failures).isEmpty();
    assertThat(reads.get()).isPositive();
    assertThat(listKeys(s3, bucket)).containsExactlyInAnyOrderElementsOf(written);
  }

  @Test
  void configurationChangesDoNotLoseKeysPutAtTheSameTime() throws Exception {
    // given a bucket on the shared server
    S3Client s3 = S3Servers.client(S3Servers.s3mock());
    String bucket = S3Servers.createVersionedBucket(s3, "configured");

    // when 6 threads put new keys while 2 others keep setting its versioning and lifecycle
    ExecutorService pool = Executors.newFixedThreadPool(8);
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicInteger configurations = new AtomicInteger();
    Set<String> keys =
        IntStream.range(0, 6 * 60)
            .mapToObj(i -> "k/" + (i % 6) + "/" + (i / 6))
            .collect(Collectors.toSet());
    try {
      List<Future<?>> writers = new ArrayList<>();
      for (int t = 0; t < 6; t++) {
        int thread = t;
        writers.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 60; i++) {
                    String key = "k/" + thread + "/" + i;
                    s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(key));
                  }
                  return null;
                }));
      }
      List<Future<?>> configurers = new ArrayList<>();
      configurers.add(
          pool.submit(
              () -> {
                while (writing.get()) {
                  s3.putBucketVersioning(
                      b ->
                          b.bucket(bucket)
                              .versioningConfiguration(
                                  v -> v.status(BucketVersioningStatus.ENABLED)));
                  configurations.incrementAndGet();
                }
                return null;
              }));
      configurers.add(
          pool.submit(
              () -> {
                while (writing.get()) {
                  LifecycleRule expiring =
                      LifecycleRule.builder()
                          .id("expire")
                          .filter(f -> f.prefix("k/"))
                          .status(ExpirationStatus.ENABLED)
                          .expiration(e -> e.days(1 + configurations.get() % 30))
                          .build();
                  s3.putBucketLifecycleConfiguration(
                      b -> b.bucket(bucket).lifecycleConfiguration(c -> c.rules(expiring)));
                  configurations.incrementAndGet();
                }
                return null;
              }));
      for (Future<?> writer : writers) {
        writer.get(5, TimeUnit.MINUTES);
      }
      writing.set(false);
      for (Future<?> configurer : configurers) {
        configurer.get(1, TimeUnit.MINUTES);
      }
    } finally {
      writing.set(false);
      pool.shutdownNow();
    }

    // then every key is there (S3Mock's own store*Configuration wrote the key map it had read
    // before, so a key put in between was lost), and the last configurations too
    assertThat(configurations.get()).isGreaterThan(10);
    assertThat(listKeys(s3, bucket)).containsExactlyInAnyOrderElementsOf(keys);
    assertThat(s3.getBucketVersioning(b -> b.bucket(bucket)).status())
        .isEqualTo(BucketVersioningStatus.ENABLED);
    assertThat(s3.getBucketLifecycleConfiguration(b -> b.bucket(bucket)).rules()).hasSize(1);
  }

  /** Kills the server's process at once (SIGKILL): nothing of S3Mock's own shutdown runs. */
  private static void killDashNine(S3MockServer server) throws Exception {
    ProcessHandle handle = ProcessHandle.of(server.pid()).orElseThrow();
    handle.destroyForcibly();
    handle.onExit().get(30, TimeUnit.SECONDS);
  }

  private static List<String> listKeys(S3Client s3, String bucket) {
    return s3.listObjectsV2Paginator(b -> b.bucket(bucket).maxKeys(500)).contents().stream()
        .map(S3Object::key)
        .toList();
  }
}
