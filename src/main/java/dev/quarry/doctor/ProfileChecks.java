package dev.quarry.doctor;

import static java.util.Objects.requireNonNull;

import dev.quarry.config.AwsClients;
import dev.quarry.config.QuarryConfig;
import dev.quarry.config.Redact;
import dev.quarry.config.S3Clients;
import dev.quarry.doctor.Doctor.Check;
import dev.quarry.job.s3control.S3ControlClients;
import dev.quarry.metadata.Warehouse;
import dev.quarry.query.MetadataTable;
import dev.quarry.query.athena.AthenaClients;
import dev.quarry.query.athena.AthenaSettings;
import dev.quarry.query.athena.BucketMetadata;
import dev.quarry.query.athena.BucketMetadataLookup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.athena.AthenaClient;
import software.amazon.awssdk.services.athena.model.WorkGroup;
import software.amazon.awssdk.services.athena.model.WorkGroupConfiguration;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadBucketResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3control.S3ControlClient;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;

/**
 * The checks of one profile, all read-only: the settings its engine and executor need, the region,
 * the credentials and whose they are (STS GetCallerIdentity), the S3 endpoint and the buckets the
 * profile names, the Athena workgroup, the S3 Control API (ListJobs, at most one job), and the
 * metadata tables of the buckets asked about.
 *
 * <p>Each check builds its own client, so a check stuck on one endpoint holds up nothing else.
 */
public final class ProfileChecks {
  private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d+");
  private static final Pattern ACCOUNT = Pattern.compile("\\d{12}");

  private final QuarryConfig config;
  private final List<String> metadataBuckets;
  private final Duration timeout;

  /**
   * @param metadataBuckets buckets whose metadata tables to check ({@code --bucket}, and the
   *     buckets of the playbooks given)
   * @param timeout each AWS call's limit
   */
  public ProfileChecks(QuarryConfig config, List<String> metadataBuckets, Duration timeout) {
    this.config = requireNonNull(config, "config is null");
    this.metadataBuckets = List.copyOf(metadataBuckets);
    this.timeout = requireNonNull(timeout, "timeout is null");
  }

  private boolean athena() {
    return config.engine().equals("athena");
  }

  private boolean s3control() {
    return config.executor().equals("s3control");
  }

  /** A profile that needs nothing of AWS: embedded engine and local executor. */
  private boolean local() {
    return config.engine().equals("embedded") && config.executor().equals("local");
  }

  public List<Check> checks() {
    List<Check> checks = new ArrayList<>();
    checks.add(new Check("profile", this::profile));
    checks.add(new Check("region", this::region));
    checks.add(new Check("credentials", this::credentials));
    checks.add(new Check("identity", this::identity));
    checks.add(new Check("s3 endpoint", this::s3Endpoint));
    buckets()
        .forEach(
            (bucket, role) ->
                checks.add(new Check("bucket " + bucket, () -> bucket(bucket, role))));
    checks.add(new Check("athena workgroup", this::workgroup));
    checks.add(new Check("s3 control", this::s3ControlJobs));
    if (config.engine().equals("embedded")) {
      checks.add(new Check("warehouse", this::warehouse));
    }
    for (String bucket : metadataBuckets) {
      checks.add(new Check("metadata " + bucket, () -> metadata(bucket)));
    }
    return checks;
  }

  // ------------------------------------------------------------------ settings

  CheckResult profile() {
    String name = "profile";
    List<String> missing = new ArrayList<>();
    QuarryConfig.Aws aws = config.aws();
    if (s3control()) {
      if (aws.accountId().isEmpty()) {
        missing.add("account-id");
      }
      if (aws.roleArn().isEmpty()) {
        missing.add("role-arn");
      }
      if (aws.manifestLocation().isEmpty()) {
        missing.add("manifest-location");
      }
      if (aws.reportLocation().isEmpty()) {
        missing.add("report-location");
      }
    }
    String what =
        "'"
            + config.profile()
            + "': engine "
            + config.engine()
            + ", executor "
            + config.executor()
            + ", region "
            + config.region();
    if (!missing.isEmpty()) {
      return CheckResult.fail(
          name,
          what
              + "; executor s3control needs "
              + String.join(", ", missing)
              + ": set "
              + (missing.size() == 1 ? "it" : "them")
              + " in the profile of quarry.yaml");
    }
    if (aws.accountId().isPresent() && !ACCOUNT.matcher(aws.accountId().get()).matches()) {
      return CheckResult.fail(
          name, what + "; account-id '" + aws.accountId().get() + "' is not 12 digits");
    }
    if (athena() && config.athena().outputLocation().isEmpty()) {
      return CheckResult.warn(
          name,
          what
              + "; no athena-output: queries write results where workgroup "
              + workgroupName()
              + " says (see the athena workgroup check), or set athena-output");
    }
    return CheckResult.ok(name, what);
  }

