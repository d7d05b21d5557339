package dev.quarry.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;

/**
 * What every AWS client of Quarry shares, whatever the service: the profile's region and
 * credentials ({@link S3Clients#credentials}), an Apache HTTP client and the SDK's standard
 * retries. Endpoints stay with each service's factory, since each reaches a local endpoint its own
 * way.
 *
 * <pre>{@code
 * AthenaClient athena =
 *     AwsClients.configure(AthenaClient.builder(), config, AwsClients.Limits.DEFAULT).build();
 * }</pre>
 */
public final class AwsClients {
  private AwsClients() {}

  /**
   * @param maxConnections the connection pool, at least the concurrency the caller uses
   * @param callTimeout a bound on each call, retries included; empty means the SDK's (none)
   */
  public record Limits(
      int maxConnections, Duration connectTimeout, Optional<Duration> callTimeout) {
    /** A few connections, 5 s to connect, calls unbounded: what a command's clients use. */
    public static final Limits DEFAULT = new Limits(4, Duration.ofSeconds(5), Optional.empty());

    public Limits {
      if (maxConnections < 1) {
        throw new IllegalArgumentException("maxConnections must be at least 1: " + maxConnections);
      }
      requireNonNull(connectTimeout, "connectTimeout is null");
      requireNonNull(callTimeout, "callTimeout is null");
    }

    public Limits withMaxConnections(int n) {
      return new Limits(n, connectTimeout, callTimeout);
    }
  }

  /** {@code builder} with the profile's region, credentials, HTTP client and retries. */
  public static <B extends AwsClientBuilder<B, ?> & AwsSyncClientBuilder<B, ?>> B configure(
      B builder, QuarryConfig config, Limits limits) {
    ClientOverrideConfiguration.Builder overrides =
        ClientOverrideConfiguration.builder().retryStrategy(RetryMode.STANDARD);
    limits.callTimeout().ifPresent(overrides::apiCallTimeout);
    builder
        .region(Region.of(config.region()))
        .credentialsProvider(S3Clients.credentials(config))
        .httpClientBuilder(
            ApacheHttpClient.builder()
                .maxConnections(limits.maxConnections())
                .connectionTimeout(limits.connectTimeout()))
        .overrideConfiguration(overrides.build());
    return builder;
  }
}
