package dev.quarry.revert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.manifest.ManifestReader;
import dev.quarry.metadata.MetadataRefresher;
import dev.quarry.metadata.RefreshProgress;
import dev.quarry.metadata.Warehouse;
import dev.quarry.query.ObjectRow;
import dev.quarry.query.embedded.EmbeddedEngine;
import dev.quarry.revert.RevertVerifier.Difference;
import dev.quarry.revert.RevertVerifier.Expected;
import dev.quarry.revert.RevertVerifier.Verification;
import dev.quarry.sandbox.LocalS3Server;
import dev.quarry.testing.S3Servers;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A revert done by hand against moto, from the plan's manifests, checked by listing the server: the
 * state at T comes from the tables, the state now from ListObjectVersions.
 */
class RevertVerifierMotoIT {
  @TempDir Path dir;

  private final LocalS3Server server = S3Servers.moto();
  private final S3Client s3 = S3Servers.client(server);

  @Test
  void aRevertMissingAStepShowsItsKeysAndAFullOneNone() throws Exception {
    // given changes on either side of T (listings carry whole seconds: T is a second apart)
    String bucket = S3Servers.createVersionedBucket(s3, "revert");
    put(bucket, "p/over", "v1");
    put(bucket, "p/deleted", "d1");
    put(bucket, "p/kept", "k1");
    put(bucket, "q/out", "o1");
    Thread.sleep(1_100);
    Instant t = Instant.now();
    Thread.sleep(1_100);
    put(bucket, "p/over", "v2");
    s3.deleteObject(b -> b.bucket(bucket).key("p/deleted"));
    put(bucket, "p/new", "n1");
    put(bucket, "q/out", "o2");
    Warehouse warehouse = new Warehouse(dir.resolve("warehouse"));
    new MetadataRefresher(warehouse, s3, server.endpoint().toString(), Clock.systemUTC())
        .refresh(bucket, 2, RefreshProgress.NONE);
    Optional<String> prefix = Optional.of("p/");
    try (EmbeddedEngine engine = new EmbeddedEngine(warehouse, Optional.of(bucket))) {
      RevertPlan plan = RevertPlanner.plan(engine, bucket, t, prefix, dir.resolve("plan"));
      Map<String, Expected> atT = RevertVerifier.stateAt(engine, bucket, t, prefix);
      assertThat(atT).containsOnlyKeys("p/over", "p/deleted", "p/kept");

      // when nothing is reverted yet
      Verification before = RevertVerifier.verify(s3, bucket, prefix, atT);

      // then
      assertThat(before.differences())
          .extracting(Difference::key, Difference::kind)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("p/deleted", Difference.Kind.MISSING),
              org.assertj.core.groups.Tuple.tuple("p/new", Difference.Kind.EXTRA),
              org.assertj.core.groups.Tuple.tuple("p/over", Difference.Kind.CONTENT));

      // when the markers are removed and the versions copied back, but nothing hidden
      for (ObjectRow marker : rows(plan.steps(RevertSet.REMOVE_MARKERS).get(0).manifest().file())) {
        s3.deleteObject(b -> b.bucket(bucket).key(marker.key()).versionId(marker.versionId()));
      }
      for (RevertPlan.Step step : plan.steps(RevertSet.COPY_BACK)) {
        for (ObjectRow version : rows(step.manifest().file())) {
          s3.copyObject(
              b ->
                  b.sourceBucket(bucket)
                      .sourceKey(version.key())
                      .sourceVersionId(version.versionId())
                      .destinationBucket(bucket)
                      .destinationKey(version.key()));
        }
      }
      Verification partial = RevertVerifier.verify(s3, bucket, prefix, atT);

      // then only the key to hide differs
      assertThat(partial.differences())
          .singleElement()
          .satisfies(
              d -> {
                assertThat(d.key()).isEqualTo("p/new");
                assertThat(d.kind()).isEqualTo(Difference.Kind.EXTRA);
              });

      // when the hide step runs too
      Instant hideStarted = Instant.now().minusSeconds(1);
      List<String> hidden = new ArrayList<>();
      for (ObjectRow key : rows(plan.steps(RevertSet.HIDE).get(0).manifest().file())) {
        s3.deleteObject(b -> b.bucket(bucket).key(key.key()));
        hidden.add(key.key());
      }
      Verification after = RevertVerifier.verify(s3, bucket, prefix, atT);

      // then the bucket is as at T under the prefix, outside it unchanged
      assertThat(after.matches()).isTrue();
      assertThat(after.keysCompared()).isEqualTo(3);
      assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("q/out")).asUtf8String())
          .isEqualTo("o2");
      // and the hide step's undo can be completed with the markers it put
      Map<String, String> markers = RevertVerifier.newMarkers(s3, bucket, hidden, hideStarted);
      assertThat(markers).containsOnlyKeys("p/new");
      s3.deleteObject(b -> b.bucket(bucket).key("p/new").versionId(markers.get("p/new")));
      assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("p/new")).asUtf8String())
          .isEqualTo("n1");
    }
  }

  @Test
  void aMultipartVersionCopiedBackIsNotADifferenceThoughItsEtagChanged() throws Exception {
    // given: a multipart upload at T (its ETag names its 2 parts), overwritten since
    String bucket = S3Servers.createVersionedBucket(s3, "revert");
    String upload = s3.createMultipartUpload(b -> b.bucket(bucket).key("p/big")).uploadId();
    List<software.amazon.awssdk.services.s3.model.CompletedPart> parts = new ArrayList<>();
    byte[][] bodies = {
      new byte[5 * 1024 * 1024], "tail".getBytes(java.nio.charset.StandardCharsets.UTF_8)
    };
    for (int n = 1; n <= 2; n++) {
      int part = n;
      String eTag =
          s3.uploadPart(
                  b -> b.bucket(bucket).key("p/big").uploadId(upload).partNumber(part),
                  RequestBody.fromBytes(bodies[part - 1]))
              .eTag();
      parts.add(
          software.amazon.awssdk.services.s3.model.CompletedPart.builder()
              .partNumber(part)
              .eTag(eTag)
              .build());
    }
    String atTVersion =
        s3.completeMultipartUpload(
                b ->
                    b.bucket(bucket)
                        .key("p/big")
                        .uploadId(upload)
                        .multipartUpload(m -> m.parts(parts)))
            .versionId();
    Thread.sleep(1_100);
    Instant t = Instant.now();
    Thread.sleep(1_100);
    put(bucket, "p/big", "overwritten");
    Warehouse warehouse = new Warehouse(dir.resolve("warehouse"));
    new MetadataRefresher(warehouse, s3, server.endpoint().toString(), Clock.systemUTC())
        .refresh(bucket, 2, RefreshProgress.NONE);
    Optional<String> prefix = Optional.of("p/");
    try (EmbeddedEngine engine = new EmbeddedEngine(warehouse, Optional.of(bucket))) {
      Map<String, Expected> atT = RevertVerifier.stateAt(engine, bucket, t, prefix);
      assertThat(atT.get("p/big").eTag()).endsWith("-2");
      Verification before = RevertVerifier.verify(s3, bucket, prefix, atT);

      // when: the version of T is copied back in place (one part now: a new ETag)
      s3.copyObject(
          b ->
              b.sourceBucket(bucket)
                  .sourceKey("p/big")
                  .sourceVersionId(atTVersion)
                  .destinationBucket(bucket)
                  .destinationKey("p/big"));
      Verification after = RevertVerifier.verify(s3, bucket, prefix, atT);

      // then: before, a difference; after, none, the key said to be compared by size only
      assertThat(before.differences())
          .extracting(Difference::key, Difference::kind)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("p/big", Difference.Kind.CONTENT));
      assertThat(after.differences()).isEmpty();
      assertThat(after.comparedBySizeOnly()).containsExactly("p/big");
    }
  }

  private void put(String bucket, String key, String body) {
    s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(body));
  }

  private static List<ObjectRow> rows(Path manifest) {
    List<ObjectRow> rows = new ArrayList<>();
    ManifestReader.read(manifest, rows::add);
    return rows;
  }
}
