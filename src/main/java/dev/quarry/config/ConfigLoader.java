package dev.quarry.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.quarry.config.QuarryConfig.StaticCredentials;
import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.io.UserFiles;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds a {@link QuarryConfig}. Each setting comes from the first of: a command-line flag, an
 * environment variable ({@code QUARRY_*}), the chosen profile of {@code quarry.yaml}, a default.
 *
 * <pre>{@code
 * # quarry.yaml
 * default-profile: local
 * profiles:
 *   local:
 *     s3-endpoint: http://127.0.0.1:9090
 *     state-dir: .quarry
 *   prod:
 *     engine: athena
 *     executor: s3control
 *     region: eu-west-1
 *     athena-workgroup: quarry            # default: primary
 *     athena-output: s3://my-results/athena/   # default: the workgroup's result location
 *     athena-catalog: s3tablescatalog/aws-s3   # the default
 *     athena-database: b_starwatcher      # optional: plain table names resolve here
 *     account-id: "111122223333"
 *     aws-profile: prod-admin             # a named profile of ~/.aws/config; default: SDK chain
 *     role-arn: arn:aws:iam::111122223333:role/quarry-batch-operations
 *     manifest-location: s3://my-quarry/manifests/
 *     report-location: s3://my-quarry/reports/
 *     rollback-function-arn: arn:aws:lambda:eu-west-1:111122223333:function:quarry-rollback
 *     s3control-endpoint: http://127.0.0.1:9091   # only for a local S3 Control API
 *     run-store: jdbc:postgresql://db.internal:5432/quarry?user=quarry   # default: <state-dir>/runs.mv.db (H2)
 *   big:
 *     duckdb-memory-limit: 8GB            # embedded engine's memory; default 2GB
 *     duckdb-max-temp-size: 50GB          # its spill under <state-dir>/tmp; default 10GB
 * }</pre>
 */
public final class ConfigLoader {
  /** The settings a profile may hold, with their environment variables. */
  private static final Map<String, String> SETTINGS =
      Map.ofEntries(
          Map.entry("s3-endpoint", "QUARRY_S3_ENDPOINT"),
          Map.entry("state-dir", "QUARRY_STATE_DIR"),
          Map.entry("manifests-dir", "QUARRY_MANIFESTS_DIR"),
          Map.entry("region", "QUARRY_REGION"),
          Map.entry("access-key-id", "QUARRY_ACCESS_KEY_ID"),
          Map.entry("secret-access-key", "QUARRY_SECRET_ACCESS_KEY"),
          Map.entry("engine", "QUARRY_ENGINE"),
          Map.entry("executor", "QUARRY_EXECUTOR"),
          Map.entry("run-store", "QUARRY_RUN_STORE"),
          Map.entry("athena-workgroup", "QUARRY_ATHENA_WORKGROUP"),
          Map.entry("athena-output", "QUARRY_ATHENA_OUTPUT"),
          Map.entry("athena-catalog", "QUARRY_ATHENA_CATALOG"),
          Map.entry("athena-database", "QUARRY_ATHENA_DATABASE"),
          Map.entry("account-id", "QUARRY_ACCOUNT_ID"),
          Map.entry("aws-profile", "QUARRY_AWS_PROFILE"),
          Map.entry("role-arn", "QUARRY_ROLE_ARN"),
          Map.entry("manifest-location", "QUARRY_MANIFEST_LOCATION"),
          Map.entry("report-location", "QUARRY_REPORT_LOCATION"),
          Map.entry("s3control-endpoint", "QUARRY_S3CONTROL_ENDPOINT"),
          Map.entry("rollback-function-arn", "QUARRY_ROLLBACK_FUNCTION_ARN"),
          Map.entry("duckdb-memory-limit", "QUARRY_DUCKDB_MEMORY_LIMIT"),
          Map.entry("duckdb-max-temp-size", "QUARRY_DUCKDB_MAX_TEMP_SIZE"));

  private static final String DUCKDB_SIZE = "(?i)\\d+(\\.\\d+)?\\s*(b|kb|mb|gb|tb|kib|mib|gib|tib)";

  private final Map<String, String> environment;

  public ConfigLoader(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
  }

  /** Flags as given on the command line; null means not given. */
  public record Flags(Path configFile, String profile, String s3Endpoint, Path stateDir) {}

  /** A configuration is a few settings per profile; more than this is not one. */
  static final long MAX_BYTES = 1 << 20;

