package dev.quarry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code quarry iam-policy} over the example playbooks: the exact actions and resources of every
 * statement, read back from {@code --output json}.
 */
class IamPolicyCommandTest {
  static final String ACCOUNT = "111122223333";
  static final String REGION = "eu-west-1";
  static final String ROLE = "arn:aws:iam::111122223333:role/quarry-batch-operations";
  static final String FUNCTION = "arn:aws:lambda:eu-west-1:111122223333:function:quarry-rollback";

  /** A profile with every setting iam-policy reads, as environment variables. */
  static final Map<String, String> FULL_PROFILE =
      Map.of(
          "QUARRY_REGION",
          REGION,
          "QUARRY_ACCOUNT_ID",
          ACCOUNT,
          "QUARRY_ROLE_ARN",
          ROLE,
          "QUARRY_MANIFEST_LOCATION",
          "s3://quarry-ops/manifests/",
          "QUARRY_REPORT_LOCATION",
          "s3://quarry-ops/reports/",
          "QUARRY_ATHENA_OUTPUT",
          "s3://quarry-results/athena/",
          "QUARRY_ATHENA_WORKGROUP",
          "quarry",
          "QUARRY_ROLLBACK_FUNCTION_ARN",
          FUNCTION);

  /** The statements where "Resource": "*" is allowed: actions without a resource type. */
  static final List<String> STAR_SIDS = List.of("CreateJob", "ListJobs");

  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int quarry(Map<String, String> environment, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--state-dir", dir.resolve("state").toString()));
    CliContext context =
        new CliContext(environment, new PrintWriter(out, true), new PrintWriter(err, true), false);
    return QuarryCommand.execute(context, all.toArray(String[]::new));
  }

  private JsonNode policies(String playbook, String... more) throws Exception {
    List<String> args = new ArrayList<>(List.of("iam-policy", playbook, "--output", "json"));
    args.addAll(List.of(more));
    int code = quarry(FULL_PROFILE, args.toArray(String[]::new));
    assertThat(code).as(err.toString()).isZero();
    return Json.MAPPER.readTree(out.toString());
  }

  /** Sid to {actions, resources}, as sorted-insensitive lists, of one document. */
  private static Map<String, Statement> statements(JsonNode document) {
    assertThat(document.path("Version").asText()).isEqualTo("2012-10-17");
    Map<String, Statement> bySid = new LinkedHashMap<>();
    for (JsonNode s : document.path("Statement")) {
      assertThat(s.path("Sid").asText()).matches("[A-Za-z0-9]+");
      assertThat(s.path("Effect").asText()).isEqualTo("Allow");
      bySid.put(
          s.path("Sid").asText(),
          new Statement(texts(s.path("Action")), texts(s.path("Resource")), s.path("Condition")));
    }
    return bySid;
  }

  record Statement(List<String> actions, List<String> resources, JsonNode condition) {}

  private static List<String> texts(JsonNode array) {
    List<String> list = new ArrayList<>();
    array.forEach(n -> list.add(n.asText()));
    return list;
  }

  static Stream<String> examples() {
    return Stream.of(
        "playbooks/restore-rainy-training.yaml",
        "playbooks/reencrypt-to-kms.yaml",
        "playbooks/reencrypt-auto.yaml",
        "playbooks/rollback-deletes.yaml",
        "playbooks/hide-keys.yaml",
        "playbooks/restore-instance-amis.yaml",
        "playbooks/tag-untagged-logs.yaml",
        "playbooks/audit-deletes.yaml");
  }

  // ------------------------------------------------------------------ every example

