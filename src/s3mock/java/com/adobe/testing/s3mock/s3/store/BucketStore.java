/*
 *  Copyright 2017-2026 Adobe.
 *
 *  Licensed under the Apache License, Version 2.0 (the "License");
 *  you may not use this file except in compliance with the License.
 *  You may obtain a copy of the License at
 *
 *          http://www.apache.org/licenses/LICENSE-2.0
 *
 *  Unless required by applicable law or agreed to in writing, software
 *  distributed under the License is distributed on an "AS IS" BASIS,
 *  WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 *  See the License for the specific language governing permissions and
 *  limitations under the License.
 */

/*
 *  Copyright 2017-2026 Adobe.
 *
 *  Licensed under the Apache License, Version 2.0 (the "License");
 *  you may not use this file except in compliance with the License.
 *  You may obtain a copy of the License at
 *
 *          http://www.apache.org/licenses/LICENSE-2.0
 *
 *  Unless required by applicable law or agreed to in writing, software
 *  distributed under the License is distributed on an "AS IS" BASIS,
 *  WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 *  See the License for the specific language governing permissions and
 *  limitations under the License.
 */

/*
 * Modified for Quarry's sandbox: S3Mock 5.2.0's BucketStore.kt (tag 5.2.0), translated to Java
 * line by line, with these changes: each bucket's metadata is kept in memory as one immutable
 * snapshot that every reader shares; a new or removed key is appended to a journal beside the
 * bucket's file instead of rewriting the file; configuration changes keep the bucket's current
 * keys. See NOTICE and docs/PERFORMANCE.md, section 7.
 */
package com.adobe.testing.s3mock.s3.store;

import com.adobe.testing.s3mock.common.StripedLocks;
import com.adobe.testing.s3mock.s3.dto.BucketInfo;
import com.adobe.testing.s3mock.s3.dto.BucketLifecycleConfiguration;
import com.adobe.testing.s3mock.s3.dto.LocationInfo;
import com.adobe.testing.s3mock.s3.dto.ObjectLockConfiguration;
import com.adobe.testing.s3mock.s3.dto.ObjectLockEnabled;
import com.adobe.testing.s3mock.s3.dto.ObjectOwnership;
import com.adobe.testing.s3mock.s3.dto.VersioningConfiguration;
import com.adobe.testing.s3mock.s3.model.BucketMetadata;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.ObjectMapper;

/**
 * Stores buckets and their metadata created in S3Mock.
 *
 * <p>S3Mock's own class re-reads and re-parses the bucket's whole {@code bucketMetadata.json} (a
 * map of every key in the bucket) on every object request, and rewrites it for every new key: at
 * 3,000 keys that is most of S3Mock's CPU per request. Quarry's changes, each correct only because
 * this class is the only writer of the bucket's metadata while S3Mock runs (S3Mock's other stores
 * never touch it; {@code StoreConfiguration} only checks that the file exists):
 *
 * <ul>
 *   <li><b>One shared snapshot per bucket</b> ({@link #cache}): {@link #getBucketMetadata} hands
 *       every caller the same {@link BucketMetadata}, whose key map is unmodifiable and never
 *       changed; a change builds a new snapshot under the bucket's lock and replaces it. A caller
 *       therefore sees the bucket as of its call, as a fresh parse showed it. In S3Mock 5.2.0 only
 *       this class calls {@link BucketMetadata#addKey} or {@link BucketMetadata#removeKey} ({@code
 *       javap -c} of every class in its jar); their other callers only read ({@code getID}, {@code
 *       getObjects}, which copies, and the configuration getters). A caller that did mutate a
 *       snapshot would get an {@link UnsupportedOperationException}, not corrupt it.
 *   <li><b>A journal of key changes</b> ({@link #JOURNAL_FILE} beside {@code bucketMetadata.json}):
 *       a new key or a removed one is one line appended (written to the file before the request is
 *       answered, so it survives the process being killed), not the whole file rewritten. The
 *       journal is replayed over the file when the bucket is first read, and compacted into the
 *       file (written to a temporary file, then renamed over it) then, when it grows longer than
 *       the bucket's key count, on every configuration change, and when S3Mock shuts down ({@link
 *       #close}). Replaying is idempotent (each line sets or removes one key), so a crash between
 *       the rename and the journal's deletion loses nothing.
 *   <li><b>Configuration changes keep the current keys</b>: S3Mock's {@code store*Configuration}
 *       wrote the metadata its caller had read before, so a key added in between was lost from the
 *       file; here the configuration is applied to the bucket's current snapshot under its lock.
 * </ul>
 */
