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
 */
public record QuarryConfig(
    String profile,
    Path stateDir,
    Path manifestsDir,
    Optional<URI> s3Endpoint,
    String region,
    Optional<StaticCredentials> credentials,
    String engine,
    String executor) {
  public QuarryConfig {
    requireNonNull(profile, "profile is null");
    requireNonNull(stateDir, "stateDir is null");
    requireNonNull(manifestsDir, "manifestsDir is null");
    requireNonNull(s3Endpoint, "s3Endpoint is null");
    requireNonNull(region, "region is null");
    requireNonNull(credentials, "credentials is null");
    requireNonNull(engine, "engine is null");
    requireNonNull(executor, "executor is null");
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
        executor);
  }
}
