package dev.quarry.sandbox;

import static java.util.Objects.requireNonNull;

import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.sandbox.SeedPlan.Encryption;
import dev.quarry.sandbox.SeedPlan.Put;
import dev.quarry.sandbox.SeedSummary.PlaybookCounts;
import dev.quarry.sandbox.SeedSummary.Refusal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.DeleteObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.Tag;
import software.amazon.awssdk.services.s3.model.Tagging;

/**
 * Writes a {@link SeedPlan} to an S3 endpoint with concurrent requests and counts what the server
 * accepted. A request the server refuses (an S3 error) is recorded in the summary, not retried with
 * other settings; a transport failure stops the seed.
 */
public final class Seeder {
  /** Told after every request; called from many threads. */
  @FunctionalInterface
  public interface Progress {
    void update(int done, int total);
  }

  private final S3Client s3;
  private final int concurrency;
  private final Progress progress;

  public Seeder(S3Client s3, int concurrency, Progress progress) {
    this.s3 = requireNonNull(s3, "s3 is null");
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be at least 1: " + concurrency);
    }
    this.concurrency = concurrency;
    this.progress = requireNonNull(progress, "progress is null");
  }

  /**
   * Creates the bucket if needed (versioning on), then writes the plan: each PUT generation in
   * turn, the deletes last.
   *
   * @param force delete every version and delete marker already in the bucket first
   * @throws QuarryException (user) if the bucket holds anything and {@code force} is false
   */
  public SeedSummary seed(SeedPlan plan, boolean force) {
    prepareBucket(plan.bucket(), force);
    Tally tally = new Tally();
    int total = plan.puts().size() + plan.deletes().size();
    AtomicInteger done = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    try {
      for (int generation = 1; generation <= 3; generation++) {
        int g = generation;
        List<Runnable> tasks = new ArrayList<>();
        for (Put put : plan.puts()) {
          if (put.generation() == g) {
            tasks.add(() -> put(plan, put, tally));
          }
        }
        runAll(pool, tasks, done, total);
      }
      List<Runnable> deletes = new ArrayList<>();
      for (String key : plan.deletes()) {
        deletes.add(() -> delete(plan.bucket(), key, tally));
      }
      runAll(pool, deletes, done, total);
    } finally {
      pool.shutdownNow();
    }
    return tally.summary(plan);
  }

  private void prepareBucket(String bucket, boolean force) {
    boolean exists;
    try {
      s3.headBucket(b -> b.bucket(bucket));
      exists = true;
    } catch (NoSuchBucketException e) {
      exists = false;
    } catch (S3Exception e) {
      if (e.statusCode() != 404) {
        throw QuarryException.external(
            ErrorCode.S3_REQUEST_FAILED, "cannot check bucket " + bucket, e);
      }
      exists = false;
    }
    if (!exists) {
      s3.createBucket(b -> b.bucket(bucket));
    }
    s3.putBucketVersioning(
        b ->
            b.bucket(bucket)
                .versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
    if (exists) {
      ListObjectVersionsResponse page = s3.listObjectVersions(b -> b.bucket(bucket));
      int present = page.versions().size() + page.deleteMarkers().size();
      if (present > 0 && !force) {
        throw QuarryException.user(
            ErrorCode.BUCKET_UNSUITABLE,
            "bucket "
                + bucket
                + " already holds "
                + present
                + (Boolean.TRUE.equals(page.isTruncated()) ? "+" : "")
                + " object versions or delete markers; pass --force to delete them all and seed"
                + " again, or choose another --bucket");
      }
      if (present > 0) {
        empty(bucket);
      }
    }
  }

  /**
   * Deletes every version and marker. Lists from the start each round instead of following markers,
   * because S3Mock pages ListObjectVersions wrongly.
   */
  private void empty(String bucket) {
    while (true) {
      ListObjectVersionsResponse page = s3.listObjectVersions(b -> b.bucket(bucket));
      List<ObjectIdentifier> ids = new ArrayList<>();
      page.versions()
          .forEach(
              v ->
                  ids.add(
                      ObjectIdentifier.builder().key(v.key()).versionId(v.versionId()).build()));
      page.deleteMarkers()
          .forEach(
              m ->
                  ids.add(
                      ObjectIdentifier.builder().key(m.key()).versionId(m.versionId()).build()));
      if (ids.isEmpty()) {
        return;
      }
      for (int from = 0; from < ids.size(); from += 1000) {
        List<ObjectIdentifier> batch = ids.subList(from, Math.min(ids.size(), from + 1000));
        var response =
            s3.deleteObjects(
                b -> b.bucket(bucket).delete(Delete.builder().objects(batch).quiet(true).build()));
        if (!response.errors().isEmpty()) {
          var error = response.errors().get(0);
          throw QuarryException.external(
              ErrorCode.S3_REQUEST_FAILED,
              "cannot empty bucket "
                  + bucket
                  + ": "
                  + response.errors().size()
                  + " deletes failed, e.g. "
                  + error.key()
                  + ": "
                  + error.code()
                  + " "
                  + error.message(),
              null);
        }
      }
    }
  }

  private void put(SeedPlan plan, Put put, Tally tally) {
    PutObjectRequest.Builder request =
        PutObjectRequest.builder()
            .bucket(plan.bucket())
            .key(put.key())
            .storageClass(put.storageClass())
            .contentType(put.contentType())
            .metadata(put.metadata());
    if (!put.tags().isEmpty()) {
      request.tagging(
          Tagging.builder()
              .tagSet(
                  put.tags().entrySet().stream()
                      .map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build())
                      .toList())
              .build());
    }
    switch (put.encryption()) {
      case SSE_S3 -> request.serverSideEncryption(ServerSideEncryption.AES256);
      case SSE_KMS -> {
        request.serverSideEncryption(ServerSideEncryption.AWS_KMS).ssekmsKeyId(plan.kmsKeyId());
        if (put.bucketKey()) {
          request.bucketKeyEnabled(true);
        }
      }
    }
    try {
      PutObjectResponse response = s3.putObject(request.build(), RequestBody.fromBytes(body(put)));
      tally.written(put, response);
    } catch (S3Exception e) {
      tally.refused(
          "PutObject " + put.storageClass() + " " + put.encryption().label(), put.key(), e);
    }
  }

  private void delete(String bucket, String key, Tally tally) {
    try {
      DeleteObjectResponse response = s3.deleteObject(b -> b.bucket(bucket).key(key));
      tally.deleted(key, Boolean.TRUE.equals(response.deleteMarker()));
    } catch (S3Exception e) {
      tally.refused("DeleteObject", key, e);
    }
  }

  /** Runs the tasks on the pool; the first transport failure cancels the rest and is thrown. */
  private void runAll(ExecutorService pool, List<Runnable> tasks, AtomicInteger done, int total) {
    AtomicReference<RuntimeException> failure = new AtomicReference<>();
    List<Future<?>> futures = new ArrayList<>(tasks.size());
    for (Runnable task : tasks) {
      futures.add(
          pool.submit(
              () -> {
                if (failure.get() != null) {
                  return;
                }
                try {
                  task.run();
                } catch (RuntimeException e) {
                  failure.compareAndSet(null, e);
                  return;
                }
                progress.update(done.incrementAndGet(), total);
              }));
    }
    for (Future<?> future : futures) {
      try {
        future.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while seeding", e);
      } catch (ExecutionException e) {
        failure.compareAndSet(null, new IllegalStateException(e.getCause()));
      }
    }
    RuntimeException first = failure.get();
    if (first instanceof SdkClientException) {
      throw QuarryException.external(
          ErrorCode.S3_REQUEST_FAILED,
          "the S3 endpoint failed after " + done.get() + " of " + total + " requests",
          first);
    }
    if (first != null) {
      throw first;
    }
  }

  /** Deterministic content: a JPEG header for images, text lines for logs, bytes otherwise. */
  static byte[] body(Put put) {
    Random random = new Random(put.contentSeed());
    byte[] bytes = new byte[put.size()];
    if (put.contentType().startsWith("text/")) {
      StringBuilder text = new StringBuilder(put.size());
      while (text.length() < put.size()) {
        text.append(put.key())
            .append(" v")
            .append(put.generation())
            .append(" line ")
            .append(random.nextInt(1_000_000))
            .append('\n');
      }
      byte[] all = text.toString().getBytes(StandardCharsets.UTF_8);
      return java.util.Arrays.copyOf(all, Math.max(put.size(), 1));
    }
    random.nextBytes(bytes);
    if (put.contentType().equals("image/jpeg") && bytes.length >= 4) {
      bytes[0] = (byte) 0xFF;
      bytes[1] = (byte) 0xD8;
      bytes[2] = (byte) 0xFF;
      bytes[3] = (byte) 0xE0;
    }
    return bytes;
  }

  /** What the server accepted, per key; thread-safe. */
  private static final class Tally {
    /** Latest accepted PUT per key, with the encryption the server reported. */
    private final Map<String, Written> written = new ConcurrentHashMap<>();

    private final Set<String> deleted = ConcurrentHashMap.newKeySet();
    private final Set<String> markers = ConcurrentHashMap.newKeySet();
    private final Map<List<Object>, Refusal> refusals = new ConcurrentHashMap<>();

    void written(Put put, PutObjectResponse response) {
      // the server's word on encryption wins over what was asked; storage class is not echoed by
      // PutObject, so an accepted request is taken to have its class
      String encryption =
          response.serverSideEncryption() == null
              ? put.encryption().label()
              : switch (response.serverSideEncryption()) {
                case AES256 -> "SSE-S3";
                case AWS_KMS -> "SSE-KMS";
                case AWS_KMS_DSSE -> "DSSE-KMS";
                default -> response.serverSideEncryptionAsString();
              };
      boolean bucketKey = Boolean.TRUE.equals(response.bucketKeyEnabled());
      written.merge(
          put.key(),
          new Written(put, encryption, bucketKey, 1),
          (old, now) ->
              now.put.generation() > old.put.generation()
                  ? new Written(now.put, now.encryption, now.bucketKey, old.versions + 1)
                  : new Written(old.put, old.encryption, old.bucketKey, old.versions + 1));
    }

    void deleted(String key, boolean marker) {
      deleted.add(key);
      if (marker) {
        markers.add(key);
      }
    }

    void refused(String operation, String key, S3Exception e) {
      String code = e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
      String message =
          e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage();
      refusals.merge(
          List.of(operation, e.statusCode(), String.valueOf(code)),
          new Refusal(operation, e.statusCode(), code, message, 1, key),
          (a, b) ->
              new Refusal(
                  a.operation(),
                  a.statusCode(),
                  a.errorCode(),
                  a.message(),
                  a.count() + 1,
                  a.example()));
    }

    SeedSummary summary(SeedPlan plan) {
      Map<String, Integer> byPrefix = new TreeMap<>();
      Map<String, Integer> byClass = new TreeMap<>();
      Map<String, Integer> byEncryption = new TreeMap<>();
      int versions = 0;
      int overwritten = 0;
      int current = 0;
      int bucketKeys = 0;
      int rainyTraining = 0;
      int notKms = 0;
      int awsBackup = 0;
      int overwrittenCurrent = 0;
      for (Written w : written.values()) {
        versions += w.versions;
        if (w.versions > 1) {
          overwritten++;
        }
        if (deleted.contains(w.put.key())) {
          continue;
        }
        current++;
        byPrefix.merge(w.put.prefix(), 1, Integer::sum);
        byClass.merge(w.put.storageClass(), 1, Integer::sum);
        byEncryption.merge(w.encryption, 1, Integer::sum);
        if (w.bucketKey) {
          bucketKeys++;
        }
        boolean archived =
            w.put.storageClass().equals("GLACIER") || w.put.storageClass().equals("DEEP_ARCHIVE");
        if (archived
            && "rain".equals(w.put.tags().get("weather"))
            && "training".equals(w.put.tags().get("category"))) {
          rainyTraining++;
        }
        if (!w.encryption.equals(Encryption.SSE_KMS.label())) {
          notKms++;
        }
        if (w.put.prefix().equals("ami-exports")
            && w.put.metadata().getOrDefault("ami-name", "").contains("AwsBackup")) {
          awsBackup++;
        }
        if (w.versions > 1) {
          overwrittenCurrent++;
        }
      }
      int cameraMarkers = (int) markers.stream().filter(k -> k.startsWith("camera/")).count();
      List<Refusal> refused =
          refusals.values().stream()
              .sorted(
                  java.util.Comparator.comparing(Refusal::operation)
                      .thenComparing(Refusal::errorCode))
              .toList();
      return new SeedSummary(
          plan.bucket(),
          plan.seed(),
          plan.kmsKeyId(),
          written.size(),
          current,
          versions,
          overwritten,
          markers.size(),
          byPrefix,
          byClass,
          byEncryption,
          bucketKeys,
          new PlaybookCounts(rainyTraining, notKms, cameraMarkers, awsBackup, overwrittenCurrent),
          refused);
    }
  }

  private record Written(Put put, String encryption, boolean bucketKey, int versions) {}
}
