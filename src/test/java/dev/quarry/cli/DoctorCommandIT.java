package dev.quarry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.sandbox.LocalS3Server;
import dev.quarry.sandbox.control.S3ControlEndpoint;
import dev.quarry.testing.MetadataConfigurationServer;
import dev.quarry.testing.S3Servers;
import dev.quarry.testing.TestWarehouse;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code quarry doctor} against real peers: moto (S3, STS, Athena workgroups) for AWS profiles,
 * S3Mock for a local one, a closed loopback port for an unreachable endpoint.
 */
class DoctorCommandIT {
  /** The account moto's STS answers GetCallerIdentity with. */
  private static final String MOTO_ACCOUNT = "123456789012";

  private final LocalS3Server moto = S3Servers.moto();
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  @TempDir Path dir;
  private String results;

  @BeforeEach
  void setUp() {
    results = S3Servers.newBucketName("doctor-results");
    try (S3Client s3 = S3Servers.client(moto)) {
      s3.createBucket(b -> b.bucket(results));
    }
  }

  private Map<String, String> athenaProfile(String endpoint) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("QUARRY_ENGINE", "athena");
    env.put("QUARRY_S3_ENDPOINT", endpoint);
    env.put("QUARRY_REGION", "us-east-1");
    env.put("QUARRY_ATHENA_OUTPUT", "s3://" + results + "/quarry/");
    env.put("QUARRY_ACCOUNT_ID", MOTO_ACCOUNT);
    env.put("QUARRY_STATE_DIR", dir.resolve("state").toString());
    return env;
  }

  private int doctor(Map<String, String> env, String... args) {
    CliContext context =
        new CliContext(env, new PrintWriter(out, true), new PrintWriter(err, true), false);
    String[] all = new String[args.length + 1];
    all[0] = "doctor";
    System.arraycopy(args, 0, all, 1, args.length);
    return QuarryCommand.execute(context, all);
  }

  private Map<String, JsonNode> checks() throws IOException {
    Map<String, JsonNode> byName = new LinkedHashMap<>();
    new ObjectMapper()
        .readTree(out.toString())
        .path("checks")
        .forEach(c -> byName.put(c.path("name").asText(), c));
    return byName;
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Test
  void aHealthyAthenaProfilePassesEveryCheckThatApplies() throws Exception {
    // when
    int code = doctor(athenaProfile(moto.endpoint().toString()), "-o", "json");

    // then
    assertThat(code).as(out.toString()).isZero();
    Map<String, JsonNode> checks = checks();
    assertThat(checks.keySet())
        .containsExactly(
            "profile",
            "region",
            "credentials",
            "identity",
            "s3 endpoint",
            "bucket " + results,
            "athena workgroup",
            "s3 control");
    assertThat(checks.get("identity").path("status").asText()).isEqualTo("ok");
    assertThat(checks.get("identity").path("detail").asText())
        .contains("account " + MOTO_ACCOUNT)
        .contains("as account-id says");
    assertThat(checks.get("bucket " + results).path("detail").asText())
        .startsWith("(athena-output) exists");
    assertThat(checks.get("athena workgroup").path("detail").asText())
        .startsWith("primary is ENABLED; results in s3://" + results + "/quarry/");
    assertThat(checks.get("s3 control").path("status").asText()).isEqualTo("skip");
    assertThat(checks.values())
        .allSatisfy(
            c -> {
              assertThat(c.fieldNames()).toIterable().containsExactly("name", "status", "detail");
              assertThat(c.path("status").asText()).isIn("ok", "warn", "skip");
            });
  }

  @Test
  void aMissingBucketAndAWrongAccountFailWithWhatToDo() throws Exception {
    // given
    Map<String, String> env = new HashMap<>(athenaProfile(moto.endpoint().toString()));
    env.put("QUARRY_ATHENA_OUTPUT", "s3://no-such-results-bucket/quarry/");
    env.put("QUARRY_ACCOUNT_ID", "111122223333");

    // when
    int code = doctor(env);

    // then
    assertThat(code).isEqualTo(3);
    assertThat(out.toString())
        .contains(
            "✗ bucket no-such-results-bucket  (athena-output) does not exist: create it or fix"
                + " athena-output in the profile")
        .contains("(account " + MOTO_ACCOUNT + "), but the profile's account-id is 111122223333")
        .contains("✓ s3 endpoint")
        .containsPattern("\\d+ checks: 2 failed");
  }

  @Test
  void anUnreachableEndpointFailsEveryCheckThatNeedsItAndNoMore() throws Exception {
    // given
    Map<String, String> env = athenaProfile("http://127.0.0.1:" + closedPort());

    // when
    int code = doctor(env, "-o", "json", "--timeout", "5");

    // then
    assertThat(code).isEqualTo(3);
    Map<String, JsonNode> checks = checks();
    assertThat(checks.get("s3 endpoint").path("status").asText()).isEqualTo("fail");
    assertThat(checks.get("s3 endpoint").path("detail").asText())
        .startsWith("cannot reach http://127.0.0.1:");
    assertThat(checks.get("identity").path("status").asText()).isEqualTo("fail");
    assertThat(checks.get("athena workgroup").path("detail").asText())
        .startsWith("cannot reach Athena");
    assertThat(checks.get("profile").path("status").asText()).isEqualTo("ok");
    assertThat(checks.get("credentials").path("status").asText()).isEqualTo("ok");
  }

  @Test
  void anS3ControlProfileNeedsItsSettingsAndAReachableControlEndpoint() throws Exception {
    // given: no local S3 Control endpoint answers on this port
    Map<String, String> env = athenaProfile(moto.endpoint().toString());
    env = new HashMap<>(env);
    env.put("QUARRY_EXECUTOR", "s3control");
    env.put("QUARRY_S3CONTROL_ENDPOINT", "http://127.0.0.1:" + closedPort());

    // when
    int code = doctor(env, "-o", "json", "--timeout", "5");

    // then
    assertThat(code).isEqualTo(3);
    Map<String, JsonNode> checks = checks();
    assertThat(checks.get("profile").path("detail").asText())
        .endsWith(
            "executor s3control needs role-arn, manifest-location, report-location: set them in"
                + " the profile of quarry.yaml");
    assertThat(checks.get("s3 control").path("status").asText()).isEqualTo("fail");
    assertThat(checks.get("s3 control").path("detail").asText())
        .startsWith("cannot reach http://127.0.0.1:")
        .endsWith("; check s3control-endpoint");
  }

  @Test
  void aCompleteS3ControlProfileAnswersListJobsOnTheLocalControlEndpoint() throws Exception {
    // given: the sandbox's S3 Control endpoint, its jobs run against moto
    Map<String, String> env = new HashMap<>(athenaProfile(moto.endpoint().toString()));
    env.put("QUARRY_EXECUTOR", "s3control");
    env.put("QUARRY_ROLE_ARN", "arn:aws:iam::" + MOTO_ACCOUNT + ":role/quarry-batch");
    env.put("QUARRY_MANIFEST_LOCATION", "s3://" + results + "/manifests/");
    env.put("QUARRY_REPORT_LOCATION", "s3://" + results + "/reports/");
    try (S3ControlEndpoint control =
        S3ControlEndpoint.start(S3Servers.config(moto, dir.resolve("control")), 0)) {
      env.put("QUARRY_S3CONTROL_ENDPOINT", control.uri().toString());

      // when
      int code = doctor(env, "-o", "json");

      // then
      assertThat(code).as(out.toString()).isZero();
      Map<String, JsonNode> checks = checks();
      assertThat(checks.get("profile").path("status").asText()).isEqualTo("ok");
      assertThat(checks.get("s3 control").path("status").asText()).isEqualTo("ok");
      assertThat(checks.get("s3 control").path("detail").asText())
          .isEqualTo(
              control.uri()
                  + " answers ListJobs for account "
                  + MOTO_ACCOUNT
                  + " (no recent jobs)");
      assertThat(checks.get("bucket " + results).path("detail").asText())
          .startsWith("(manifest-location, report-location, athena-output) exists");
    }
  }

  @Test
  void theMetadataOfABucketComesFromItsConfiguration() throws Exception {
    // given: recorded GetBucketMetadataConfiguration answers, everything else from moto
    try (MetadataConfigurationServer s3 =
        MetadataConfigurationServer.forwardingTo(moto.endpoint())) {
      s3.answer("photos", MetadataConfigurationServer.v2("b_photos", "ENABLED", "BACKFILLING"))
          .answer("plain", MetadataConfigurationServer.notConfigured());

      // when
      int code =
          doctor(
              athenaProfile(s3.endpoint().toString()),
              "-o",
              "json",
              "--bucket",
              "photos",
              "--bucket",
              "plain");

      // then
      assertThat(code).isEqualTo(3);
      Map<String, JsonNode> checks = checks();
      assertThat(checks.get("metadata photos").path("status").asText()).isEqualTo("warn");
      assertThat(checks.get("metadata photos").path("detail").asText())
          .startsWith(
              "s3tablescatalog/aws-s3.b_photos (aws): journal ACTIVE, inventory BACKFILLING");
      assertThat(checks.get("metadata plain").path("status").asText()).isEqualTo("fail");
      assertThat(checks.get("metadata plain").path("detail").asText())
          .startsWith("bucket plain has no S3 Metadata configuration");
    }
  }

  @Test
  void aLocalProfileChecksTheEndpointAndTheWarehouse() throws Exception {
    // given
    LocalS3Server s3mock = S3Servers.s3mock();
    Path state = dir.resolve("local");
    try (TestWarehouse warehouse = new TestWarehouse(state.resolve("warehouse"))) {
      warehouse.inventory(
          "b_logs",
          "SELECT 'logs' AS bucket, 'a' AS key, 'v1' AS version_id, '1' AS sequence_number");
    }
    Map<String, String> env =
        Map.of(
            "QUARRY_S3_ENDPOINT",
            s3mock.endpoint().toString(),
            "QUARRY_STATE_DIR",
            state.toString());

    // when
    int code = doctor(env, "--bucket", "logs", "--bucket", "other");

    // then
    assertThat(code).isEqualTo(3);
    assertThat(out.toString())
        .contains("✓ s3 endpoint")
        .contains("- identity")
        .contains("a local profile needs no AWS identity")
        .contains("✓ metadata logs")
        .contains("✗ metadata other")
        .contains("quarry metadata refresh --bucket other");
  }
}
