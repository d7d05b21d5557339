package dev.quarry.config;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Settings in force for one command, after flags, environment variables, the {@code quarry.yaml}
 * profile and defaults have been weighed (in that order; see {@link ConfigLoader}).
 *
 * @param stateDir local state: the metadata warehouse, runs, the sandbox's files
 * @param manifestsDir where manifests are written, {@code manifests/<playbook>/<run>/}
 * @param s3Endpoint an S3-compatible endpoint; empty means AWS itself
 * @param credentials static credentials for that endpoint; empty means the AWS default chain
 * @param engine the query engine: {@code embedded} or {@code athena}
 * @param athena where the {@code athena} engine runs its queries
 * @param aws what the {@code s3control} executor and AWS clients need beyond the region
 * @param runStore the JDBC URL of the run store ({@code run-store:}); empty means the embedded H2
 *     file {@link #runStoreUrl() under the state directory}
 */
public record QuarryConfig(
    String profile,
    Path stateDir,
    Path manifestsDir,
    Optional<URI> s3Endpoint,
    String region,
    Optional<StaticCredentials> credentials,
    String engine,
    String executor,
    Athena athena,
    Aws aws,
    Embedded embedded,
    Optional<String> runStore) {
  public QuarryConfig {
    requireNonNull(profile, "profile is null");
    requireNonNull(stateDir, "stateDir is null");
    requireNonNull(manifestsDir, "manifestsDir is null");
    requireNonNull(s3Endpoint, "s3Endpoint is null");
    requireNonNull(region, "region is null");
    requireNonNull(credentials, "credentials is null");
    requireNonNull(engine, "engine is null");
    requireNonNull(executor, "executor is null");
    requireNonNull(athena, "athena is null");
    requireNonNull(aws, "aws is null");
    requireNonNull(embedded, "embedded is null");
    requireNonNull(runStore, "runStore is null");
  }

  /** Settings with the default run store, the H2 file under the state directory. */
  public QuarryConfig(
      String profile,
      Path stateDir,
      Path manifestsDir,
      Optional<URI> s3Endpoint,
      String region,
      Optional<StaticCredentials> credentials,
      String engine,
      String executor,
      Athena athena,
      Aws aws,
      Embedded embedded) {
    this(
        profile,
        stateDir,
        manifestsDir,
        s3Endpoint,
        region,
        credentials,
        engine,
        executor,
        athena,
        aws,
        embedded,
        Optional.empty());
  }

  /**
   * The run store's JDBC URL: the profile's {@code run-store}, else {@code <state-dir>/runs.mv.db}.
   * WRITE_DELAY=0 so that a run's committed phase survives a killed process. MAX_COMPACT_TIME=0:
   * the store opens the file per operation (not AUTO_SERVER, which would listen on every
   * interface), and H2's compaction at each close cost about 150 ms of the 220 ms a save took.
   */
  public String runStoreUrl() {
    return runStore.orElseGet(
        () ->
            "jdbc:h2:file:"
                + stateDir.toAbsolutePath().resolve("runs")
                + ";WRITE_DELAY=0;LOCK_TIMEOUT=10000;MAX_COMPACT_TIME=0");
  }

  /** Settings with the embedded engine's default bounds. */
  public QuarryConfig(
      String profile,
      Path stateDir,
      Path manifestsDir,
      Optional<URI> s3Endpoint,
      String region,
      Optional<StaticCredentials> credentials,
      String engine,
      String executor,
      Athena athena,
      Aws aws) {
    this(
        profile,
        stateDir,
        manifestsDir,
        s3Endpoint,
        region,
        credentials,
        engine,
        executor,
        athena,
        aws,
        Embedded.DEFAULTS);
  }

  /**
   * Bounds of the embedded engine's DuckDB, in DuckDB's size syntax ({@code 2GB}, {@code 512MiB}):
   * a runaway query (a cross join) fails with a user error instead of filling memory or the disk.
   *
   * @param memoryLimit DuckDB's {@code memory_limit}: past it, DuckDB spills to {@link #spillDir}
   * @param maxTempSize DuckDB's {@code max_temp_directory_size}: past it, the query fails
   */
  public record Embedded(String memoryLimit, String maxTempSize) {
    public static final Embedded DEFAULTS = new Embedded("2GB", "10GB");

    public Embedded {
      requireNonNull(memoryLimit, "memoryLimit is null");
      requireNonNull(maxTempSize, "maxTempSize is null");
    }
  }

  /** Where the embedded engine spills, one directory per open connection. */
  public Path spillDir() {
    return stateDir.resolve("tmp").resolve("duckdb");
  }

  /** Settings without AWS job options, for commands and tests that never submit to AWS. */
  public QuarryConfig(
      String profile,
      Path stateDir,
      Path manifestsDir,
      Optional<URI> s3Endpoint,
      String region,
      Optional<StaticCredentials> credentials,
      String engine,
      String executor,
      Athena athena) {
    this(
        profile,
        stateDir,
        manifestsDir,
        s3Endpoint,
        region,
        credentials,
        engine,
        executor,
        athena,
        Aws.NONE);
  }

  /** Settings without Athena options, for commands and tests that never use Athena. */
  public QuarryConfig(
      String profile,
      Path stateDir,
      Path manifestsDir,
      Optional<URI> s3Endpoint,
      String region,
      Optional<StaticCredentials> credentials,
      String engine,
      String executor) {
    this(
        profile,
        stateDir,
        manifestsDir,
        s3Endpoint,
        region,
        credentials,
        engine,
        executor,
        Athena.NONE,
        Aws.NONE);
  }

  /**
   * Where Athena runs queries; each option empty means Athena's or the engine's default.
   *
   * @param workgroup the workgroup ({@code primary} when empty)
   * @param outputLocation {@code s3://bucket/prefix/} for query results; empty means the
   *     workgroup's own result location
   * @param catalog the catalog ({@code s3tablescatalog/aws-s3} when empty)
   * @param database the namespace plain table names resolve in, such as {@code b_starwatcher}
   */
  public record Athena(
      Optional<String> workgroup,
      Optional<String> outputLocation,
      Optional<String> catalog,
      Optional<String> database) {
    public static final Athena NONE =
        new Athena(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

    public Athena {
      requireNonNull(workgroup, "workgroup is null");
      requireNonNull(outputLocation, "outputLocation is null");
      requireNonNull(catalog, "catalog is null");
      requireNonNull(database, "database is null");
    }
  }

  /**
   * What S3 Batch Operations on AWS ({@code executor: s3control}) needs; each option empty means
   * not configured (commands that need one say so).
   *
   * @param accountId the 12-digit account that owns the jobs ({@code x-amz-account-id})
   * @param awsProfile a named profile of {@code ~/.aws/config} for credentials and region; empty
   *     means the SDK's default chain
   * @param roleArn the IAM role Batch Operations assumes to run the jobs
   * @param manifestLocation {@code s3://bucket/prefix/} where manifests are uploaded
   * @param reportLocation {@code s3://bucket/prefix/} where completion reports are written
   * @param s3ControlEndpoint an S3 Control endpoint other than AWS's, such as the sandbox's
   * @param rollbackFunctionArn the rollback Lambda, for rollback-deletes playbooks that name none
   */
  public record Aws(
      Optional<String> accountId,
      Optional<String> awsProfile,
      Optional<String> roleArn,
      Optional<S3Uri> manifestLocation,
      Optional<S3Uri> reportLocation,
      Optional<URI> s3ControlEndpoint,
      Optional<String> rollbackFunctionArn) {
    public static final Aws NONE =
        new Aws(
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());

    public Aws {
      requireNonNull(accountId, "accountId is null");
      requireNonNull(awsProfile, "awsProfile is null");
      requireNonNull(roleArn, "roleArn is null");
      requireNonNull(manifestLocation, "manifestLocation is null");
      requireNonNull(reportLocation, "reportLocation is null");
      requireNonNull(s3ControlEndpoint, "s3ControlEndpoint is null");
      requireNonNull(rollbackFunctionArn, "rollbackFunctionArn is null");
    }
  }

  /**
   * An S3 folder, {@code s3://bucket/prefix/}.
   *
   * @param prefix the key prefix, empty or ending in {@code /}
   */
  public record S3Uri(String bucket, String prefix) {
    public S3Uri {
      requireNonNull(bucket, "bucket is null");
      requireNonNull(prefix, "prefix is null");
      if (bucket.isEmpty()) {
        throw new IllegalArgumentException("bucket is empty");
      }
      if (!prefix.isEmpty() && !prefix.endsWith("/")) {
        prefix = prefix + "/";
      }
    }

    /**
     * Parses {@code s3://bucket/prefix}.
     *
     * @throws IllegalArgumentException when {@code text} is not such a location
     */
    public static S3Uri parse(String text) {
      String t = text.strip();
      if (!t.startsWith("s3://")) {
        throw new IllegalArgumentException("not an S3 location such as s3://my-bucket/quarry/");
      }
      String rest = t.substring("s3://".length());
      int slash = rest.indexOf('/');
      String bucket = slash < 0 ? rest : rest.substring(0, slash);
      if (bucket.isEmpty()) {
        throw new IllegalArgumentException("not an S3 location such as s3://my-bucket/quarry/");
      }
      return new S3Uri(bucket, slash < 0 ? "" : rest.substring(slash + 1));
    }

    /** The bucket's ARN, as CreateJob's Report.Bucket wants it. */
    public String bucketArn() {
      return "arn:aws:s3:::" + bucket;
    }

    @Override
    public String toString() {
      return "s3://" + bucket + "/" + prefix;
    }
  }

  /** An access key pair, used for local S3-compatible endpoints (any values work there). */
  public record StaticCredentials(String accessKeyId, String secretAccessKey) {
    public StaticCredentials {
      requireNonNull(accessKeyId, "accessKeyId is null");
      requireNonNull(secretAccessKey, "secretAccessKey is null");
    }

    @Override
    public String toString() {
      return "StaticCredentials[" + accessKeyId + ", ****]";
    }
  }

  public Path warehouseDir() {
    return stateDir.resolve("warehouse");
  }

  public Path sandboxDir() {
    return stateDir.resolve("sandbox");
  }

  public Path runsDir() {
    return stateDir.resolve("runs");
  }

  public QuarryConfig withS3Endpoint(URI endpoint) {
    return new QuarryConfig(
        profile,
        stateDir,
        manifestsDir,
        Optional.of(endpoint),
        region,
        credentials,
        engine,
        executor,
        athena,
        aws,
        embedded);
  }

  public QuarryConfig withS3ControlEndpoint(URI endpoint) {
    return withAws(
        new Aws(
            aws.accountId(),
            aws.awsProfile(),
            aws.roleArn(),
            aws.manifestLocation(),
            aws.reportLocation(),
            Optional.of(endpoint),
            aws.rollbackFunctionArn()));
  }

  public QuarryConfig withCredentials(StaticCredentials next) {
    return new QuarryConfig(
        profile,
        stateDir,
        manifestsDir,
        s3Endpoint,
        region,
        Optional.of(next),
        engine,
        executor,
        athena,
        aws,
        embedded);
  }

  public QuarryConfig withAws(Aws next) {
    return new QuarryConfig(
        profile,
        stateDir,
        manifestsDir,
        s3Endpoint,
        region,
        credentials,
        engine,
        executor,
        athena,
        next,
        embedded);
  }
}
