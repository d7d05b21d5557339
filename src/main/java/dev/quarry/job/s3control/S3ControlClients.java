package dev.quarry.job.s3control;

import dev.quarry.config.QuarryConfig;
import dev.quarry.config.S3Clients;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.endpoints.Endpoint;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3control.S3ControlClient;
import software.amazon.awssdk.services.s3control.endpoints.S3ControlEndpointProvider;

/** Builds the S3 Control client of a profile: AWS's endpoint, or the profile's own. */
public final class S3ControlClients {
  private S3ControlClients() {}

  /**
   * A client for the profile's region and credentials. With {@code s3control-endpoint} set, every
   * request goes to that URI: {@code endpointOverride} alone is not enough, since the endpoint
   * rules put the account id in front of the host ({@code 111122223333.127.0.0.1}); the account id
   * then travels in the {@code x-amz-account-id} header only.
   */
  public static S3ControlClient create(QuarryConfig config) {
    var builder =
        S3ControlClient.builder()
            .region(Region.of(config.region()))
            .credentialsProvider(S3Clients.credentials(config))
            .httpClientBuilder(
                ApacheHttpClient.builder()
                    .maxConnections(4)
                    .connectionTimeout(Duration.ofSeconds(5)))
            .overrideConfiguration(
                ClientOverrideConfiguration.builder().retryStrategy(RetryMode.STANDARD).build());
    config.aws().s3ControlEndpoint().ifPresent(uri -> builder.endpointProvider(fixed(uri)));
    return builder.build();
  }

  static S3ControlEndpointProvider fixed(URI uri) {
    Endpoint endpoint = Endpoint.builder().url(uri).build();
    return params -> CompletableFuture.completedFuture(endpoint);
  }
}