public class BucketStore implements AutoCloseable {
  public static final String BUCKET_META_FILE = "bucketMetadata.json";

  /** Quarry's change: key changes since {@link #BUCKET_META_FILE} was last written. */
  public static final String JOURNAL_FILE = "bucketMetadata.journal";

  /** A journal shorter than this is not compacted before shutdown or a restart, however small. */
  private static final int MIN_JOURNAL_LINES_TO_COMPACT = 1024;

  private static final byte[] NEWLINE = {'\n'};

  private static final Logger LOG = LoggerFactory.getLogger(BucketStore.class);

  private final File rootFolder;
  private final DateTimeFormatter s3ObjectDateFormat;
  private final String region;
  private final ObjectMapper objectMapper;
  private final StripedLocks locks = new StripedLocks();

  /**
   * Quarry's change: bucket name to its current snapshot, whose key map is unmodifiable and never
   * changes; replaced, under the bucket's lock, on every change.
   */
  private final Map<String, BucketMetadata> cache = new ConcurrentHashMap<>();

  /** Quarry's change: bucket name to its snapshot's key map (the same map, read without a copy). */
  private final Map<String, Map<String, UUID>> keys = new ConcurrentHashMap<>();

  /** Quarry's change: bucket name to the number of lines in its journal; changed under its lock. */
  private final Map<String, Integer> journalLines = new ConcurrentHashMap<>();

  public BucketStore(
      File rootFolder,
      DateTimeFormatter s3ObjectDateFormat,
      String region,
      ObjectMapper objectMapper) {
    this.rootFolder = rootFolder;
    this.s3ObjectDateFormat = s3ObjectDateFormat;
    this.region = region;
    this.objectMapper = objectMapper;
  }

  private Object lockFor(String name) {
    return locks.lockFor(name);
  }

  public final List<BucketMetadata> listBuckets() {
    List<BucketMetadata> buckets = new ArrayList<>();
    for (Path path : findBucketPaths()) {
      if (Files.exists(path.resolve(BUCKET_META_FILE))) {
        buckets.add(getBucketMetadata(path.getFileName().toString()));
      }
    }
    return buckets;
  }

  /** The bucket's current snapshot, shared: never change it (its key map refuses changes). */
  public final BucketMetadata getBucketMetadata(String bucketName) {
    // the existence check stays on disk, as in S3Mock: a bucket folder removed under S3Mock is gone
    if (!doesBucketExist(bucketName)) {
      throw new IllegalStateException("Bucket does not exist: " + bucketName);
    }
    BucketMetadata cached = cache.get(bucketName);
    if (cached != null) {
      return cached;
    }
    synchronized (lockFor(bucketName)) {
      return snapshot(bucketName);
    }
  }

  /** Under the bucket's lock: its snapshot, loaded from disk (file, then journal) the first time. */
  private BucketMetadata snapshot(String bucketName) {
    BucketMetadata cached = cache.get(bucketName);
    if (cached != null) {
      return cached;
    }
    // Jackson 3 throws unchecked exceptions only, so S3Mock's catch of IOException is gone
    BucketMetadata stored =
        objectMapper.readValue(getMetaFilePath(bucketName).toFile(), BucketMetadata.class);
    Map<String, UUID> objects = new LinkedHashMap<>(stored.getObjects());
    int replayed = replayJournal(bucketName, objects);
    Map<String, UUID> unmodifiable = Collections.unmodifiableMap(objects);
    BucketMetadata loaded =
        snapshotOf(
            stored,
            stored.getVersioningConfiguration(),
            stored.getObjectLockConfiguration(),
            stored.getBucketLifecycleConfiguration(),
            unmodifiable);
    if (replayed > 0) {
      // compacted at once: the journal of a bucket S3Mock was killed over does not outlive the start
      writeToDisk(loaded, unmodifiable);
    } else {
      publish(loaded, unmodifiable, 0);
    }
    return loaded;
  }

