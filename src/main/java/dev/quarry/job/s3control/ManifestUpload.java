package dev.quarry.job.s3control;

import static java.util.Objects.requireNonNull;

import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * Uploads a manifest file to S3 and returns the ETag S3 gave it, checked against the one computed
 * here from the file: one PutObject up to {@link Limits#threshold()} (the ETag is the file's MD5),
 * a multipart upload above it (one PutObject stops at 5 GiB, and goes at one connection's speed).
 *
 * <p>A multipart upload sends {@link Limits#concurrency()} parts at once, each read from the file
 * by its range when it is sent (and again on a retry), so memory does not grow with the manifest.
 * Its ETag is S3's multipart ETag, the MD5 of the parts' MD5s and {@code -<parts>}: CreateJob's
 * Manifest.Location.ETag is the object's ETag, whichever kind it is. A part or the completion that
 * fails aborts the upload, so no unfinished upload is left (and billed) behind; a process killed
 * mid-way leaves one, which the bucket's AbortIncompleteMultipartUpload lifecycle rule removes.
 *
 * <p>Both kinds are SSE-S3 (Batch Operations cannot read a KMS-encrypted CSV manifest, and only
 * then is the ETag the MD5 computed here) and carry the expected bucket owner.
 *
 * <pre>{@code
 * String etag = new ManifestUpload(s3, ManifestUpload.Limits.DEFAULT)
 *     .upload(file, md5, "my-quarry", "manifests/p/run/manifest.csv", "111122223333");
 * }</pre>
 */
public final class ManifestUpload {
  /** S3's smallest part but the last, and its largest part. */
  static final long MIN_PART = 5L << 20;

  static final long MAX_PART = 5L << 30;

  /** S3's most parts in one upload. */
  static final int MAX_PARTS = 10_000;

  /** S3's largest object: 5 TiB (10,000 parts of 5 GiB would be more). */
  static final long MAX_OBJECT = 5L << 40;

  /**
   * @param threshold manifests larger than this go up in parts
   * @param partSize each part's size (the last is smaller), raised where the file would need more
   *     than 10,000 parts; at least 5 MiB, S3's smallest part
   * @param concurrency parts in flight at once; the S3 client's pool needs as many connections
   */
  public record Limits(long threshold, long partSize, int concurrency) {
    /** 64 MiB in one PutObject, above it 16 MiB parts, four at a time (the client's pool). */
    public static final Limits DEFAULT = new Limits(64L << 20, 16L << 20, 4);

    public Limits {
      if (threshold < 0) {
        throw new IllegalArgumentException("threshold must not be negative: " + threshold);
      }
      if (partSize < MIN_PART || partSize > MAX_PART) {
        throw new IllegalArgumentException(
            "partSize must be from 5 MiB to 5 GiB (S3's part sizes): " + partSize);
      }
      if (concurrency < 1) {
        throw new IllegalArgumentException("concurrency must be at least 1: " + concurrency);
      }
    }
  }

  private final S3Client s3;
  private final Limits limits;

  public ManifestUpload(S3Client s3, Limits limits) {
    this.s3 = requireNonNull(s3, "s3 is null");
    this.limits = requireNonNull(limits, "limits is null");
  }

  public Limits limits() {
    return limits;
  }

  /**
   * Uploads {@code file} to {@code s3://bucket/key}.
   *
   * @param md5 the file's MD5 (hex), as its writer computed it and the caller has checked: what S3
   *     must answer for one PutObject, so the file is not read for it again
   * @return the object's ETag, unquoted, lower case: the file's MD5, or its multipart ETag
   * @throws QuarryException naming the manifest and where it was going: S3's answer, no answer, or
   *     an ETag other than the one computed from the file
   */
  public String upload(
      Path file, String md5, String bucket, String key, String expectedBucketOwner) {
    requireNonNull(file, "file is null");
    requireNonNull(md5, "md5 is null");
    requireNonNull(bucket, "bucket is null");
    requireNonNull(key, "key is null");
    requireNonNull(expectedBucketOwner, "expectedBucketOwner is null");
    String where = "uploading the manifest " + file + " to s3://" + bucket + "/" + key;
    long size = size(file);
    if (size <= limits.threshold()) {
      String etag = put(file, bucket, key, expectedBucketOwner, where);
      return checked(etag, md5, where);
    }
    long partSize = partSize(size, limits.partSize());
    String expected = multipartEtag(file, partSize);
    return checked(
        multipart(file, size, partSize, bucket, key, expectedBucketOwner, where), expected, where);
  }

  /** The part size {@code wanted}, or the smallest whole MiB that keeps within 10,000 parts. */
  static long partSize(long size, long wanted) {
    if (size > MAX_OBJECT) {
      throw QuarryException.user(
          ErrorCode.MANIFEST_INVALID,
          "the manifest is "
              + size
              + " bytes: more than 5 TiB, S3's largest object; split the run");
    }
    long needed = ceilDiv(ceilDiv(size, MAX_PARTS), 1L << 20) << 20;
    // at most 5 TiB in 10,000 parts: 525 MiB a part, within S3's 5 GiB
    return Math.max(wanted, needed);
  }

  /**
   * The ETag S3 gives an SSE-S3 (or unencrypted) multipart upload of {@code file} in parts of
   * {@code partSize}: the MD5 of the parts' binary MD5s, then {@code -<parts>}.
   */
  static String multipartEtag(Path file, long partSize) {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest ofParts = md5();
      MessageDigest part = md5();
      byte[] buffer = new byte[1 << 16];
      long inPart = 0;
      int parts = 0;
      int n;
      while ((n = in.read(buffer, 0, (int) Math.min(buffer.length, partSize - inPart))) > 0) {
        part.update(buffer, 0, n);
        inPart += n;
        if (inPart == partSize) {
          ofParts.update(part.digest());
          parts++;
          inPart = 0;
        }
      }
      if (inPart > 0 || parts == 0) {
        ofParts.update(part.digest());
        parts++;
      }
      return HexFormat.of().formatHex(ofParts.digest()) + "-" + parts;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the manifest " + file, e);
    }
  }

  private String put(Path file, String bucket, String key, String owner, String where) {
    return call(
        where,
        () ->
            s3.putObject(
                    b ->
                        b.bucket(bucket)
                            .key(key)
                            .expectedBucketOwner(owner)
                            .serverSideEncryption(ServerSideEncryption.AES256)
                            .contentType("text/csv"),
                    RequestBody.fromFile(file))
                .eTag());
  }

  private String multipart(
      Path file, long size, long partSize, String bucket, String key, String owner, String where) {
    String uploadId =
        call(
            where,
            () ->
                s3.createMultipartUpload(
                        b ->
                            b.bucket(bucket)
                                .key(key)
                                .expectedBucketOwner(owner)
                                .serverSideEncryption(ServerSideEncryption.AES256)
                                // the SDK sends a CRC32 with every part by default; declared
                                // here, S3 checks each part's and the complete request names them
                                // (undeclared, S3 has refused parts that carry one)
                                .checksumAlgorithm(ChecksumAlgorithm.CRC32)
                                .contentType("text/csv"))
                    .uploadId());
    int count = (int) ceilDiv(size, partSize);
    // platform threads, as many as parts in flight: each blocks on its own connection
    ExecutorService pool =
        Executors.newFixedThreadPool(
            Math.min(limits.concurrency(), count),
            r -> {
              Thread t = new Thread(r, "manifest-upload");
              t.setDaemon(true);
              return t;
            });
    try {
      List<Future<CompletedPart>> sent = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        int number = i + 1;
        long offset = i * partSize;
        long length = Math.min(partSize, size - offset);
        sent.add(
            pool.submit(
                () -> {
                  UploadPartResponse answer =
                      s3.uploadPart(
                          b ->
                              b.bucket(bucket)
                                  .key(key)
                                  .uploadId(uploadId)
                                  .partNumber(number)
                                  .expectedBucketOwner(owner)
                                  .checksumAlgorithm(ChecksumAlgorithm.CRC32)
                                  .contentLength(length),
                          RequestBody.fromContentProvider(
                              () -> range(file, offset, length), length, "text/csv"));
                  return CompletedPart.builder()
                      .partNumber(number)
                      .eTag(answer.eTag())
                      .checksumCRC32(answer.checksumCRC32())
                      .build();
                }));
      }
      List<CompletedPart> parts = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        parts.add(part(sent.get(i), i + 1, count, where));
      }
      String etag =
          call(
              where + ": completing its " + count + " parts",
              () ->
                  s3.completeMultipartUpload(
                          b ->
                              b.bucket(bucket)
                                  .key(key)
                                  .uploadId(uploadId)
                                  .expectedBucketOwner(owner)
                                  .multipartUpload(m -> m.parts(parts)))
                      .eTag());
      return etag;
    } catch (RuntimeException | Error e) {
      // an Error too (no thread could be started for a part): S3 would keep the parts and bill them
      pool.shutdownNow();
      abort(e, pool, bucket, key, owner, uploadId, where);
      throw e;
    } finally {
      pool.shutdownNow();
    }
  }

  /** A part's answer, or the error that ends the upload (the caller then aborts it). */
  private static CompletedPart part(
      Future<CompletedPart> future, int number, int count, String where) {
    String what = where + ": part " + number + " of " + count;
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QuarryException(ErrorCode.INTERRUPTED, what + ": interrupted", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof SdkException sdk) {
        throw mapped(what, sdk);
      }
      if (cause instanceof UncheckedIOException io) {
        throw io;
      }
      throw new IllegalStateException(what, cause);
    }
  }

  /**
   * Aborts once no part is in flight any more (S3 may keep a part that lands after the abort), so
   * S3 keeps none of the upload. The upload's own error ({@code failure}) stays the one thrown: a
   * failed abort (e.g. a role without s3:AbortMultipartUpload) is added to it, saying what is left.
   */
  private void abort(
      Throwable failure,
      ExecutorService pool,
      String bucket,
      String key,
      String owner,
      String id,
      String where) {
    // an interrupt ended the upload: cleared so that the wait and the abort can still run (the SDK
    // refuses a request on an interrupted thread), set again for the caller afterwards
    boolean interrupted = Thread.interrupted();
    try {
      try {
        pool.awaitTermination(5, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        interrupted = true;
      }
      s3.abortMultipartUpload(
          b -> b.bucket(bucket).key(key).uploadId(id).expectedBucketOwner(owner));
    } catch (SdkException e) {
      failure.addSuppressed(
          mapped(where + ": aborting its unfinished upload " + id + " failed too", e));
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** {@code length} bytes of {@code file} from {@code offset}: one part, read when it is sent. */
  private static InputStream range(Path file, long offset, long length) {
    try {
      FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
      channel.position(offset);
      InputStream in = Channels.newInputStream(channel);
      return new InputStream() {
        private long left = length;

        @Override
        public int read() throws IOException {
          if (left == 0) {
            return -1;
          }
          int b = in.read();
          if (b >= 0) {
            left--;
          }
          return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          if (left == 0) {
            return -1;
          }
          int n = in.read(b, off, (int) Math.min(len, left));
          if (n > 0) {
            left -= n;
          }
          return n;
        }

        @Override
        public void close() throws IOException {
          in.close();
        }
      };
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the manifest " + file, e);
    }
  }

  private static String checked(String etag, String expected, String where) {
    String got = S3ControlBatchJobs.unquote(etag);
    if (!got.equals(expected)) {
      throw new QuarryException(
          ErrorCode.S3_REQUEST_FAILED,
          where
              + ": S3 gave it the ETag "
              + got
              + ", not "
              + expected
              + " as computed from the file: is the bucket's default encryption SSE-KMS? S3"
              + " Batch Operations cannot read KMS-encrypted CSV manifests; choose a"
              + " manifest-location with SSE-S3");
    }
    return got;
  }

  private static <T> T call(String what, java.util.function.Supplier<T> call) {
    try {
      return call.get();
    } catch (SdkException e) {
      throw mapped(what, e);
    }
  }

  private static QuarryException mapped(String what, SdkException e) {
    if (e instanceof AwsServiceException service) {
      return S3ControlErrors.map(what, service);
    }
    return QuarryException.external(
        ErrorCode.S3_UNREACHABLE, what + ": no answer: " + e.getMessage(), e);
  }

  /** Java 17 has no Math.ceilDiv. */
  private static long ceilDiv(long x, long y) {
    return -Math.floorDiv(-x, y);
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the manifest " + file, e);
    }
  }

  private static MessageDigest md5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return String.format(
        Locale.ROOT,
        "ManifestUpload[threshold %d, parts %d, %d at once]",
        limits.threshold(),
        limits.partSize(),
        limits.concurrency());
  }
}
