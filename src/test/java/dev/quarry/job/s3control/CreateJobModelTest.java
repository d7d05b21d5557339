package dev.quarry.job.s3control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quarry.action.ActionRegistry;
import dev.quarry.app.ManifestInfo;
import dev.quarry.config.QuarryConfig;
import dev.quarry.job.JobRequest;
import dev.quarry.manifest.Manifest;
import dev.quarry.manifest.ManifestWriter;
import dev.quarry.playbook.ActionSpec;
import dev.quarry.playbook.ReportSpec;
import dev.quarry.query.ObjectRow;
import dev.quarry.testing.S3ControlModel;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.s3control.model.CreateJobRequest;
import software.amazon.awssdk.services.s3control.model.JobOperation;

/**
 * Every action's CreateJob request, built as {@link S3ControlBatchJobs#submit} builds it, checked
 * member by member against the s3control service model that botocore ships (required members,
 * enums, patterns, lengths, ranges): AWS refuses a request that breaks its model, and neither the
 * sandbox nor a unit test of one field would show it.
 */
class CreateJobModelTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String FUNCTION =
      "arn:aws:lambda:us-east-1:111122223333:function:quarry-rollback";

  @TempDir Path dir;

  /** Representative settings of every action: its options as a playbook writes them. */
  static Stream<String> actions() {
    return Stream.of(
        "{\"type\":\"restore\",\"days\":5}",
        "{\"type\":\"restore\",\"tier\":\"STANDARD\",\"days\":1}",
        "{\"type\":\"restore\",\"archive\":\"intelligent-tiering\"}",
        "{\"type\":\"reencrypt\",\"sse\":\"aws:kms\",\"kms-key\":"
            + "\"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab\","
            + "\"bucket-key\":true,\"storage-class\":\"GLACIER_IR\"}",
        "{\"type\":\"reencrypt\",\"sse\":\"aws:kms\",\"kms-key\":\"alias/quarry\"}",
        // the parts of a method auto plan: S3UpdateObjectEncryption, and copies
        "{\"type\":\"reencrypt\",\"sse\":\"aws:kms\",\"kms-key\":"
            + "\"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab\","
            + "\"bucket-key\":true,\"method\":\"update-encryption\"}",
        "{\"type\":\"reencrypt\",\"sse\":\"aws:kms\",\"kms-key\":"
            + "\"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab\","
            + "\"method\":\"auto\",\"storage-class\":\"STANDARD_IA\"}",
        "{\"type\":\"reencrypt\",\"sse\":\"AES256\",\"storage-class\":\"STANDARD_IA\"}",
        "{\"type\":\"rollback-deletes\"}",
        "{\"type\":\"rollback-deletes\",\"function-arn\":\"" + FUNCTION + ":live\"}",
        "{\"type\":\"revert-to-version\"}",
        // the profile's rollback function, or the playbook's
        "{\"type\":\"hide-keys\"}",
        "{\"type\":\"hide-keys\",\"function-arn\":\"" + FUNCTION + ":live\"}",
        "{\"type\":\"put-tags\",\"tags\":{\"retention\":\"long\",\"a b\":\"Grüße 日本\"}}",
        // merge is refused on AWS; the longest tags the model allows
        "{\"type\":\"put-tags\",\"tags\":{\""
            + "k".repeat(127)
            + "ß\":\""
            + "v".repeat(255)
            + "é\"}}",
        "{\"type\":\"delete-tags\"}",
        "{\"type\":\"legal-hold\",\"status\":\"ON\"}",
        "{\"type\":\"legal-hold\",\"status\":\"OFF\"}",
        "{\"type\":\"retention\",\"mode\":\"GOVERNANCE\",\"retain-until\":"
            + "\"2027-01-01T00:00:00Z\",\"bypass-governance\":true}",
        "{\"type\":\"retention\",\"mode\":\"COMPLIANCE\",\"retain-until\":"
            + "\"2027-06-30T12:30:00.250Z\"}",
        "{\"type\":\"compute-checksum\",\"algorithm\":\"CRC64NVME\"}",
        "{\"type\":\"compute-checksum\",\"algorithm\":\"MD5\",\"checksum-type\":\"COMPOSITE\"}",
        "{\"type\":\"compute-checksum\",\"algorithm\":\"SHA256\","
            + "\"checksum-type\":\"FULL_OBJECT\"}",
        "{\"type\":\"replicate\"}");
  }

  @Test
  void theCasesCoverEveryActionInTheRegistry() {
    // given
    List<String> covered =
        actions().map(json -> read(json).path("type").asText()).distinct().toList();

    // when / then
    assertThat(covered).containsExactlyInAnyOrderElementsOf(ActionRegistry.types());
  }

  /** Each action in a region of each partition: every ARN of the request is in the region's. */
  static Stream<Arguments> actionsInRegions() {
    return actions()
        .flatMap(
            a ->
                Stream.of("us-east-1", "cn-north-1", "us-gov-west-1").map(r -> Arguments.of(a, r)));
  }

  @ParameterizedTest(name = "{1} {0}")
  @MethodSource("actionsInRegions")
  void createJobFitsTheServiceModel(String options, String region) {
    // given
    ObjectNode node = read(options);
    S3ControlBatchJobs jobs = jobs();
    JobRequest request =
        request(
            jobs,
            new ActionSpec(node.path("type").asText(), node),
            "Restore rainy-day training images for the night's run — «ünïcode» "
                + "😀".repeat(60)
                + " and more words than fit",
            Integer.MAX_VALUE);

    // when: what submit sends, without sending it
    JobOperation operation = jobs.operation(request);
    Submission submission = Submission.start(request, "my-quarry", jobs.manifestKey(request));
    CreateJobRequest create =
        CreateJobRequests.build(
            request, region, jobs.settings(), operation, submission, request.manifest().etag());

    // then
    assertThat(S3ControlModel.violations("CreateJobRequest", create)).isEmpty();
  }

  @Test
  void theCheckFindsARequestThatBreaksTheModelAndNamesTheMember() {
    // given: a request AWS would refuse (no role, a 13-digit account, an unknown tier)
    CreateJobRequest create =
        CreateJobRequest.builder()
            .accountId("1111222233334")
            .clientRequestToken("t")
            .priority(-1)
            .operation(o -> o.s3InitiateRestoreObject(r -> r.glacierJobTier("EXPEDITED")))
            .report(r -> r.enabled(false))
            .build();

    // when
    List<String> violations = S3ControlModel.violations("CreateJobRequest", create);

    // then
    assertThat(violations)
        .anyMatch(v -> v.startsWith("CreateJobRequest.AccountId: "))
        .anyMatch(v -> v.startsWith("CreateJobRequest.RoleArn: required"))
        .anyMatch(v -> v.startsWith("CreateJobRequest.Priority: -1 outside"))
        .anyMatch(
            v ->
                v.startsWith(
                    "CreateJobRequest.Operation.S3InitiateRestoreObject.GlacierJobTier: 'EXPEDITED'"));
  }

  private static ObjectNode read(String json) {
    try {
      return (ObjectNode) JSON.readTree(json);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private S3ControlBatchJobs jobs() {
    QuarryConfig config =
        new QuarryConfig(
            "prod",
            dir.resolve("state"),
            dir.resolve("manifests"),
            Optional.of(URI.create("http://127.0.0.1:9")),
            "us-east-1",
            Optional.empty(),
            "embedded",
            "s3control",
            QuarryConfig.Athena.NONE,
            new QuarryConfig.Aws(
                Optional.of("111122223333"),
                Optional.empty(),
                Optional.of("arn:aws:iam::111122223333:role/quarry-batch-operations"),
                Optional.of(QuarryConfig.S3Uri.parse("s3://my-quarry/manifests/")),
                Optional.of(QuarryConfig.S3Uri.parse("s3://my-quarry/reports/")),
                Optional.of(URI.create("http://127.0.0.1:9")),
                Optional.of(FUNCTION)));
    return S3ControlBatchJobs.create(config);
  }

  private JobRequest request(
      S3ControlBatchJobs jobs, ActionSpec action, String description, int priority) {
    Manifest manifest;
    try (ManifestWriter writer = ManifestWriter.open(dir.resolve("manifest.csv"), true)) {
      writer.write(new ObjectRow("photos", "2026/rain 1.jpg", "v1", null, null));
      manifest = writer.finish();
    }
    return new JobRequest(
        "20261121T201500Z-3f9a1c",
        "restore-rainy-training",
        "20261121T201500Z-3f9a1c",
        description,
        priority,
        action,
        new JobRequest.ManifestRef(
            manifest.file(), ManifestInfo.FORMAT, manifest.etag(), manifest.fields()),
        new JobRequest.Report(true, jobs.settings().report(), ReportSpec.Scope.ALL),
        true);
  }
}