  CheckResult region() {
    String name = "region";
    String region = config.region();
    if (config.s3Endpoint().map(S3Clients::isLocal).orElse(false) && local()) {
      return CheckResult.ok(name, region + " (a local endpoint takes any region)");
    }
    if (!REGION.matcher(region).matches()) {
      return CheckResult.fail(
          name, "'" + region + "' is not an AWS region name such as us-east-1: fix region");
    }
    if (!Region.regions().contains(Region.of(region))) {
      return CheckResult.warn(
          name, region + " is not a region this AWS SDK knows; check its spelling");
    }
    return CheckResult.ok(name, region);
  }

  // ------------------------------------------------------------------ who we are

  CheckResult credentials() {
    String name = "credentials";
    AwsCredentials credentials;
    try {
      credentials = S3Clients.credentials(config).resolveCredentials();
    } catch (SdkException e) {
      return CheckResult.fail(
          name,
          "none found: "
              + Doctor.oneLine(e)
              + "; set aws-profile in the profile, AWS_PROFILE, or AWS_ACCESS_KEY_ID and"
              + " AWS_SECRET_ACCESS_KEY");
    }
    String source =
        config.credentials().isPresent()
            ? "the profile's access-key-id"
            : config.aws().awsProfile().map(p -> "AWS profile '" + p + "'").orElse(null);
    if (source == null) {
      source =
          config.s3Endpoint().map(S3Clients::isLocal).orElse(false)
              ? "the static key for local endpoints"
              : "the AWS default chain";
    }
    return CheckResult.ok(
        name, "access key " + masked(credentials.accessKeyId()) + " from " + source);
  }

  CheckResult identity() {
    String name = "identity";
    if (local()) {
      return CheckResult.skip(name, "a local profile needs no AWS identity");
    }
    GetCallerIdentityResponse identity;
    try (StsClient sts = sts()) {
      identity = sts.getCallerIdentity();
    } catch (AwsServiceException e) {
      return CheckResult.fail(
          name,
          "STS refused the credentials ("
              + e.statusCode()
              + " "
              + errorCode(e)
              + "): they may be expired or revoked; refresh them (aws sso login, new keys)");
    } catch (SdkException e) {
      return CheckResult.fail(name, "cannot reach STS: " + Doctor.oneLine(e));
    }
    String who = identity.arn() + " (account " + identity.account() + ")";
    Optional<String> expected = config.aws().accountId();
    if (expected.isPresent() && !expected.get().equals(identity.account())) {
      return CheckResult.fail(
          name,
          who
              + ", but the profile's account-id is "
              + expected.get()
              + ": jobs would be created in the wrong account; use credentials of "
              + expected.get()
              + " or fix account-id");
    }
    return CheckResult.ok(name, who + (expected.isPresent() ? ", as account-id says" : ""));
  }

  // ------------------------------------------------------------------ S3

  CheckResult s3Endpoint() {
    String name = "s3 endpoint";
    String where = config.s3Endpoint().map(Redact::endpoint).orElse("AWS S3 in " + config.region());
    try (S3Client s3 = s3()) {
      s3.listBuckets(r -> r.maxBuckets(1));
      return CheckResult.ok(name, where + " answers");
    } catch (AwsServiceException e) {
      if (e.statusCode() == 403) {
        // the endpoint answered; listing buckets is simply not allowed, which Quarry never needs
        return CheckResult.ok(name, where + " answers (ListBuckets is not allowed: not needed)");
      }
      return CheckResult.fail(
          name, where + " answered " + e.statusCode() + " " + errorCode(e) + " to ListBuckets");
    } catch (SdkException e) {
      return CheckResult.fail(
          name,
          "cannot reach "
              + where
              + ": "
              + Doctor.oneLine(e)
              + (local() && config.s3Endpoint().isPresent()
                  ? "; start it (quarry sandbox up) or fix s3-endpoint"
                  : "; check s3-endpoint, the network and proxies"));
    }
  }

  /** The buckets the profile names, each with what it is for. */
  Map<String, String> buckets() {
    Map<String, String> buckets = new LinkedHashMap<>();
    config
        .aws()
        .manifestLocation()
        .ifPresent(l -> buckets.merge(l.bucket(), "manifest-location", ProfileChecks::both));
    config
        .aws()
        .reportLocation()
        .ifPresent(l -> buckets.merge(l.bucket(), "report-location", ProfileChecks::both));
    if (athena()) {
      config
          .athena()
          .outputLocation()
          .map(QuarryConfig.S3Uri::parse)
          .ifPresent(l -> buckets.merge(l.bucket(), "athena-output", ProfileChecks::both));
    }
    return buckets;
  }