  public QuarryConfig load(Flags flags) {
    Path configFile =
        flags.configFile() != null
            ? flags.configFile()
            : Path.of(environment.getOrDefault("QUARRY_CONFIG", "quarry.yaml"));
    JsonNode file = readConfigFile(configFile, flags.configFile() != null);
    String profile =
        first(
            flags.profile(),
            environment.get("QUARRY_PROFILE"),
            text(file.path("default-profile")),
            "local");
    JsonNode profiles = file.path("profiles");
    JsonNode settings = profiles.path(profile);
    if (settings.isMissingNode() && (flags.profile() != null || profiles.size() > 0)) {
      List<String> known = new ArrayList<>();
      profiles.fieldNames().forEachRemaining(known::add);
      if (flags.profile() != null || environment.get("QUARRY_PROFILE") != null) {
        throw QuarryException.user(
            ErrorCode.CONFIG_INVALID,
            configFile
                + ": unknown profile '"
                + profile
                + "'; valid: "
                + (known.isEmpty() ? "(none defined)" : String.join(", ", known)));
      }
    }
    checkKnownSettings(configFile, profile, settings);

    String endpoint = first(flags.s3Endpoint(), setting("s3-endpoint", settings), null, null);
    Path stateDir =
        flags.stateDir() != null
            ? flags.stateDir()
            : Path.of(first(setting("state-dir", settings), null, null, ".quarry"));
    Path manifestsDir = Path.of(first(setting("manifests-dir", settings), null, null, "manifests"));
    String accessKey = setting("access-key-id", settings);
    String secretKey = setting("secret-access-key", settings);
    Optional<StaticCredentials> credentials =
        accessKey != null && secretKey != null
            ? Optional.of(new StaticCredentials(accessKey, secretKey))
            : Optional.empty();
    QuarryConfig.Aws aws = aws(configFile, profile, settings);
    return new QuarryConfig(
        profile,
        stateDir,
        manifestsDir,
        Optional.ofNullable(endpoint).map(ConfigLoader::endpoint),
        first(
            setting("region", settings),
            environment.get("AWS_REGION"),
            aws.awsProfile().flatMap(AwsProfiles::region).orElse(null),
            "us-east-1"),
        credentials,
        first(setting("engine", settings), null, null, "embedded"),
        first(setting("executor", settings), null, null, "local"),
        new QuarryConfig.Athena(
            Optional.ofNullable(setting("athena-workgroup", settings)),
            Optional.ofNullable(setting("athena-output", settings))
                .map(ConfigLoader::outputLocation),
            Optional.ofNullable(setting("athena-catalog", settings)),
            Optional.ofNullable(setting("athena-database", settings))),
        aws,
        embedded(configFile, profile, settings),
        Optional.ofNullable(setting("run-store", settings))
            .map(u -> runStore(configFile, profile, u)));
  }

  private static String runStore(Path file, String profile, String url) {
    if (!url.startsWith("jdbc:h2:") && !url.startsWith("jdbc:postgresql:")) {
      throw QuarryException.user(
          ErrorCode.CONFIG_INVALID,
          file
              + ": profiles."
              + profile
              + ".run-store: '"
              + url
              + "' is not a run store; valid: jdbc:postgresql://host:port/db, jdbc:h2:file:path");
    }
    return url;
  }

  private QuarryConfig.Embedded embedded(Path file, String profile, JsonNode settings) {
    String where = file + ": profiles." + profile + ".";
    String size = "a size such as 2GB or 512MiB";
    return new QuarryConfig.Embedded(
        matching(where, "duckdb-memory-limit", settings, DUCKDB_SIZE, size)
            .orElse(QuarryConfig.Embedded.DEFAULTS.memoryLimit()),
        matching(where, "duckdb-max-temp-size", settings, DUCKDB_SIZE, size)
            .orElse(QuarryConfig.Embedded.DEFAULTS.maxTempSize()));
  }

  private QuarryConfig.Aws aws(Path file, String profile, JsonNode settings) {
    String where = file + ": profiles." + profile + ".";
    Optional<String> accountId =
        matching(where, "account-id", settings, "\\d{12}", "a 12-digit AWS account id");
    Optional<String> roleArn =
        matching(
            where,
            "role-arn",
            settings,
            "arn:aws[a-z-]*:iam::\\d{12}:role/.+",
            "an IAM role ARN such as arn:aws:iam::111122223333:role/quarry-batch-operations");
    Optional<String> functionArn =
        matching(
            where,
            "rollback-function-arn",
            settings,
            "arn:aws[a-z-]*:lambda:[a-z0-9-]+:\\d{12}:function:.+",
            "a Lambda function ARN such as"
                + " arn:aws:lambda:us-east-1:111122223333:function:quarry-rollback");
    return new QuarryConfig.Aws(
        accountId,
        Optional.ofNullable(
            first(setting("aws-profile", settings), environment.get("AWS_PROFILE"), null, null)),
        roleArn,
        s3Location(where, "manifest-location", setting("manifest-location", settings)),
        s3Location(where, "report-location", setting("report-location", settings)),
        Optional.ofNullable(setting("s3control-endpoint", settings)).map(ConfigLoader::endpoint),
        functionArn);
  }

