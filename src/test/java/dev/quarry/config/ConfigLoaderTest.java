package dev.quarry.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.error.ErrorKind;
import dev.quarry.error.QuarryException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir Path dir;

  private Path configFile() throws Exception {
    return Files.writeString(
        dir.resolve("quarry.yaml"),
        """
        default-profile: local
        profiles:
          local:
            s3-endpoint: http://127.0.0.1:9090
            state-dir: /var/quarry
          prod:
            engine: athena
            executor: s3control
            region: eu-west-1
        """);
  }

  /**
   * An environment naming a configuration file that does not exist (a quarry.yaml in the working
   * directory must not leak into these tests).
   */
  private Map<String, String> noFile() {
    return Map.of("QUARRY_CONFIG", dir.resolve("absent.yaml").toString());
  }

  private static ConfigLoader.Flags flags(Path config, String profile, String endpoint) {
    return new ConfigLoader.Flags(config, profile, endpoint, null);
  }

  @Test
  void theDefaultProfileOfTheFileApplies() throws Exception {
    // when
    QuarryConfig config = new ConfigLoader(Map.of()).load(flags(configFile(), null, null));

    // then
    assertThat(config.profile()).isEqualTo("local");
    assertThat(config.s3Endpoint()).contains(URI.create("http://127.0.0.1:9090"));
    assertThat(config.stateDir()).isEqualTo(Path.of("/var/quarry"));
    assertThat(config.engine()).isEqualTo("embedded");
    assertThat(config.region()).isEqualTo("us-east-1");
  }

  @Test
  void aFlagBeatsTheEnvironmentWhichBeatsTheProfile() throws Exception {
    // given
    Path file = configFile();
    Map<String, String> env = Map.of("QUARRY_S3_ENDPOINT", "http://127.0.0.1:7000");

    // when
    QuarryConfig fromEnv = new ConfigLoader(env).load(flags(file, null, null));
    QuarryConfig fromFlag = new ConfigLoader(env).load(flags(file, null, "http://127.0.0.1:8000"));

    // then
    assertThat(fromEnv.s3Endpoint()).contains(URI.create("http://127.0.0.1:7000"));
    assertThat(fromFlag.s3Endpoint()).contains(URI.create("http://127.0.0.1:8000"));
  }

  @Test
  void aProfileIsChosenByFlagOrEnvironment() throws Exception {
    // when
    QuarryConfig config =
        new ConfigLoader(Map.of("QUARRY_PROFILE", "prod")).load(flags(configFile(), null, null));

    // then
    assertThat(config.engine()).isEqualTo("athena");
    assertThat(config.executor()).isEqualTo("s3control");
    assertThat(config.region()).isEqualTo("eu-west-1");
    assertThat(config.s3Endpoint()).isEmpty();
  }

  @Test
  void anUnknownProfileListsTheValidOnes() throws Exception {
    Path file = configFile();
    assertThatThrownBy(() -> new ConfigLoader(Map.of()).load(flags(file, "staging", null)))
        .isInstanceOf(QuarryException.class)
        .hasMessage(file + ": unknown profile 'staging'; valid: local, prod");
  }

  @Test
  void anUnknownSettingIsNamedWithTheValidOnes() throws Exception {
    // given
    Path file =
        Files.writeString(dir.resolve("typo.yaml"), "profiles:\n  local:\n    s3-endpont: x\n");

    // when / then
    assertThatThrownBy(() -> new ConfigLoader(Map.of()).load(flags(file, null, null)))
        .hasMessageStartingWith(file + ": profiles.local.s3-endpont: unknown setting; valid: ")
        .hasMessageContaining("s3-endpoint");
  }

  @Test
  void aConfigurationThatIsNoFileOrTooLargeIsRefusedBeforeItIsRead() throws Exception {
    // given: a sparse 1.5 GB quarry.yaml
    Path huge = Files.createTempFile("quarry", ".yaml");
    try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
      file.setLength(1536L << 20);
    }
    try {
      // when / then
      assertThatThrownBy(() -> new ConfigLoader(Map.of()).load(flags(huge, null, null)))
          .isInstanceOfSatisfying(
              QuarryException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.USER))
          .hasMessage(
              huge
                  + ": too large: 1610612736 bytes, and a configuration file has at most 1048576"
                  + " bytes");
      assertThatThrownBy(
              () -> new ConfigLoader(Map.of()).load(flags(Path.of("/dev/zero"), null, null)))
          .isInstanceOf(QuarryException.class)
          .hasMessageStartingWith("/dev/zero: not a regular file");
    } finally {
      Files.delete(huge);
    }
  }

  @Test
  void theEmbeddedEnginesBoundsHaveDefaultsAProfileOrTheEnvironmentRaises() throws Exception {
    // given
    Path file =
        Files.writeString(
            dir.resolve("bounds.yaml"),
            """
            profiles:
              big: { duckdb-memory-limit: 8GB, duckdb-max-temp-size: 50GiB }
              bad: { duckdb-memory-limit: lots }
            """);

    // when
    QuarryConfig defaults = new ConfigLoader(noFile()).load(flags(null, null, null));
    QuarryConfig big = new ConfigLoader(Map.of()).load(flags(file, "big", null));
    QuarryConfig fromEnv =
        new ConfigLoader(Map.of("QUARRY_DUCKDB_MAX_TEMP_SIZE", "1TB"))
            .load(flags(file, "big", null));

    // then
    assertThat(defaults.embedded()).isEqualTo(new QuarryConfig.Embedded("2GB", "10GB"));
    assertThat(defaults.spillDir()).isEqualTo(Path.of(".quarry", "tmp", "duckdb"));
    assertThat(big.embedded()).isEqualTo(new QuarryConfig.Embedded("8GB", "50GiB"));
    assertThat(fromEnv.embedded().maxTempSize()).isEqualTo("1TB");
    assertThatThrownBy(() -> new ConfigLoader(Map.of()).load(flags(file, "bad", null)))
        .isInstanceOf(QuarryException.class)
        .hasMessage(
            file
                + ": profiles.bad.duckdb-memory-limit: 'lots' is not a size such as 2GB or 512MiB");
  }

  @Test
  void aMalformedEndpointIsAUserError() {
    assertThatThrownBy(() -> new ConfigLoader(noFile()).load(flags(null, null, "localhost")))
        .isInstanceOf(QuarryException.class)
        .hasMessageContaining("is not a URL such as http://127.0.0.1:9090");
  }

  @Test
  void withoutAFileEverythingHasItsDefault() {
    // when
    QuarryConfig config =
        new ConfigLoader(noFile()).load(new ConfigLoader.Flags(null, null, null, null));

    // then
    assertThat(config.stateDir()).isEqualTo(Path.of(".quarry"));
    assertThat(config.manifestsDir()).isEqualTo(Path.of("manifests"));
    assertThat(config.s3Endpoint()).isEmpty();
    assertThat(config.credentials()).isEmpty();
  }

  @Test
  void athenaSettingsComeFromTheProfileOrTheEnvironment() throws Exception {
    // given
    Path file =
        Files.writeString(
            dir.resolve("athena.yaml"),
            """
            profiles:
              prod:
                engine: athena
                athena-workgroup: quarry
                athena-output: s3://results/athena
                athena-catalog: s3tablescatalog/aws-s3
                athena-database: b_starwatcher
            """);
    Map<String, String> env = Map.of("QUARRY_ATHENA_WORKGROUP", "night");

    // when
    QuarryConfig fromFile = new ConfigLoader(Map.of()).load(flags(file, "prod", null));
    QuarryConfig fromEnv = new ConfigLoader(env).load(flags(file, "prod", null));

    // then
    assertThat(fromFile.athena())
        .isEqualTo(
            new QuarryConfig.Athena(
                Optional.of("quarry"),
                Optional.of("s3://results/athena/"),
                Optional.of("s3tablescatalog/aws-s3"),
                Optional.of("b_starwatcher")));
    assertThat(fromEnv.athena().workgroup()).contains("night");
  }

  @Test
  void athenaSettingsAreOptional() throws Exception {
    // when
    QuarryConfig config = new ConfigLoader(Map.of()).load(flags(configFile(), "prod", null));

    // then
    assertThat(config.athena()).isEqualTo(QuarryConfig.Athena.NONE);
  }

  @Test
  void anAthenaOutputThatIsNotAnS3LocationIsAUserError() throws Exception {
    // given
    Path file =
        Files.writeString(
            dir.resolve("bad.yaml"), "profiles:\n  prod:\n    athena-output: results/athena\n");

    // when / then
    assertThatThrownBy(() -> new ConfigLoader(Map.of()).load(flags(file, "prod", null)))
        .isInstanceOf(QuarryException.class)
        .hasMessage(
            "athena-output 'results/athena' is not an S3 location such as s3://my-results/athena/");
  }

  @Test
  void awsJobSettingsComeFromTheProfile() throws Exception {
    // given
    Path file =
        Files.writeString(
            dir.resolve("aws.yaml"),
            """
            profiles:
              prod:
                executor: s3control
                account-id: "111122223333"
                aws-profile: prod-admin
                role-arn: arn:aws:iam::111122223333:role/quarry-batch
                manifest-location: s3://quarry-jobs/manifests
                report-location: s3://quarry-jobs/reports/
                s3control-endpoint: http://127.0.0.1:9091
                rollback-function-arn: arn:aws:lambda:eu-west-1:111122223333:function:rollback
            """);

    // when
    QuarryConfig config = new ConfigLoader(Map.of()).load(flags(file, "prod", null));

    // then
    QuarryConfig.Aws aws = config.aws();
    assertThat(aws.accountId()).contains("111122223333");
    assertThat(aws.awsProfile()).contains("prod-admin");
    assertThat(aws.roleArn()).contains("arn:aws:iam::111122223333:role/quarry-batch");
    assertThat(aws.manifestLocation())
        .contains(new QuarryConfig.S3Uri("quarry-jobs", "manifests/"));
    assertThat(aws.reportLocation().orElseThrow().bucketArn())
        .isEqualTo("arn:aws:s3:::quarry-jobs");
    assertThat(aws.reportLocation().orElseThrow().prefix()).isEqualTo("reports/");
    assertThat(aws.s3ControlEndpoint()).contains(URI.create("http://127.0.0.1:9091"));
    assertThat(aws.rollbackFunctionArn())
        .contains("arn:aws:lambda:eu-west-1:111122223333:function:rollback");
  }

  @Test
  void theAwsProfileComesFromAwsProfileWhenQuarryNamesNone() {
    // when
    QuarryConfig config =
        new ConfigLoader(
                Map.of(
                    "QUARRY_CONFIG", dir.resolve("absent.yaml").toString(), "AWS_PROFILE", "dev"))
            .load(flags(null, null, null));

    // then
    assertThat(config.aws().awsProfile()).contains("dev");
    assertThat(config.aws().accountId()).isEmpty();
  }

  @Test
  void malformedAwsSettingsAreUserErrorsNamingTheSetting() throws Exception {
    // given
    Map<String, String> badAccount = Map.of("QUARRY_ACCOUNT_ID", "1234");
    Map<String, String> badRole = Map.of("QUARRY_ROLE_ARN", "quarry-role");
    Map<String, String> badLocation = Map.of("QUARRY_REPORT_LOCATION", "quarry-jobs/reports");
    Path file = configFile();

    // then
    assertThatThrownBy(() -> new ConfigLoader(badAccount).load(flags(file, "prod", null)))
        .isInstanceOf(QuarryException.class)
        .hasMessageContaining("profiles.prod.account-id: '1234' is not a 12-digit AWS account id");
    assertThatThrownBy(() -> new ConfigLoader(badRole).load(flags(file, "prod", null)))
        .hasMessageContaining("role-arn: 'quarry-role' is not an IAM role ARN");
    assertThatThrownBy(() -> new ConfigLoader(badLocation).load(flags(file, "prod", null)))
        .hasMessageContaining(
            "report-location: 'quarry-jobs/reports' is not an S3 location such as s3://");
  }

  @Test
  void theRunStoreIsTheH2FileUnderTheStateDirUnlessTheProfileNamesOne() throws Exception {
    // given
    Path file =
        Files.writeString(
            dir.resolve("quarry.yaml"),
            """
            profiles:
              local:
                state-dir: /var/quarry
              team:
                run-store: jdbc:postgresql://127.0.0.1:5432/quarry
              typo:
                run-store: postgres://127.0.0.1/quarry
            """);

    // when
    QuarryConfig local = new ConfigLoader(Map.of()).load(flags(file, "local", null));
    QuarryConfig team = new ConfigLoader(Map.of()).load(flags(file, "team", null));

    // then
    assertThat(local.runStoreUrl()).startsWith("jdbc:h2:file:/var/quarry/runs;");
    assertThat(team.runStoreUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/quarry");
    assertThatThrownBy(() -> new ConfigLoader(Map.of()).load(flags(file, "typo", null)))
        .isInstanceOf(QuarryException.class)
        .hasMessageContaining(
            "profiles.typo.run-store: 'postgres://127.0.0.1/quarry' is not a run store; valid:");
  }
}
