package dev.quarry.job.s3control;

import dev.quarry.config.AwsClients;
import dev.quarry.config.QuarryConfig;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.endpoints.Endpoint;
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
    return create(config, AwsClients.Limits.DEFAULT);
  }

  public static S3ControlClient create(QuarryConfig config, AwsClients.Limits limits) {
    var builder = AwsClients.configure(S3ControlClient.builder(), config, limits);
    config.aws().s3ControlEndpoint().ifPresent(uri -> builder.endpointProvider(fixed(uri)));
    return builder.build();
  }

  /** A provider that sends every request to {@code uri}, whatever the account or region. */
  public static S3ControlEndpointProvider fixed(URI uri) {
    Endpoint endpoint = Endpoint.builder().url(uri).build();
    return params -> CompletableFuture.completedFuture(endpoint);
  }
}
