package dev.quarry.query.athena;

import dev.quarry.config.QuarryConfig;
import dev.quarry.config.S3Clients;
import java.time.Duration;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.athena.AthenaClient;

/**
 * Builds Athena clients as {@link S3Clients} builds S3 ones: the configured region and credentials,
 * and the configured endpoint when there is one (a local emulator such as moto serves Athena on the
 * same endpoint as S3).
 */
public final class AthenaClients {
  private AthenaClients() {}

  public static AthenaClient create(QuarryConfig config) {
    var builder =
        AthenaClient.builder()
            .region(Region.of(config.region()))
            .credentialsProvider(S3Clients.credentials(config))
            .httpClientBuilder(
                ApacheHttpClient.builder()
                    .maxConnections(4)
                    .connectionTimeout(Duration.ofSeconds(5)))
            .overrideConfiguration(
                ClientOverrideConfiguration.builder().retryStrategy(RetryMode.STANDARD).build());
    config.s3Endpoint().ifPresent(builder::endpointOverride);
    return builder.build();
  }
}
