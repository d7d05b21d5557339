package dev.quarry.config;

import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;

/** Builds S3 clients for AWS or for any S3-compatible endpoint (path-style addressing there). */
public final class S3Clients {
  /** Any static key works on local servers; these are used when none is configured. */
  private static final AwsBasicCredentials LOCAL = AwsBasicCredentials.create("quarry", "quarry");

  private S3Clients() {}

  /**
   * @param maxConnections size of the connection pool, at least the concurrency the caller uses
   */
  public static S3Client create(QuarryConfig config, int maxConnections) {
    return create(config, AwsClients.Limits.DEFAULT.withMaxConnections(maxConnections));
  }

  public static S3Client create(QuarryConfig config, AwsClients.Limits limits) {
    var builder = AwsClients.configure(S3Client.builder(), config, limits);
    config
        .s3Endpoint()
        .ifPresent(
            endpoint ->
                builder
                    .endpointOverride(endpoint)
                    .serviceConfiguration(
                        S3Configuration.builder()
                            .pathStyleAccessEnabled(true)
                            .chunkedEncodingEnabled(false)
                            .build()));
    return builder.build();
  }

  /**
   * The configured static credentials; else the configured named AWS profile; else, for a local
   * endpoint, any static key; else the AWS default chain. Every AWS client of Quarry uses the same.
   */
  public static AwsCredentialsProvider credentials(QuarryConfig config) {
    if (config.credentials().isPresent()) {
      var c = config.credentials().get();
      return StaticCredentialsProvider.create(
          AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey()));
    }
    if (config.aws().awsProfile().isPresent()) {
      return ProfileCredentialsProvider.create(config.aws().awsProfile().get());
    }
    if (config.s3Endpoint().map(S3Clients::isLocal).orElse(false)) {
      return StaticCredentialsProvider.create(LOCAL);
    }
    return DefaultCredentialsProvider.builder().build();
  }

  /** Whether {@code endpoint} is on this machine (loopback). */
  public static boolean isLocal(URI endpoint) {
    String host = endpoint.getHost();
    return host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]");
  }
}
