package dev.quarry.job.s3control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.config.AwsClients;
import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.sandbox.LocalS3Server;
import dev.quarry.testing.S3Servers;
import java.io.BufferedWriter;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * Manifest uploads against moto, which assembles real multipart uploads (and refuses parts but the
 * last under 5 MiB): the object, its ETag, the parts in flight at once, the abort of a failed one.
 */
class ManifestUploadIT {
  static final String ACCOUNT = "123456789012";
  static final long PART = 5L << 20;

  @TempDir Path dir;

  private final LocalS3Server server = S3Servers.moto();
  private final S3Client s3 = S3Servers.client(server);
  private String bucket;
  private Path manifest;

  @BeforeEach
  void start() throws IOException {
    bucket = S3Servers.newBucketName("manifests");
    s3.createBucket(b -> b.bucket(bucket));
    // 12 MiB: two 5 MiB parts and a short last one
    manifest = dir.resolve("manifest.csv");
    try (BufferedWriter out = Files.newBufferedWriter(manifest, StandardCharsets.UTF_8)) {
      for (int i = 0; i < 300_000; i++) {
        out.write("data-bucket,photos/2026/img%20" + String.format("%07d", i) + ".jpg\n");
      }
    }
  }

  @Test
  void aManifestAboveTheThresholdGoesUpInPartsAtOnceWithItsMultipartEtag() throws Exception {
    // given: an upload of three parts, two at once; each part waits (up to 10 s) for a second
    // one to be in flight, so parts sent one at a time would show as at most one in flight
    CountDownLatch two = new CountDownLatch(2);
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    java.util.Set<String> owners = java.util.concurrent.ConcurrentHashMap.newKeySet();
    ExecutionInterceptor parts =
        new ExecutionInterceptor() {
          @Override
          public void beforeTransmission(
              Context.BeforeTransmission context, ExecutionAttributes attributes) {
            owners.add(
                context
                    .httpRequest()
                    .firstMatchingHeader("x-amz-expected-bucket-owner")
                    .orElse("none"));
            if (context.request() instanceof UploadPartRequest) {
              most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
              two.countDown();
              try {
                two.await(10, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
          }

          @Override
          public void afterTransmission(
              Context.AfterTransmission context, ExecutionAttributes attributes) {
            if (context.request() instanceof UploadPartRequest) {
              inFlight.decrementAndGet();
            }
          }
        };
    try (S3Client client = client(parts)) {
      ManifestUpload upload = new ManifestUpload(client, new ManifestUpload.Limits(PART, PART, 2));

      // when
      String etag =
          upload.upload(
              manifest, S3ControlBatchJobs.md5(manifest), bucket, "m/manifest.csv", ACCOUNT);

      // then: S3's object is the file, SSE-S3, and its ETag the one computed from the file
      var head = s3.headObject(b -> b.bucket(bucket).key("m/manifest.csv"));
      assertThat(etag).endsWith("-3").isEqualTo(head.eTag().replace("\"", ""));
      assertThat(etag).isEqualTo(ManifestUpload.multipartEtag(manifest, PART));
      assertThat(head.serverSideEncryption()).isEqualTo(ServerSideEncryption.AES256);
      assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("m/manifest.csv")).asByteArray())
          .isEqualTo(Files.readAllBytes(manifest));
      assertThat(most.get()).isEqualTo(2);
      // moto does not check the owner; AWS refuses any request of these to another's bucket
      assertThat(owners).containsExactly(ACCOUNT);
    }
  }

  @Test
  void aManifestUpToTheThresholdGoesUpInOnePutObjectWithItsMd5() {
    // given
    ManifestUpload upload =
        new ManifestUpload(s3, new ManifestUpload.Limits(Long.MAX_VALUE, PART, 2));

    // when
    String etag =
        upload.upload(manifest, S3ControlBatchJobs.md5(manifest), bucket, "m/one.csv", ACCOUNT);

    // then
    assertThat(etag).isEqualTo(S3ControlBatchJobs.md5(manifest));
    assertThat(s3.headObject(b -> b.bucket(bucket).key("m/one.csv")).eTag()).doesNotContain("-");
  }

  @Test
  void aFailedPartAbortsTheUploadAndTheErrorNamesTheManifest() {
    // given: S3 refuses the second part (it names an upload S3 does not know)
    try (S3Client client =
        client(unknownUpload(r -> r instanceof UploadPartRequest p && p.partNumber() == 2))) {
      ManifestUpload upload = new ManifestUpload(client, new ManifestUpload.Limits(PART, PART, 1));

      // when / then
      assertThatThrownBy(
              () ->
                  upload.upload(
                      manifest, S3ControlBatchJobs.md5(manifest), bucket, "m/failed.csv", ACCOUNT))
          .isInstanceOf(QuarryException.class)
          .hasMessageContaining(manifest.toString())
          .hasMessageContaining("s3://" + bucket + "/m/failed.csv")
          .hasMessageContaining("part 2 of 3");

      // and: nothing is left behind, neither an object nor an unfinished upload
      assertThat(s3.listMultipartUploads(b -> b.bucket(bucket)).uploads()).isEmpty();
      assertThatThrownBy(() -> s3.headObject(b -> b.bucket(bucket).key("m/failed.csv")))
          .isInstanceOfSatisfying(
              software.amazon.awssdk.services.s3.model.S3Exception.class,
              e -> assertThat(e.statusCode()).isEqualTo(404));
    }
  }

  @Test
  void aFailedAbortIsAddedToThePartsErrorWhichStaysTheOneThrown() {
    // given: S3 refuses the second part, and then the abort too (as it does a role without
    // s3:AbortMultipartUpload)
    try (S3Client client =
        client(
            unknownUpload(
                r ->
                    r instanceof UploadPartRequest p && p.partNumber() == 2
                        || r instanceof AbortMultipartUploadRequest))) {
      ManifestUpload upload = new ManifestUpload(client, new ManifestUpload.Limits(PART, PART, 1));

      // when / then: the part's error, with the abort's failure beside it
      assertThatThrownBy(
              () ->
                  upload.upload(
                      manifest, S3ControlBatchJobs.md5(manifest), bucket, "m/abort.csv", ACCOUNT))
          .isInstanceOf(QuarryException.class)
          .hasMessageContaining("part 2 of 3")
          .satisfies(
              e ->
                  assertThat(e.getSuppressed())
                      .singleElement()
                      .satisfies(
                          a ->
                              assertThat(a.getMessage())
                                  .contains("aborting its unfinished upload")
                                  .contains("failed too")));
    } finally {
      s3.listMultipartUploads(b -> b.bucket(bucket))
          .uploads()
          .forEach(
              u ->
                  s3.abortMultipartUpload(
                      b -> b.bucket(bucket).key(u.key()).uploadId(u.uploadId())));
    }
  }

  @Test
  void anInterruptedUploadIsStillAbortedAndSaysItWasInterrupted() {
    // given: the caller's thread is interrupted while its first part is sent
    Thread caller = Thread.currentThread();
    ExecutionInterceptor interrupt =
        new ExecutionInterceptor() {
          @Override
          public void beforeTransmission(
              Context.BeforeTransmission context, ExecutionAttributes attributes) {
            if (context.request() instanceof UploadPartRequest part && part.partNumber() == 1) {
              caller.interrupt();
            }
          }
        };
    try (S3Client client = client(interrupt)) {
      ManifestUpload upload = new ManifestUpload(client, new ManifestUpload.Limits(PART, PART, 1));

      // when / then
      assertThatThrownBy(
              () ->
                  upload.upload(
                      manifest,
                      S3ControlBatchJobs.md5(manifest),
                      bucket,
                      "m/interrupted.csv",
                      ACCOUNT))
          .isInstanceOfSatisfying(
              QuarryException.class,
              e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.INTERRUPTED));
      assertThat(Thread.interrupted()).as("the interrupt is kept for the caller").isTrue();

      // and: no unfinished upload is left
      assertThat(s3.listMultipartUploads(b -> b.bucket(bucket)).uploads()).isEmpty();
    } finally {
      Thread.interrupted();
    }
  }

  /**
   * Sends the requests {@code which} picks with an upload id S3 does not know, so S3 refuses them.
   */
  private static ExecutionInterceptor unknownUpload(
      java.util.function.Predicate<software.amazon.awssdk.core.SdkRequest> which) {
    return new ExecutionInterceptor() {
      @Override
      public SdkHttpRequest modifyHttpRequest(
          Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
        if (which.test(context.request())) {
          return context.httpRequest().toBuilder()
              .putRawQueryParameter("uploadId", "no-such-upload")
              .build();
        }
        return context.httpRequest();
      }
    };
  }

  /** A client of moto like S3Servers.client's, with {@code interceptor} watching its requests. */
  private S3Client client(ExecutionInterceptor interceptor) {
    URI endpoint = server.endpoint();
    return AwsClients.configure(
            S3Client.builder(),
            S3Servers.config(server, dir.resolve("unused")),
            AwsClients.Limits.DEFAULT.withMaxConnections(4))
        .overrideConfiguration(c -> c.addExecutionInterceptor(interceptor))
        .endpointOverride(endpoint)
        .serviceConfiguration(
            S3Configuration.builder()
                .pathStyleAccessEnabled(true)
                .chunkedEncodingEnabled(false)
                .build())
        .build();
  }
}
