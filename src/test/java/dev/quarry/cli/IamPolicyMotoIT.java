package dev.quarry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.sandbox.LocalS3Server;
import dev.quarry.testing.S3Servers;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.MalformedPolicyDocumentException;

/**
 * The policies {@code quarry iam-policy} prints pass IAM's grammar checks as moto implements them
 * (the MalformedPolicyDocument checks of CreateRole, PutRolePolicy and CreatePolicy): a real peer,
 * not a validator of our own.
 */
class IamPolicyMotoIT {
  private static IamClient iam;

  @TempDir Path dir;

  @BeforeAll
  static void client() {
    LocalS3Server moto = S3Servers.moto();
    iam =
        IamClient.builder()
            .endpointOverride(moto.endpoint())
            .region(Region.AWS_GLOBAL)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
            .build();
  }

  @AfterAll
  static void close() {
    iam.close();
  }

  static Stream<String> examples() {
    return IamPolicyCommandTest.examples();
  }

  private JsonNode policies(String playbook) throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        QuarryCommand.execute(
            new CliContext(
                IamPolicyCommandTest.FULL_PROFILE,
                new PrintWriter(out, true),
                new PrintWriter(err, true),
                false),
            "iam-policy",
            playbook,
            "--output",
            "json",
            "--state-dir",
            dir.resolve("state").toString());
    assertThat(code).as(err.toString()).isZero();
    return Json.MAPPER.readTree(out.toString());
  }

  @ParameterizedTest
  @MethodSource("examples")
  void everyPolicyIsAcceptedByIam(String playbook) throws Exception {
    // given
    JsonNode json = policies(playbook);
    String name = "quarry-" + UUID.randomUUID().toString().substring(0, 8);

    // when / then: the caller's as a managed policy, the others on a role
    iam.createPolicy(
        b -> b.policyName(name + "-caller").policyDocument(withoutJobArns(json).toString()));
    if (json.has("trustPolicy")) {
      iam.createRole(
          b -> b.roleName(name).assumeRolePolicyDocument(json.get("trustPolicy").toString()));
      iam.putRolePolicy(
          b ->
              b.roleName(name)
                  .policyName("batch-operations")
                  .policyDocument(json.get("rolePolicy").toString()));
    }
    if (json.has("lambdaPolicy")) {
      iam.putRolePolicy(
          b ->
              b.roleName(name)
                  .policyName("rollback-lambda")
                  .policyDocument(json.get("lambdaPolicy").toString()));
    }
  }

  /**
   * The caller policy without its TrackJobs statement. moto 5.2.1 refuses a Region in any s3 ARN
   * but an access point's, while the Service Authorization Reference defines the job resource as
   * {@code arn:${Partition}:s3:${Region}:${Account}:job/${JobId}}; {@link #motoStillRefusesJobArns}
   * watches that gap.
   */
  private static JsonNode withoutJobArns(JsonNode json) {
    com.fasterxml.jackson.databind.node.ObjectNode caller = json.get("callerPolicy").deepCopy();
    var statements = (com.fasterxml.jackson.databind.node.ArrayNode) caller.get("Statement");
    for (int i = statements.size() - 1; i >= 0; i--) {
      if (statements.get(i).path("Sid").asText().equals("TrackJobs")) {
        statements.remove(i);
      }
    }
    return caller;
  }

  @Test
  void motoStillRefusesJobArns() throws Exception {
    // given
    JsonNode caller = policies("playbooks/restore-rainy-training.yaml").get("callerPolicy");

    // when
    Throwable thrown =
        catchThrowable(
            () -> iam.createPolicy(b -> b.policyName("jobs").policyDocument(caller.toString())));

    // then only the job ARN is refused, for its Region: when moto accepts it, drop the filter
    assertThat(thrown)
        .isInstanceOf(MalformedPolicyDocumentException.class)
        .hasMessageContaining("job/* can not contain region information");
  }

  @Test
  void motoRefusesAMalformedPolicy() {
    // given a statement whose resource is not an ARN: the check these tests rely on is on
    String malformed =
        """
        {"Version": "2012-10-17", "Statement": [{"Sid": "Bad", "Effect": "Allow",
          "Action": ["s3:GetObject"], "Resource": ["starwatcher/*"]}]}
        """;

    // when
    Throwable thrown =
        catchThrowable(
            () -> iam.createPolicy(b -> b.policyName("malformed").policyDocument(malformed)));

    // then
    assertThat(thrown).isInstanceOf(MalformedPolicyDocumentException.class);
  }
}
