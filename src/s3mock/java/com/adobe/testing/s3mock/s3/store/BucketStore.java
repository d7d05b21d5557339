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
 * line by line, with one change: each bucket's metadata is kept in memory (write-through). See
 * NOTICE and docs/PERFORMANCE.md, section 7.
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
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
 * map of every key in the bucket) on every object request: at 3,000 keys that is most of S3Mock's
 * CPU per HEAD. This one keeps the last metadata written or read per bucket in {@link #cache}. It
 * is only correct because this class is the only writer of the file while S3Mock runs (S3Mock's
 * other stores never touch it; {@code StoreConfiguration} only checks that it exists): every
 * change still goes to disk first, then to the cache, under the bucket's lock, so the file stays
 * what S3Mock 5.2.0 would have written and a restart over the same root sees every key. The
 * cached instance is never handed out: each read returns a fresh copy with its own map, as a
 * fresh parse did, because {@link BucketMetadata#addKey} mutates and callers read theirs outside
 * the lock.
 */
public class BucketStore {
  public static final String BUCKET_META_FILE = "bucketMetadata.json";

  private static final Logger LOG = LoggerFactory.getLogger(BucketStore.class);

  private final File rootFolder;
  private final DateTimeFormatter s3ObjectDateFormat;
  private final String region;
  private final ObjectMapper objectMapper;
  private final StripedLocks locks = new StripedLocks();

  /** Quarry's change: bucket name to the metadata last written or read; never mutated. */
  private final Map<String, BucketMetadata> cache = new ConcurrentHashMap<>();

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

  public final BucketMetadata getBucketMetadata(String bucketName) {
    // the existence check stays on disk, as in S3Mock: a bucket folder removed under S3Mock is gone
    if (!doesBucketExist(bucketName)) {
      throw new IllegalStateException("Bucket does not exist: " + bucketName);
    }
    synchronized (lockFor(bucketName)) {
      BucketMetadata cached = cache.get(bucketName);
      if (cached == null) {
        // Jackson 3 throws unchecked exceptions only, so S3Mock's catch of IOException is gone
        cached = objectMapper.readValue(getMetaFilePath(bucketName).toFile(), BucketMetadata.class);
        cache.put(bucketName, cached);
      }
      return copyOf(cached);
    }
  }

  /** A copy with its own mutable map of keys, as a fresh parse of the file returns. */
  private static BucketMetadata copyOf(BucketMetadata metadata) {
    return withObjectLock(metadata, metadata.getObjectLockConfiguration());
  }

  private static BucketMetadata withObjectLock(
      BucketMetadata m, ObjectLockConfiguration objectLockConfiguration) {
    return new BucketMetadata(
        m.getName(),
        m.getCreationDate(),
        m.getVersioningConfiguration(),
        objectLockConfiguration,
        m.getBucketLifecycleConfiguration(),
        m.getObjectOwnership(),
        m.getPath(),
        m.getBucketRegion(),
        m.getBucketInfo(),
        m.getLocationInfo(),
        new LinkedHashMap<>(m.getObjects()));
  }

  private static BucketMetadata withVersioning(
      BucketMetadata m, VersioningConfiguration versioningConfiguration) {
    return new BucketMetadata(
        m.getName(),
        m.getCreationDate(),
        versioningConfiguration,
        m.getObjectLockConfiguration(),
        m.getBucketLifecycleConfiguration(),
        m.getObjectOwnership(),
        m.getPath(),
        m.getBucketRegion(),
        m.getBucketInfo(),
        m.getLocationInfo(),
        new LinkedHashMap<>(m.getObjects()));
  }

  private static BucketMetadata withLifecycle(
      BucketMetadata m, BucketLifecycleConfiguration lifecycleConfiguration) {
    return new BucketMetadata(
        m.getName(),
        m.getCreationDate(),
        m.getVersioningConfiguration(),
        m.getObjectLockConfiguration(),
        lifecycleConfiguration,
        m.getObjectOwnership(),
        m.getPath(),
        m.getBucketRegion(),
        m.getBucketInfo(),
        m.getLocationInfo(),
        new LinkedHashMap<>(m.getObjects()));
  }

  public final UUID addKeyToBucket(String key, String bucketName) {
    synchronized (lockFor(bucketName)) {
      BucketMetadata bucketMetadata = getBucketMetadata(bucketName);
      UUID uuid = bucketMetadata.addKey(key);
      writeToDisk(bucketMetadata);
      return uuid;
    }
  }

  public final List<UUID> lookupIdsInBucket(String prefix, String bucketName) {
    String normalizedPrefix = prefix == null ? "" : prefix;
    synchronized (lockFor(bucketName)) {
      List<UUID> ids = new ArrayList<>();
      for (Map.Entry<String, UUID> entry : getBucketMetadata(bucketName).getObjects().entrySet()) {
        if (entry.getKey().startsWith(normalizedPrefix)) {
          ids.add(entry.getValue());
        }
      }
      return ids;
    }
  }

  public final List<String> lookupKeysInBucket(String prefix, String bucketName) {
    String normalizedPrefix = prefix == null ? "" : prefix;
    synchronized (lockFor(bucketName)) {
      List<String> keys = new ArrayList<>();
      for (String key : getBucketMetadata(bucketName).getObjects().keySet()) {
        if (key.startsWith(normalizedPrefix)) {
          keys.add(key);
        }
      }
      return keys;
    }
  }

  public final boolean removeFromBucket(String key, String bucketName) {
    synchronized (lockFor(bucketName)) {
      BucketMetadata bucketMetadata = getBucketMetadata(bucketName);
      boolean removed = bucketMetadata.removeKey(key);
      writeToDisk(bucketMetadata);
      return removed;
    }
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
              new LinkedHashMap<>());
      writeToDisk(newBucketMetadata);
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

  public final void storeObjectLockConfiguration(
      BucketMetadata metadata, ObjectLockConfiguration configuration) {
    synchronized (lockFor(metadata.getName())) {
      writeToDisk(withObjectLock(metadata, configuration));
    }
  }

  public final void storeVersioningConfiguration(
      BucketMetadata metadata, VersioningConfiguration configuration) {
    synchronized (lockFor(metadata.getName())) {
      writeToDisk(withVersioning(metadata, configuration));
    }
  }

  public final void storeBucketLifecycleConfiguration(
      BucketMetadata metadata, BucketLifecycleConfiguration configuration) {
    synchronized (lockFor(metadata.getName())) {
      writeToDisk(withLifecycle(metadata, configuration));
    }
  }

  public final boolean isBucketEmpty(String bucketName) {
    if (!doesBucketExist(bucketName)) {
      throw new IllegalStateException("Requested Bucket does not exist: " + bucketName);
    }
    return getBucketMetadata(bucketName).getObjects().isEmpty();
  }

  public final boolean deleteBucket(String bucketName) {
    synchronized (lockFor(bucketName)) {
      if (isBucketEmpty(bucketName)) {
        BucketMetadata bucketMetadata = getBucketMetadata(bucketName);
        // Quarry's change: the cached metadata goes with the folder
        cache.remove(bucketName);
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
      synchronized (lockFor(bucketName)) {
        BucketMetadata bucketMetadata = getBucketMetadata(bucketName);
        for (Map.Entry<String, UUID> entry : bucketMetadata.getObjects().entrySet()) {
          objectIds.add(entry.getValue());
          LOG.info("Loading existing bucket {} key {}", bucketName, entry.getKey());
        }
      }
    }
    return objectIds;
  }

  private void writeToDisk(BucketMetadata bucketMetadata) {
    File metaFile = getMetaFilePath(bucketMetadata.getName()).toFile();
    synchronized (lockFor(bucketMetadata.getName())) {
      objectMapper.writeValue(metaFile, bucketMetadata);
      // Quarry's change: the cache follows the file, only once the file is written
      cache.put(bucketMetadata.getName(), copyOf(bucketMetadata));
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
}