  /**
   * Applies the bucket's journal, if any, to {@code objects}; returns how many lines it had (an
   * incomplete last line, ignored, counted too).
   */
  private int replayJournal(String bucketName, Map<String, UUID> objects) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(getJournalPath(bucketName));
    } catch (NoSuchFileException none) {
      return 0;
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read the journal of bucket " + bucketName, e);
    }
    int lines = 0;
    int start = 0;
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] != '\n') {
        continue;
      }
      String line = new String(bytes, start, i - start, StandardCharsets.UTF_8);
      start = i + 1;
      String[] entry = objectMapper.readValue(line, String[].class);
      if (entry.length == 3 && "+".equals(entry[0])) {
        objects.put(entry[1], UUID.fromString(entry[2]));
      } else if (entry.length == 2 && "-".equals(entry[0])) {
        objects.remove(entry[1]);
      } else {
        throw new IllegalStateException(
            "Unreadable line in the journal of bucket " + bucketName + ": " + line);
      }
      lines++;
    }
    if (start < bytes.length) {
      // a line cut short by a crash in the middle of its write: that request was never answered.
      // Counted, so the journal is compacted away before a new line could be appended to it.
      LOG.warn("Ignoring an incomplete last line in the journal of bucket {}", bucketName);
      lines++;
    }
    return lines;
  }

  /** Replaces the bucket's snapshot; {@code lines} is its journal's length now. */
  private void publish(BucketMetadata snapshot, Map<String, UUID> objects, int lines) {
    String name = snapshot.getName();
    keys.put(name, objects);
    cache.put(name, snapshot);
    journalLines.put(name, lines);
  }

  /**
   * A snapshot of {@code m} with other configurations and {@code objects}, an unmodifiable map no
   * one changes, as its keys (shared, not copied: BucketMetadata keeps the map it is given).
   */
  private static BucketMetadata snapshotOf(
      BucketMetadata m,
      VersioningConfiguration versioningConfiguration,
      ObjectLockConfiguration objectLockConfiguration,
      BucketLifecycleConfiguration lifecycleConfiguration,
      Map<String, UUID> objects) {
    return new BucketMetadata(
        m.getName(),
        m.getCreationDate(),
        versioningConfiguration,
        objectLockConfiguration,
        lifecycleConfiguration,
        m.getObjectOwnership(),
        m.getPath(),
        m.getBucketRegion(),
        m.getBucketInfo(),
        m.getLocationInfo(),
        objects);
  }

  /** Under the bucket's lock: its current keys, loading the bucket if need be. */
  private Map<String, UUID> currentKeys(String bucketName) {
    snapshot(bucketName);
    return keys.get(bucketName);
  }

  /** Under the bucket's lock: a snapshot of the same bucket with {@code objects} as its keys. */
  private BucketMetadata withKeys(String bucketName, Map<String, UUID> objects) {
    BucketMetadata m = snapshot(bucketName);
    return snapshotOf(
        m,
        m.getVersioningConfiguration(),
        m.getObjectLockConfiguration(),
        m.getBucketLifecycleConfiguration(),
        objects);
  }

  public final UUID addKeyToBucket(String key, String bucketName) {
    synchronized (lockFor(bucketName)) {
      requireBucket(bucketName);
      Map<String, UUID> current = currentKeys(bucketName);
      UUID existing = current.get(key);
      if (existing != null) {
        // as BucketMetadata.addKey: the key keeps its id; S3Mock rewrote the same file, Quarry's
        // store has nothing to write
        return existing;
      }
      UUID uuid = UUID.randomUUID();
      Map<String, UUID> changed = new LinkedHashMap<>(current);
      changed.put(key, uuid);
      changeKeys(bucketName, changed, new String[] {"+", key, uuid.toString()});
      return uuid;
    }
  }

  public final List<UUID> lookupIdsInBucket(String prefix, String bucketName) {
    String normalizedPrefix = prefix == null ? "" : prefix;
    List<UUID> ids = new ArrayList<>();
    // the snapshot's map never changes: no copy, and no lock needed to read it
    for (Map.Entry<String, UUID> entry : keysOf(bucketName).entrySet()) {
      if (entry.getKey().startsWith(normalizedPrefix)) {
        ids.add(entry.getValue());
      }
    }
    return ids;
  }

  public final List<String> lookupKeysInBucket(String prefix, String bucketName) {
    String normalizedPrefix = prefix == null ? "" : prefix;
    List<String> found = new ArrayList<>();
    for (String key : keysOf(bucketName).keySet()) {
      if (key.startsWith(normalizedPrefix)) {
        found.add(key);
      }
    }
    return found;
  }

  /** The bucket's current keys, unmodifiable and never changed (read them without the lock). */
  private Map<String, UUID> keysOf(String bucketName) {
    getBucketMetadata(bucketName);
    Map<String, UUID> current = keys.get(bucketName);
    if (current == null) {
      // deleted between the two calls: as S3Mock, whose parse would have failed
      throw new IllegalStateException("Bucket does not exist: " + bucketName);
    }
    return current;
  }

  public final boolean removeFromBucket(String key, String bucketName) {
    synchronized (lockFor(bucketName)) {
      requireBucket(bucketName);
      Map<String, UUID> current = currentKeys(bucketName);
      if (!current.containsKey(key)) {
        // as BucketMetadata.removeKey: false; S3Mock rewrote the same file, here nothing changes
        return false;
      }
      Map<String, UUID> changed = new LinkedHashMap<>(current);
      changed.remove(key);
      changeKeys(bucketName, changed, new String[] {"-", key});
      return true;
    }
  }

  private void requireBucket(String bucketName) {
    if (!doesBucketExist(bucketName)) {
      throw new IllegalStateException("Bucket does not exist: " + bucketName);
    }
  }

  /**
   * Under the bucket's lock: appends {@code entry} to its journal (written before the request is
   * answered), then publishes {@code changed} as its keys; compacts the journal into the file once
   * it has more lines than the bucket has keys (and at least {@link #MIN_JOURNAL_LINES_TO_COMPACT}),
   * so the journal costs at most about the file's size on disk and at a restart.
   */
  private void changeKeys(String bucketName, Map<String, UUID> changed, String[] entry) {
    Map<String, UUID> unmodifiable = Collections.unmodifiableMap(changed);
    BucketMetadata next = withKeys(bucketName, unmodifiable);
    int lines = journalLines.getOrDefault(bucketName, 0) + 1;
    if (lines >= MIN_JOURNAL_LINES_TO_COMPACT && lines > changed.size()) {
      writeToDisk(next, unmodifiable);
      return;
    }
    byte[] line = objectMapper.writeValueAsString(entry).getBytes(StandardCharsets.UTF_8);
    ByteBuffer buffer = ByteBuffer.allocate(line.length + 1).put(line).put(NEWLINE).flip();
    try (FileChannel journal =
        FileChannel.open(
            getJournalPath(bucketName),
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.APPEND)) {
      while (buffer.hasRemaining()) {
        journal.write(buffer);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Could not append to the journal of bucket " + bucketName, e);
    }
    publish(next, unmodifiable, lines);
  }

  private List<Path> findBucketPaths() {
    try (Stream<Path> entries = Files.list(rootFolder.toPath())) {
      return entries.filter(Files::isDirectory).toList();
    } catch (IOException e) {
      throw new IllegalStateException("Could not Iterate over Bucket-Folders.", e);
    }
  }

  public final BucketMetadata createBucket(
      String bucketName,
      boolean objectLockEnabled,
      ObjectOwnership objectOwnership,
      String bucketRegion,
      BucketInfo bucketInfo,
      LocationInfo locationInfo) {
    if (doesBucketExist(bucketName)) {
      throw new IllegalStateException("Bucket already exists.");
    }
    synchronized (lockFor(bucketName)) {
      File bucketFolder = createBucketFolder(bucketName);
      String region = bucketRegion != null ? bucketRegion : this.region;
      Map<String, UUID> objects = Collections.unmodifiableMap(new LinkedHashMap<>());
      BucketMetadata newBucketMetadata =
          new BucketMetadata(
              bucketName,
              s3ObjectDateFormat.format(LocalDateTime.now()),
              new VersioningConfiguration(null, null),
              objectLockEnabled ? new ObjectLockConfiguration(ObjectLockEnabled.ENABLED, null) : null,
              null,
              objectOwnership,
              bucketFolder.toPath(),
              region,
              bucketInfo,
              locationInfo,
              objects);
      writeToDisk(newBucketMetadata, objects);
      return newBucketMetadata;
    }
  }

  /**
   * Checks if the specified bucket exists. Amazon S3 buckets are named in a global namespace; use
   * this method to determine if a specified bucket name already exists, and therefore can't be
   * used to create a new bucket.
   */
  public final boolean doesBucketExist(String bucketName) {
    return Files.exists(getMetaFilePath(bucketName));
  }

  public final boolean isObjectLockEnabled(String bucketName) {
    ObjectLockConfiguration objectLockConfiguration =
        getBucketMetadata(bucketName).getObjectLockConfiguration();
    return objectLockConfiguration != null
        && objectLockConfiguration.getObjectLockEnabled() == ObjectLockEnabled.ENABLED;
  }

  // Quarry's change to the three store*Configuration methods: the configuration is applied to the
  // bucket's current snapshot under its lock, not to the caller's metadata, read earlier without
  // the lock: S3Mock wrote the caller's key map, losing a key put in between.

  public final void storeObjectLockConfiguration(
      BucketMetadata metadata, ObjectLockConfiguration configuration) {
    String name = metadata.getName();
    synchronized (lockFor(name)) {
      BucketMetadata m = snapshot(name);
      Map<String, UUID> objects = keys.get(name);
      writeToDisk(
          snapshotOf(
              m,
              m.getVersioningConfiguration(),
              configuration,
              m.getBucketLifecycleConfiguration(),
              objects),
          objects);
    }
  }

  public final void storeVersioningConfiguration(
      BucketMetadata metadata, VersioningConfiguration configuration) {
    String name = metadata.getName();
    synchronized (lockFor(name)) {
      BucketMetadata m = snapshot(name);
      Map<String, UUID> objects = keys.get(name);
      writeToDisk(
          snapshotOf(
              m,
              configuration,
              m.getObjectLockConfiguration(),
              m.getBucketLifecycleConfiguration(),
              objects),
          objects);
    }
  }

  public final void storeBucketLifecycleConfiguration(
      BucketMetadata metadata, BucketLifecycleConfiguration configuration) {
    String name = metadata.getName();
    synchronized (lockFor(name)) {
      BucketMetadata m = snapshot(name);
      Map<String, UUID> objects = keys.get(name);
      writeToDisk(
          snapshotOf(
              m,
              m.getVersioningConfiguration(),
              m.getObjectLockConfiguration(),
              configuration,
              objects),
          objects);
    }
  }

  public final boolean isBucketEmpty(String bucketName) {
    if (!doesBucketExist(bucketName)) {
      throw new IllegalStateException("Requested Bucket does not exist: " + bucketName);
    }
    return keysOf(bucketName).isEmpty();
  }

  public final boolean deleteBucket(String bucketName) {
    synchronized (lockFor(bucketName)) {
      if (isBucketEmpty(bucketName)) {
        BucketMetadata bucketMetadata = getBucketMetadata(bucketName);
        // Quarry's change: the cached metadata goes with the folder (and the journal in it)
        cache.remove(bucketName);
        keys.remove(bucketName);
        journalLines.remove(bucketName);
        deleteRecursively(bucketMetadata.getPath());
        return true;
      } else {
        return false;
      }
    }
  }

  /** As Kotlin's {@code File.deleteRecursively}: deletes what it can, children first. */
  private static void deleteRecursively(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    } catch (IOException e) {
      LOG.warn("Could not delete {} completely", root, e);
    }
  }

  /** Used to load metadata for all buckets when S3Mock starts. */
  public final List<UUID> loadBuckets(List<String> bucketNames) {
    List<UUID> objectIds = new ArrayList<>();
    for (String bucketName : bucketNames) {
      LOG.info("Loading existing bucket {}.", bucketName);
      for (Map.Entry<String, UUID> entry : keysOf(bucketName).entrySet()) {
        objectIds.add(entry.getValue());
        LOG.info("Loading existing bucket {} key {}", bucketName, entry.getKey());
      }
    }
    return objectIds;
  }

  /**
   * Quarry's change: when S3Mock shuts down (Spring calls it on the bean), each bucket's journal
   * is compacted into its file, so the files alone are what S3Mock 5.2.0 would have left. A bucket
   * whose folder is gone (S3Mock's {@code StoreCleaner}) is skipped; a failure is logged, and the
   * journal is then replayed at the next start.
   */
  @Override
  public void close() {
    for (String bucketName : List.copyOf(journalLines.keySet())) {
      synchronized (lockFor(bucketName)) {
        if (journalLines.getOrDefault(bucketName, 0) == 0 || !doesBucketExist(bucketName)) {
          continue;
        }
        try {
          writeToDisk(cache.get(bucketName), keys.get(bucketName));
        } catch (RuntimeException e) {
          LOG.warn("Could not compact the journal of bucket {}", bucketName, e);
        }
      }
    }
  }

  /**
   * Under the bucket's lock: writes the whole metadata (to a temporary file renamed over the old
   * one, so a crash leaves the old or the new file, never half of one), then deletes the journal
   * it now contains, then publishes it.
   */
  private void writeToDisk(BucketMetadata bucketMetadata, Map<String, UUID> objects) {
    String name = bucketMetadata.getName();
    synchronized (lockFor(name)) {
      Path metaFile = getMetaFilePath(name);
      Path temp = metaFile.resolveSibling(BUCKET_META_FILE + ".tmp");
      objectMapper.writeValue(temp.toFile(), bucketMetadata);
      try {
        Files.move(
            temp, metaFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.deleteIfExists(getJournalPath(name));
      } catch (IOException e) {
        throw new UncheckedIOException("Could not write the metadata of bucket " + name, e);
      }
      // Quarry's change: the snapshot follows the file, only once the file is written
      publish(bucketMetadata, objects, 0);
    }
  }

  private Path getBucketFolderPath(String bucketName) {
    Path rootPath = rootFolder.toPath().toAbsolutePath().normalize();
    Path candidate = rootPath.resolve(bucketName).normalize();
    if (!candidate.startsWith(rootPath)) {
      throw new IllegalArgumentException("Invalid bucket name (path traversal detected).");
    }
    return candidate;
  }

  private File createBucketFolder(String bucketName) {
    try {
      return Files.createDirectories(getBucketFolderPath(bucketName)).toFile();
    } catch (IOException e) {
      throw new IllegalStateException("Can't create bucket directory!", e);
    }
  }

  private Path getMetaFilePath(String bucketName) {
    return getBucketFolderPath(bucketName).resolve(BUCKET_META_FILE);
  }

  private Path getJournalPath(String bucketName) {
    return getBucketFolderPath(bucketName).resolve(JOURNAL_FILE);
  }
}
