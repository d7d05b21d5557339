package dev.quarry.sandbox.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.quarry.job.local.LocalBatchJobs;
import dev.quarry.sandbox.LocalS3Server;
import dev.quarry.testing.S3ControlModel;
import dev.quarry.testing.S3Servers;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3control.S3ControlClient;
import software.amazon.awssdk.services.s3control.model.CreateJobRequest;
import software.amazon.awssdk.services.s3control.model.S3ControlException;
import software.amazon.awssdk.services.s3control.model.S3Tag;

/**
 * The endpoint refuses the tags AWS's model refuses (TagKeyString, TagValueString), in job tags and
 * in S3PutObjectTagging's tag set, and accepts the others; driven by the real SDK against moto.
 */
class S3ControlEndpointTagsIT {
  private static final String ACCOUNT = "111122223333";

  @TempDir static Path root;

  private static S3Client s3;
  private static S3ControlEndpoint endpoint;
  private static S3ControlClient control;
  private static String bucket;
  private static String etag;

  @BeforeAll
  static void start() {
    LocalS3Server server = S3Servers.moto();
    s3 = S3Servers.client(server);
    endpoint =
        S3ControlEndpoint.start(
            new S3ControlEndpoint.Settings(
                0, root, "us-east-1", s3, LocalBatchJobs.Settings.defaults()));
    control = S3ControlEndpointIT.controlClient(endpoint.uri());
    bucket = S3Servers.newBucketName("tags");
    s3.createBucket(b -> b.bucket(bucket));
    s3.putObject(b -> b.bucket(bucket).key("a.txt"), RequestBody.fromString("a"));
    etag =
        s3.putObject(
                b -> b.bucket(bucket).key("m.csv"), RequestBody.fromString(bucket + ",a.txt\n"))
            .eTag();
  }

  @AfterAll
  static void stop() {
    control.close();
    endpoint.close();
    s3.close();
  }

  @Test
  void tagsAreRefusedExactlyWhenTheModelRefusesThem() {
    for (String text : S3ControlModel.TAG_SAMPLES) {
      // given the text as a job tag's key and value, then as a tagging operation's
      S3Tag asKey = S3Tag.builder().key(text).value("v").build();
      S3Tag asValue = S3Tag.builder().key("k").value(text).build();
      boolean keyOk = S3ControlModel.accepts("TagKeyString", text);
      boolean valueOk = S3ControlModel.accepts("TagValueString", text);

      // when / then
      assertThat(refusal(r -> r.tags(asKey))).as("job tag key %s", text).isEqualTo(!keyOk);
      assertThat(refusal(r -> r.tags(asValue))).as("job tag value %s", text).isEqualTo(!valueOk);
      assertThat(refusal(r -> r.operation(o -> o.s3PutObjectTagging(t -> t.tagSet(asKey)))))
          .as("operation tag key %s", text)
          .isEqualTo(!keyOk);
      assertThat(refusal(r -> r.operation(o -> o.s3PutObjectTagging(t -> t.tagSet(asValue)))))
          .as("operation tag value %s", text)
          .isEqualTo(!valueOk);
    }
  }

  @Test
  void aRefusedTagIsA400InvalidRequestNamingTheField() {
    // when
    S3ControlException error =
        catchThrowableOfType(
            S3ControlException.class,
            () ->
                control.createJob(
                    request(
                        r ->
                            r.tags(S3Tag.builder().key("team#1").value("x").build())
                                .operation(
                                    o ->
                                        o.s3PutObjectTagging(
                                            t ->
                                                t.tagSet(
                                                    S3Tag.builder()
                                                        .key("k")
                                                        .value("a*b")
                                                        .build()))))));

    // then both problems are in one answer, as the endpoint's other checks are
    assertThat(error.statusCode()).isEqualTo(400);
    assertThat(error.awsErrorDetails().errorCode()).isEqualTo("BadRequestException");
    assertThat(error.awsErrorDetails().errorMessage())
        .contains("Tags key 'team#1'")
        .contains("Operation.S3PutObjectTagging.TagSet value 'a*b'");
  }

  /** Whether the endpoint refuses the request for its tags. */
  private static boolean refusal(
      Function<CreateJobRequest.Builder, CreateJobRequest.Builder> tags) {
    try {
      control.createJob(request(tags));
      return false;
    } catch (S3ControlException e) {
      assertThat(e.statusCode()).isEqualTo(400);
      assertThat(e.awsErrorDetails().errorMessage())
          .containsAnyOf("Tags key", "Tags value", "TagSet key", "TagSet value");
      return true;
    }
  }

  private static CreateJobRequest request(
      Function<CreateJobRequest.Builder, CreateJobRequest.Builder> change) {
    CreateJobRequest.Builder base =
        CreateJobRequest.builder()
            .accountId(ACCOUNT)
            .clientRequestToken(UUID.randomUUID().toString())
            .priority(10)
            .roleArn("arn:aws:iam::111122223333:role/batch-operations")
            .confirmationRequired(true)
            .operation(
                o ->
                    o.s3PutObjectTagging(
                        t -> t.tagSet(List.of(S3Tag.builder().key("a").value("b").build()))))
            .manifest(
                m ->
                    m.spec(
                            s ->
                                s.format("S3BatchOperations_CSV_20180820")
                                    .fieldsWithStrings("Bucket", "Key"))
                        .location(l -> l.objectArn("arn:aws:s3:::" + bucket + "/m.csv").eTag(etag)))
            .report(r -> r.enabled(false));
    return change.apply(base).build();
  }
}