  /** The setting, if given; a value that does not match {@code pattern} is a user error. */
  private Optional<String> matching(
      String where, String name, JsonNode settings, String pattern, String expected) {
    Optional<String> value = Optional.ofNullable(setting(name, settings));
    if (value.isPresent() && !value.get().matches(pattern)) {
      throw QuarryException.user(
          ErrorCode.CONFIG_INVALID, where + name + ": '" + value.get() + "' is not " + expected);
    }
    return value;
  }

  private static Optional<QuarryConfig.S3Uri> s3Location(String where, String name, String text) {
    if (text == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(QuarryConfig.S3Uri.parse(text));
    } catch (IllegalArgumentException e) {
      throw QuarryException.user(
          ErrorCode.CONFIG_INVALID, where + name + ": '" + text + "' is " + e.getMessage());
    }
  }

  /** An S3 folder URI, with the trailing slash Athena's result keys are appended to. */
  private static String outputLocation(String text) {
    String location = text.strip();
    if (!location.startsWith("s3://")
        || location.length() <= "s3://".length()
        || location.charAt("s3://".length()) == '/') {
      throw QuarryException.user(
          ErrorCode.CONFIG_INVALID,
          "athena-output '" + text + "' is not an S3 location such as s3://my-results/athena/");
    }
    return location.endsWith("/") ? location : location + "/";
  }

  private String setting(String name, JsonNode profile) {
    return first(environment.get(SETTINGS.get(name)), text(profile.path(name)), null, null);
  }

  private static void checkKnownSettings(Path file, String profile, JsonNode settings) {
    for (Iterator<String> names = settings.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!SETTINGS.containsKey(name)) {
        throw QuarryException.user(
            ErrorCode.CONFIG_INVALID,
            file
                + ": profiles."
                + profile
                + "."
                + name
                + ": unknown setting; valid: "
                + String.join(", ", SETTINGS.keySet().stream().sorted().toList()));
      }
    }
  }

  private static URI endpoint(String text) {
    try {
      URI uri = URI.create(text);
      if (uri.getScheme() == null || uri.getHost() == null) {
        throw new IllegalArgumentException("no scheme or host");
      }
      return uri;
    } catch (IllegalArgumentException e) {
      throw QuarryException.user(
          ErrorCode.CONFIG_INVALID,
          "S3 endpoint '" + Redact.endpoint(text) + "' is not a URL such as http://127.0.0.1:9090");
    }
  }

  private static JsonNode readConfigFile(Path file, boolean mustExist) {
    if (!Files.exists(file)) {
      if (mustExist) {
        throw QuarryException.user(
            ErrorCode.CONFIG_INVALID, file + ": configuration file not found");
      }
      return new ObjectMapper().createObjectNode();
    }
    String text;
    try {
      text = UserFiles.readText(file, MAX_BYTES, "a configuration file");
    } catch (UserFiles.Refused e) {
      throw QuarryException.user(ErrorCode.CONFIG_INVALID, file + ": " + e.getMessage());
    } catch (IOException e) {
      throw QuarryException.user(
          ErrorCode.CONFIG_INVALID, file + ": cannot read: " + e.getMessage());
    }
    try {
      JsonNode node = new ObjectMapper(new YAMLFactory()).readTree(text);
      return node == null || node.isMissingNode() ? new ObjectMapper().createObjectNode() : node;
    } catch (IOException e) {
      throw QuarryException.user(
          ErrorCode.CONFIG_INVALID, file + ": not valid YAML: " + e.getMessage());
    }
  }

  private static String text(JsonNode node) {
    return node.isValueNode() ? node.asText() : null;
  }

  private static String first(String a, String b, String c, String fallback) {
    if (a != null && !a.isBlank()) {
      return a;
    }
    if (b != null && !b.isBlank()) {
      return b;
    }
    if (c != null && !c.isBlank()) {
      return c;
    }
    return fallback;
  }
}