  private static String both(String a, String b) {
    return a + ", " + b;
  }

  CheckResult bucket(String bucket, String role) {
    String name = "bucket " + bucket;
    try (S3Client s3 = s3()) {
      HeadBucketResponse head = s3.headBucket(r -> r.bucket(bucket));
      String region = head.bucketRegion();
      if (region != null && !region.isEmpty() && !region.equals(config.region()) && !local()) {
        return CheckResult.fail(
            name,
            "("
                + role
                + ") is in "
                + region
                + ", not "
                + config.region()
                + ": S3 Batch Operations and Athena need it in the profile's region");
      }
      return CheckResult.ok(
          name,
          "(" + role + ") exists" + (region == null || region.isEmpty() ? "" : " in " + region));
    } catch (S3Exception e) {
      return switch (e.statusCode()) {
        case 404 ->
            CheckResult.fail(
                name,
                "(" + role + ") does not exist: create it or fix " + role + " in the profile");
        case 403 ->
            CheckResult.fail(
                name, "(" + role + ") exists but these credentials may not use it (403 Forbidden)");
        case 301 ->
            CheckResult.fail(
                name,
                "("
                    + role
                    + ") is in another region"
                    + regionHeader(e).map(r -> " (" + r + ")").orElse("")
                    + ", not "
                    + config.region());
        default ->
            CheckResult.fail(
                name, "(" + role + ") HeadBucket answered " + e.statusCode() + " " + errorCode(e));
      };
    } catch (SdkException e) {
      return CheckResult.fail(name, "(" + role + ") cannot reach S3: " + Doctor.oneLine(e));
    }
  }

  private static Optional<String> regionHeader(AwsServiceException e) {
    return e.awsErrorDetails() == null || e.awsErrorDetails().sdkHttpResponse() == null
        ? Optional.empty()
        : e.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("x-amz-bucket-region");
  }

  // ------------------------------------------------------------------ Athena

  private String workgroupName() {
    return config.athena().workgroup().orElse(AthenaSettings.DEFAULT_WORKGROUP);
  }

  CheckResult workgroup() {
    String name = "athena workgroup";
    if (!athena()) {
      return CheckResult.skip(name, "engine " + config.engine() + " does not use Athena");
    }
    String workgroup = workgroupName();
    WorkGroup found;
    try (AthenaClient athena = athenaClient()) {
      found = athena.getWorkGroup(r -> r.workGroup(workgroup)).workGroup();
    } catch (AwsServiceException e) {
      return CheckResult.fail(
          name,
          workgroup
              + ": Athena answered "
              + e.statusCode()
              + " "
              + errorCode(e)
              + " ("
              + Doctor.oneLine(e)
              + "); fix athena-workgroup");
    } catch (SdkException e) {
      return CheckResult.fail(name, "cannot reach Athena: " + Doctor.oneLine(e));
    }
    if (found == null) {
      return CheckResult.fail(
          name, "there is no workgroup " + workgroup + ": fix athena-workgroup");
    }
    if (!"ENABLED".equals(found.stateAsString())) {
      return CheckResult.fail(
          name, workgroup + " is " + found.stateAsString() + ": enable it, or use another");
    }
    WorkGroupConfiguration wg = found.configuration();
    boolean enforced = wg != null && Boolean.TRUE.equals(wg.enforceWorkGroupConfiguration());
    String output =
        wg == null || wg.resultConfiguration() == null
            ? null
            : wg.resultConfiguration().outputLocation();
    boolean managed =
        wg != null
            && wg.managedQueryResultsConfiguration() != null
            && Boolean.TRUE.equals(wg.managedQueryResultsConfiguration().enabled());
    Optional<String> profileOutput = config.athena().outputLocation();
    String where =
        output == null ? (managed ? "managed query results" : "no result location") : output;
    if (profileOutput.isEmpty() && output == null && !managed) {
      return CheckResult.fail(
          name,
          workgroup
              + " is ENABLED but has no result location, and the profile sets no athena-output:"
              + " queries would fail; set athena-output");
    }
    if (enforced && profileOutput.isPresent() && !profileOutput.get().equals(output)) {
      return CheckResult.warn(
          name,
          workgroup
              + " is ENABLED and enforces its settings: results go to "
              + where
              + ", not athena-output "
              + profileOutput.get());
    }
    return CheckResult.ok(
        name,
        workgroup
            + " is ENABLED; results in "
            + profileOutput.orElse(where)
            + (enforced ? " (the workgroup enforces its settings)" : ""));
  }

  // ------------------------------------------------------------------ S3 Control