  @ParameterizedTest
  @MethodSource("examples")
  void theOnlyStarResourcesAreTheActionsWithoutAResourceType(String playbook) throws Exception {
    // when
    JsonNode json = policies(playbook);

    // then
    for (String document : List.of("rolePolicy", "trustPolicy", "callerPolicy", "lambdaPolicy")) {
      if (!json.has(document)) {
        continue;
      }
      statements(json.get(document))
          .forEach(
              (sid, s) -> {
                if (STAR_SIDS.contains(sid)) {
                  assertThat(s.resources()).as(sid).containsExactly("*");
                } else {
                  // wildcards only as "everything under this bucket or prefix"
                  assertThat(s.resources())
                      .as(document + " " + sid)
                      .allMatch(r -> !r.contains("*") || r.endsWith("/*"));
                }
              });
    }
    assertThat(json.path("warnings")).isEmpty();
    assertThat(err.toString()).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("examples")
  void everyStatementSaysWhy(String playbook) throws Exception {
    // when
    JsonNode json = policies(playbook);

    // then
    JsonNode why = json.path("why");
    assertThat(fieldNames(why)).isNotEmpty();
    for (String document : fieldNames(why)) {
      assertThat(statements(json.get(document)).keySet())
          .containsExactlyElementsOf(fieldNames(why.get(document)));
      why.get(document).forEach(reason -> assertThat(reason.asText()).isNotBlank());
    }
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  // ------------------------------------------------------------------ each example

  @Test
  void restoreRainyTrainingRestoresOnItsBucketOnly() throws Exception {
    // when
    JsonNode json = policies("playbooks/restore-rainy-training.yaml");

    // then the role restores objects, reads the manifest, writes the report, and nothing else
    Map<String, Statement> role = statements(json.get("rolePolicy"));
    assertThat(role.keySet())
        .containsExactly(
            "OperationOnObjects", "ReadManifest", "WriteReport", "ReportBucketLocation");
    assertThat(role.get("OperationOnObjects").actions()).containsExactly("s3:RestoreObject");
    assertThat(role.get("OperationOnObjects").resources())
        .containsExactly("arn:aws:s3:::starwatcher/*");
    assertThat(role.get("ReadManifest").actions()).containsExactly("s3:GetObject");
    assertThat(role.get("ReadManifest").resources())
        .containsExactly("arn:aws:s3:::quarry-ops/manifests/*");
    assertThat(role.get("WriteReport").actions()).containsExactly("s3:PutObject");
    assertThat(role.get("WriteReport").resources())
        .containsExactly("arn:aws:s3:::quarry-ops/reports/*");
    assertThat(role.get("ReportBucketLocation").actions()).containsExactly("s3:GetBucketLocation");
    assertThat(role.get("ReportBucketLocation").resources())
        .containsExactly("arn:aws:s3:::quarry-ops");
    assertThat(json.has("lambdaPolicy")).isFalse();
    assertTrustPolicy(json);
    assertCallerSubmitsJobs(json);
  }

  @Test
  void tagUntaggedLogsTagsCurrentVersionsOnly() throws Exception {
    // when
    JsonNode json = policies("playbooks/tag-untagged-logs.yaml");

    // then its query returns no version_id, so no version action
    Map<String, Statement> role = statements(json.get("rolePolicy"));
    assertThat(role.keySet())
        .containsExactly(
            "OperationOnObjects", "ReadManifest", "WriteReport", "ReportBucketLocation");
    assertThat(role.get("OperationOnObjects").actions()).containsExactly("s3:PutObjectTagging");
    assertThat(role.get("OperationOnObjects").resources())
        .containsExactly("arn:aws:s3:::starwatcher/*");
    assertThat(json.has("lambdaPolicy")).isFalse();
    assertTrustPolicy(json);
    assertCallerSubmitsJobs(json);
  }

  @Test
  void restoreInstanceAmisNeedsTheSameAsAnyRestore() throws Exception {
    // when
    JsonNode json = policies("playbooks/restore-instance-amis.yaml");

    // then its manifest names versions, and RestoreObject covers them: no version action exists
    Map<String, Statement> role = statements(json.get("rolePolicy"));
    assertThat(role.get("OperationOnObjects").actions()).containsExactly("s3:RestoreObject");
    assertThat(role.get("OperationOnObjects").resources())
        .containsExactly("arn:aws:s3:::starwatcher/*");
    assertThat(json.path("why").path("rolePolicy").path("OperationOnObjects").asText())
        .contains("versions named in the manifest");
    assertTrustPolicy(json);
    assertCallerSubmitsJobs(json);
  }

  @Test
  void reencryptCopiesInPlaceWithItsKmsKeyAndNoVersionActions() throws Exception {
    // when
    JsonNode json = policies("playbooks/reencrypt-to-kms.yaml");

    // then
    Map<String, Statement> role = statements(json.get("rolePolicy"));
    assertThat(role.keySet())
        .containsExactly(
            "OperationOnObjects",
            "UseKmsKey",
            "ReadManifest",
            "WriteReport",
            "ReportBucketLocation");
    assertThat(role.get("OperationOnObjects").actions())
        .containsExactly(
            "s3:GetObject",
            "s3:GetObjectAcl",
            "s3:GetObjectTagging",
            "s3:PutObject",
            "s3:PutObjectAcl",
            "s3:PutObjectTagging");
    assertThat(role.get("OperationOnObjects").resources())
        .containsExactly("arn:aws:s3:::starwatcher/*");
    assertThat(role.get("UseKmsKey").actions())
        .containsExactly("kms:Decrypt", "kms:GenerateDataKey");
    // the playbook names the key by id; the policy names it by ARN in the profile's account
    assertThat(role.get("UseKmsKey").resources())
        .containsExactly(
            "arn:aws:kms:eu-west-1:111122223333:key/0f9a3c52-6f0e-4d1c-9d89-2d5a7e0b6a01");
    assertTrustPolicy(json);
    assertCallerSubmitsJobs(json);
  }

  @Test
  void reencryptAutoAlsoMayUpdateObjectEncryptionAndReEncryptWithItsKey() throws Exception {
    // when: a run of update-encryption and copy jobs, under one role
    JsonNode json = policies("playbooks/reencrypt-auto.yaml");

    // then: what the UpdateObjectEncryption API reference lists, beside the copy's
    Map<String, Statement> role = statements(json.get("rolePolicy"));
    assertThat(role.get("OperationOnObjects").actions())
        .containsExactly(
            "s3:GetObject",
            "s3:GetObjectAcl",
            "s3:GetObjectTagging",
            "s3:PutObject",
            "s3:PutObjectAcl",
            "s3:PutObjectTagging",
            "s3:UpdateObjectEncryption");
    assertThat(role.get("UseKmsKey").actions())
        .containsExactly("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncrypt*");
    assertThat(role.get("UseKmsKey").resources())
        .containsExactly(
            "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab");
  }

  @Test
  void rollbackDeletesOnlyInvokesTheFunctionWhoseRoleDeletesMarkers() throws Exception {
    // when
    JsonNode json = policies("playbooks/rollback-deletes.yaml");

    // then the job's role touches no object: it invokes the function from the profile
    Map<String, Statement> role = statements(json.get("rolePolicy"));
    assertThat(role.keySet())
        .containsExactly("InvokeFunction", "ReadManifest", "WriteReport", "ReportBucketLocation");
    assertThat(role.get("InvokeFunction").actions()).containsExactly("lambda:InvokeFunction");
    assertThat(role.get("InvokeFunction").resources()).containsExactly(FUNCTION);
    // and the function's own role lists versions and deletes only versions
    Map<String, Statement> lambda = statements(json.get("lambdaPolicy"));
    assertThat(lambda.keySet()).containsExactly("FunctionOnBuckets", "FunctionOnObjects");
    assertThat(lambda.get("FunctionOnBuckets").actions()).containsExactly("s3:ListBucketVersions");
    assertThat(lambda.get("FunctionOnBuckets").resources())
        .containsExactly("arn:aws:s3:::starwatcher");
    assertThat(lambda.get("FunctionOnObjects").actions()).containsExactly("s3:DeleteObjectVersion");
    assertThat(lambda.get("FunctionOnObjects").resources())
        .containsExactly("arn:aws:s3:::starwatcher/*");
    assertTrustPolicy(json);
    assertCallerSubmitsJobs(json);
  }

  @Test
  void hideKeysInvokesTheFunctionWhoseRoleAddsMarkersButDeletesNoVersion() throws Exception {
    // when
    JsonNode json = policies("playbooks/hide-keys.yaml");

    // then the job's role only invokes the profile's function
    Map<String, Statement> role = statements(json.get("rolePolicy"));
    assertThat(role.keySet())
        .containsExactly("InvokeFunction", "ReadManifest", "WriteReport", "ReportBucketLocation");
    assertThat(role.get("InvokeFunction").actions()).containsExactly("lambda:InvokeFunction");
    assertThat(role.get("InvokeFunction").resources()).containsExactly(FUNCTION);
    // and the function's role checks versioning and versions, adds markers, deletes no version
    Map<String, Statement> lambda = statements(json.get("lambdaPolicy"));
    assertThat(lambda.get("FunctionOnBuckets").actions())
        .containsExactlyInAnyOrder("s3:GetBucketVersioning", "s3:ListBucketVersions");
    assertThat(lambda.get("FunctionOnObjects").actions())
        .containsExactlyInAnyOrder("s3:DeleteObject", "s3:GetObject");
    assertThat(lambda.get("FunctionOnObjects").resources())
        .containsExactly("arn:aws:s3:::starwatcher/*");
  }

  @Test
  void aReportOnlyPlaybookNeedsTheCallersQueryPermissionsOnly() throws Exception {
    // when
    JsonNode json = policies("playbooks/audit-deletes.yaml");

    // then
    assertThat(json.has("rolePolicy")).isFalse();
    assertThat(json.has("trustPolicy")).isFalse();
    assertThat(json.has("lambdaPolicy")).isFalse();
    Map<String, Statement> caller = statements(json.get("callerPolicy"));
    assertThat(caller.keySet())
        .containsExactly(
            "RunAthenaQueries",
            "ReadMetadataCatalog",
            "ReadMetadataTables",
            "WriteAthenaResults",
            "ListAthenaResults",
            "AthenaResultsBucket",
            "ReadMetadataConfiguration");
    assertThat(caller.get("ReadMetadataCatalog").resources())
        .containsExactly(
            "arn:aws:glue:eu-west-1:111122223333:catalog",
            "arn:aws:glue:eu-west-1:111122223333:catalog/s3tablescatalog",
            "arn:aws:glue:eu-west-1:111122223333:catalog/s3tablescatalog/aws-s3",
            "arn:aws:glue:eu-west-1:111122223333:database/s3tablescatalog/aws-s3/b_starwatcher",
            "arn:aws:glue:eu-west-1:111122223333:table/s3tablescatalog/aws-s3/b_starwatcher/journal");
  }

  private static void assertTrustPolicy(JsonNode json) {
    JsonNode trust = json.get("trustPolicy");
    assertThat(trust.path("Version").asText()).isEqualTo("2012-10-17");
    assertThat(trust.path("Statement")).hasSize(1);
    JsonNode statement = trust.path("Statement").get(0);
    assertThat(statement.path("Principal").path("Service").asText())
        .isEqualTo("batchoperations.s3.amazonaws.com");
    assertThat(texts(statement.path("Action"))).containsExactly("sts:AssumeRole");
    assertThat(statement.has("Resource")).isFalse();
    // AWS documents the trust policy without a condition: only --source-account-condition adds it
    assertThat(statement.has("Condition")).isFalse();
  }

  private static void assertCallerSubmitsJobs(JsonNode json) {
    Map<String, Statement> caller = statements(json.get("callerPolicy"));
    assertThat(caller.keySet())
        .containsExactly(
            "RunAthenaQueries",
            "ReadMetadataCatalog",
            "ReadMetadataTables",
            "WriteAthenaResults",
            "ListAthenaResults",
            "AthenaResultsBucket",
            "ReadMetadataConfiguration",
            "UploadManifest",
            "ReadReport",
            "ListReport",
            "CreateJob",
            "TrackJobs",
            "ListJobs",
            "PassRoleToBatchOperations");
    assertThat(caller.get("RunAthenaQueries").actions())
        .containsExactly(
            "athena:GetQueryExecution",
            "athena:GetQueryResults",
            "athena:StartQueryExecution",
            "athena:StopQueryExecution");
    assertThat(caller.get("RunAthenaQueries").resources())
        .containsExactly("arn:aws:athena:eu-west-1:111122223333:workgroup/quarry");
    assertThat(caller.get("ReadMetadataTables").resources())
        .containsExactly(
            "arn:aws:s3tables:eu-west-1:111122223333:bucket/aws-s3",
            "arn:aws:s3tables:eu-west-1:111122223333:bucket/aws-s3/table/*");
    assertThat(caller.get("WriteAthenaResults").resources())
        .containsExactly("arn:aws:s3:::quarry-results/athena/*");
    assertThat(
            caller
                .get("ListAthenaResults")
                .condition()
                .path("StringLike")
                .path("s3:prefix")
                .asText())
        .isEqualTo("athena/*");
    assertThat(caller.get("ReadMetadataConfiguration").actions())
        .containsExactly("s3:GetBucketMetadataTableConfiguration");
    assertThat(caller.get("ReadMetadataConfiguration").resources())
        .containsExactly("arn:aws:s3:::starwatcher");
    // a manifest above the multipart threshold: a failed part aborts its upload
    assertThat(caller.get("UploadManifest").actions())
        .containsExactly("s3:AbortMultipartUpload", "s3:PutObject");
    assertThat(caller.get("UploadManifest").resources())
        .containsExactly("arn:aws:s3:::quarry-ops/manifests/*");
    assertThat(caller.get("ReadReport").resources())
        .containsExactly("arn:aws:s3:::quarry-ops/reports/*");
    assertThat(caller.get("ListReport").resources()).containsExactly("arn:aws:s3:::quarry-ops");
    assertThat(caller.get("ListReport").condition().path("StringLike").path("s3:prefix").asText())
        .isEqualTo("reports/*");
    assertThat(caller.get("CreateJob").actions()).containsExactly("s3:CreateJob");
    assertThat(caller.get("TrackJobs").actions())
        .containsExactly("s3:DescribeJob", "s3:UpdateJobStatus");
    assertThat(caller.get("TrackJobs").resources())
        .containsExactly("arn:aws:s3:eu-west-1:111122223333:job/*");
    assertThat(caller.get("ListJobs").actions()).containsExactly("s3:ListJobs");
    // PassRole: this one role, to Batch Operations only
    Statement passRole = caller.get("PassRoleToBatchOperations");
    assertThat(passRole.actions()).containsExactly("iam:PassRole");
    assertThat(passRole.resources()).containsExactly(ROLE);
    assertThat(passRole.condition().path("StringEquals").path("iam:PassedToService").asText())
        .isEqualTo("batchoperations.s3.amazonaws.com");
    assertThat(fieldNames(passRole.condition())).containsExactly("StringEquals");
  }

  // ------------------------------------------------------------------ versions

  private Path putTags(String select) throws Exception {
    return Files.writeString(
        dir.resolve("tag.yaml"),
        """
        name: tag
        query: |
          %s
          FROM "s3tablescatalog/aws-s3"."b_photos"."inventory"
        action:
          type: put-tags
          tags: { reviewed: "yes" }
        """
            .formatted(select));
  }

  @Test
  void versionActionsOnlyWhenTheQueryReturnsVersionIds() throws Exception {
    // given
    Path keys = putTags("SELECT bucket, key");

    // when
    List<String> plain =
        statements(policies(keys.toString()).get("rolePolicy")).get("OperationOnObjects").actions();
    out.getBuffer().setLength(0);
    Path versions = putTags("SELECT bucket, key, version_id");
    List<String> versioned =
        statements(policies(versions.toString()).get("rolePolicy"))
            .get("OperationOnObjects")
            .actions();

    // then
    assertThat(plain).containsExactly("s3:PutObjectTagging");
    assertThat(versioned).containsExactly("s3:PutObjectTagging", "s3:PutObjectVersionTagging");
  }

  @Test
  void aStarSelectAllowsTheVersionActionsAndSaysSo() throws Exception {
    // given
    Path star = putTags("SELECT *");

    // when
    JsonNode json = policies(star.toString());

    // then
    assertThat(statements(json.get("rolePolicy")).get("OperationOnObjects").actions())
        .contains("s3:PutObjectVersionTagging");
    assertThat(json.path("warnings").toString()).contains("version_id");
    assertThat(err.toString()).contains("quarry: warning:").contains("version_id");
  }

  // ------------------------------------------------------------------ missing settings

  @Test
  void withoutAnAccountIdPlaceholdersAndAWarningNeverAStar() throws Exception {
    // given a profile without account, role or locations
    Map<String, String> environment = Map.of("QUARRY_REGION", REGION);

    // when
    int code =
        quarry(
            environment, "iam-policy", "playbooks/restore-rainy-training.yaml", "--output", "json");

    // then
    assertThat(code).isZero();
    JsonNode json = Json.MAPPER.readTree(out.toString());
    Map<String, Statement> caller = statements(json.get("callerPolicy"));
    assertThat(caller.get("RunAthenaQueries").resources())
        .containsExactly("arn:aws:athena:eu-west-1:<account-id>:workgroup/primary");
    assertThat(caller.get("PassRoleToBatchOperations").resources())
        .containsExactly("arn:aws:iam::<account-id>:role/<batch-operations-role>");
    assertThat(caller.get("TrackJobs").resources())
        .containsExactly("arn:aws:s3:eu-west-1:<account-id>:job/*");
    assertThat(statements(json.get("rolePolicy")).get("ReadManifest").resources())
        .containsExactly("arn:aws:s3:::<manifest-bucket>/<manifest-prefix>/*");
    caller.forEach(
        (sid, s) -> {
          if (!STAR_SIDS.contains(sid)) {
            assertThat(s.resources()).as(sid).doesNotContain("*");
          }
        });
    String warning = err.toString();
    assertThat(warning.lines()).hasSize(1);
    assertThat(warning)
        .startsWith("quarry: warning: placeholders")
        .contains("account-id", "role-arn", "manifest-location", "report-location", "athena-output")
        .contains("--account-id");
    assertThat(json.path("warnings").get(0).asText()).contains("account-id");
  }

  @Test
  void flagsOverrideTheProfile() throws Exception {
    // when
    JsonNode json =
        policies(
            "playbooks/restore-rainy-training.yaml",
            "--account-id",
            "444455556666",
            "--role-arn",
            "arn:aws:iam::444455556666:role/other",
            "--bucket",
            "photos",
            "--bucket",
            "logs");

    // then
    Map<String, Statement> caller = statements(json.get("callerPolicy"));
    assertThat(caller.get("PassRoleToBatchOperations").resources())
        .containsExactly("arn:aws:iam::444455556666:role/other");
    assertThat(caller.get("TrackJobs").resources())
        .containsExactly("arn:aws:s3:eu-west-1:444455556666:job/*");
    assertThat(statements(json.get("rolePolicy")).get("OperationOnObjects").resources())
        .containsExactly("arn:aws:s3:::photos/*", "arn:aws:s3:::logs/*");
  }

  @Test
  void sourceAccountConditionOnlyWhenAskedFor() throws Exception {
    // when
    JsonNode json = policies("playbooks/restore-rainy-training.yaml", "--source-account-condition");

    // then
    JsonNode condition = json.path("trustPolicy").path("Statement").get(0).path("Condition");
    assertThat(condition.path("StringEquals").path("aws:SourceAccount").asText())
        .isEqualTo(ACCOUNT);
  }

  // ------------------------------------------------------------------ user errors

  @Test
  void aBadPlaybookGivesFileAndLineProblems() throws Exception {
    // given
    Path bad =
        Files.writeString(
            dir.resolve("bad.yaml"),
            """
            name: bad
            query: SELECT bucket, key FROM "s3tablescatalog/aws-s3"."b_photos"."inventory"
            action:
              type: restore
              tier: EXPEDITED
            """);

    // when
    int code = quarry(FULL_PROFILE, "iam-policy", bad.toString());

    // then
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains(bad + ":5").contains("action.tier");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void noBucketToBeFoundIsAUserErrorNamingTheFlag() throws Exception {
    // given a query over a table iam-policy cannot place
    Path file =
        Files.writeString(
            dir.resolve("plain.yaml"),
            """
            name: plain
            query: SELECT bucket, key FROM inventory
            action:
              type: delete-tags
            """);

    // when
    int code = quarry(FULL_PROFILE, "iam-policy", file.toString());
    int withFlag = quarry(FULL_PROFILE, "iam-policy", file.toString(), "--bucket", "photos");

    // then
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("--bucket").contains("b_<bucket>");
    assertThat(withFlag).isZero();
    assertThat(out.toString()).contains("arn:aws:s3:::photos/*");
  }

  @Test
  void aPlaybookThatNamesItsBucketActsOnThatBucket() throws Exception {
    // given plain table names, resolved on Athena through the bucket's metadata configuration
    Path file =
        Files.writeString(
            dir.resolve("named.yaml"),
            """
            name: named
            bucket: photos
            query: SELECT bucket, key FROM inventory
            action:
              type: delete-tags
            """);

    // when
    int code = quarry(FULL_PROFILE, "iam-policy", file.toString());

    // then
    assertThat(code).isZero();
    assertThat(out.toString()).contains("arn:aws:s3:::photos/*");
  }

  @Test
  void aPlainTableNameTakesTheProfilesDatabase() throws Exception {
    // given
    Path file =
        Files.writeString(
            dir.resolve("plain.yaml"),
            """
            name: plain
            query: SELECT bucket, key FROM inventory
            action:
              type: delete-tags
            """);
    Map<String, String> environment = new HashMap<>(FULL_PROFILE);
    environment.put("QUARRY_ATHENA_DATABASE", "b_photos");

    // when
    int code = quarry(environment, "iam-policy", file.toString(), "--output", "json");

    // then
    assertThat(code).as(err.toString()).isZero();
    JsonNode json = Json.MAPPER.readTree(out.toString());
    assertThat(statements(json.get("rolePolicy")).get("OperationOnObjects").resources())
        .containsExactly("arn:aws:s3:::photos/*");
  }

  @Test
  void badFlagsAreUserErrors() {
    assertThat(
            quarry(
                FULL_PROFILE,
                "iam-policy",
                "playbooks/restore-rainy-training.yaml",
                "--account-id",
                "12"))
        .isEqualTo(2);
    assertThat(
            quarry(
                FULL_PROFILE,
                "iam-policy",
                "playbooks/restore-rainy-training.yaml",
                "--role-arn",
                "quarry-role"))
        .isEqualTo(2);
    assertThat(
            quarry(
                FULL_PROFILE,
                "iam-policy",
                "playbooks/restore-rainy-training.yaml",
                "--bucket",
                "Not_A_Bucket"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("--account-id", "--role-arn", "--bucket");
  }

  @Test
  void textOutputHasAHeadingAndAReasonPerStatement() {
    // when
    int code = quarry(FULL_PROFILE, "iam-policy", "playbooks/rollback-deletes.yaml");

    // then
    assertThat(code).isZero();
    assertThat(out.toString())
        .contains("== Batch Operations role: permissions policy")
        .contains("== Batch Operations role: trust policy")
        .contains("== Caller policy")
        .contains("== Rollback Lambda")
        .contains("  PassRoleToBatchOperations: ")
        .contains("  FunctionOnObjects: ");
  }

  @ParameterizedTest
  @MethodSource("partitions")
  void everyArnIsInTheRegionsPartition(String region, String partition) throws Exception {
    // given a profile in the region, with its role and function in the same partition
    Map<String, String> profile = new HashMap<>(FULL_PROFILE);
    profile.put("QUARRY_REGION", region);
    profile.put("QUARRY_ROLE_ARN", ROLE.replace("arn:aws:", "arn:" + partition + ":"));
    profile.put(
        "QUARRY_ROLLBACK_FUNCTION_ARN",
        FUNCTION.replace("arn:aws:", "arn:" + partition + ":").replace(REGION, region));

    for (String playbook :
        List.of("playbooks/rollback-deletes.yaml", "playbooks/restore-rainy-training.yaml")) {
      // when
      out.getBuffer().setLength(0);
      int code = quarry(profile, "iam-policy", playbook, "--output", "json");

      // then every ARN the policies name, resources and the passed role alike, is in it
      assertThat(code).as(err.toString()).isZero();
      List<String> arns = new ArrayList<>();
      collectArns(Json.MAPPER.readTree(out.toString()), arns);
      assertThat(arns).as(playbook).isNotEmpty();
      assertThat(arns).as(playbook).allMatch(a -> a.startsWith("arn:" + partition + ":"));
      assertThat(arns).as(playbook).anyMatch(a -> a.startsWith("arn:" + partition + ":s3:::"));
    }
  }

  static Stream<org.junit.jupiter.params.provider.Arguments> partitions() {
    return Stream.of(
        org.junit.jupiter.params.provider.Arguments.of("cn-north-1", "aws-cn"),
        org.junit.jupiter.params.provider.Arguments.of("us-gov-west-1", "aws-us-gov"),
        org.junit.jupiter.params.provider.Arguments.of("eu-west-1", "aws"));
  }

  private static void collectArns(JsonNode node, List<String> arns) {
    if (node.isTextual() && node.asText().startsWith("arn:")) {
      arns.add(node.asText());
    }
    node.forEach(child -> collectArns(child, arns));
  }
}
