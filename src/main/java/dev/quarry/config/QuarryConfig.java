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
    Athena athena) {
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
        Athena.NONE);
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
        athena);
  }
}