  CheckResult s3ControlJobs() {
    String name = "s3 control";
    if (!s3control()) {
      return CheckResult.skip(name, "executor " + config.executor() + " does not use S3 Control");
    }
    Optional<String> account = config.aws().accountId();
    if (account.isEmpty()) {
      return CheckResult.skip(name, "no account-id (see the profile check)");
    }
    String where =
        config
            .aws()
            .s3ControlEndpoint()
            .map(Redact::endpoint)
            .orElse("AWS S3 Control in " + config.region());
    try (S3ControlClient control = s3Control()) {
      int jobs = control.listJobs(r -> r.accountId(account.get()).maxResults(1)).jobs().size();
      return CheckResult.ok(
          name,
          where
              + " answers ListJobs for account "
              + account.get()
              + (jobs == 0 ? " (no recent jobs)" : ""));
    } catch (AwsServiceException e) {
      return CheckResult.fail(
          name,
          where
              + " refused ListJobs ("
              + e.statusCode()
              + " "
              + errorCode(e)
              + "): the credentials need s3:ListJobs (and s3:CreateJob to submit)");
    } catch (SdkException e) {
      return CheckResult.fail(
          name, "cannot reach " + where + ": " + Doctor.oneLine(e) + "; check s3control-endpoint");
    }
  }

  // ------------------------------------------------------------------ metadata tables

  CheckResult warehouse() {
    String name = "warehouse";
    List<String> namespaces = new Warehouse(config.warehouseDir()).namespaces();
    if (namespaces.isEmpty()) {
      return CheckResult.warn(
          name,
          config.warehouseDir()
              + " has no metadata tables yet: quarry metadata refresh --bucket B builds them");
    }
    return CheckResult.ok(name, config.warehouseDir() + ": " + String.join(", ", namespaces));
  }

  CheckResult metadata(String bucket) {
    String name = "metadata " + bucket;
    if (!athena()) {
      String namespace = "b_" + bucket;
      List<String> namespaces = new Warehouse(config.warehouseDir()).namespaces();
      return namespaces.contains(namespace)
          ? CheckResult.ok(name, "the warehouse has " + namespace + " (journal, inventory)")
          : CheckResult.fail(
              name,
              "the warehouse has no tables for "
                  + bucket
                  + ": quarry metadata refresh --bucket "
                  + bucket);
    }
    BucketMetadata metadata;
    try (S3Client s3 = s3()) {
      metadata = new BucketMetadataLookup(s3).lookup(bucket);
    }
    String where =
        metadata.catalog().orElse("?")
            + "."
            + metadata.namespace()
            + " ("
            + metadata.tableBucketType()
            + ")";
    List<String> problems = new ArrayList<>();
    List<String> tables = new ArrayList<>();
    for (MetadataTable table : MetadataTable.values()) {
      Optional<BucketMetadata.Table> t = metadata.table(table);
      tables.add(
          table.plainName()
              + " "
              + t.map(
                      x ->
                          x.configurationState().equals("ENABLED")
                              ? x.status()
                              : x.configurationState())
                  .orElse("absent"));
      metadata.unusable(table).ifPresent(problems::add);
    }
    String found = where + ": " + String.join(", ", tables);
    if (metadata.unusable(MetadataTable.JOURNAL).isPresent()) {
      return CheckResult.fail(name, found + "; " + problems.get(0));
    }
    if (!problems.isEmpty()) {
      return CheckResult.warn(name, found + "; " + problems.get(0));
    }
    return CheckResult.ok(name, found);
  }

  // ------------------------------------------------------------------ clients

  /** One connection per client, and every call bounded by the checks' timeout. */
  private AwsClients.Limits limits() {
    Duration connect =
        timeout.compareTo(Duration.ofSeconds(5)) < 0 ? timeout : Duration.ofSeconds(5);
    return new AwsClients.Limits(1, connect, Optional.of(timeout));
  }

  private S3Client s3() {
    return S3Clients.create(config, limits());
  }

  private StsClient sts() {
    var builder = AwsClients.configure(StsClient.builder(), config, limits());
    // a local emulator (moto) serves STS on the same endpoint as S3
    config.s3Endpoint().ifPresent(builder::endpointOverride);
    return builder.build();
  }

  private AthenaClient athenaClient() {
    return AthenaClients.create(config, limits());
  }

  private S3ControlClient s3Control() {
    return S3ControlClients.create(config, limits());
  }

  private static String errorCode(AwsServiceException e) {
    return e.awsErrorDetails() == null || e.awsErrorDetails().errorCode() == null
        ? ""
        : e.awsErrorDetails().errorCode();
  }

  private static String masked(String accessKeyId) {
    return accessKeyId.length() <= 4
        ? "****"
        : "****" + accessKeyId.substring(accessKeyId.length() - 4);
  }
}
