package dev.quarry.query.athena;

import dev.quarry.config.AwsClients;
import dev.quarry.config.QuarryConfig;
import dev.quarry.config.S3Clients;
import software.amazon.awssdk.services.athena.AthenaClient;

/**
 * Builds Athena clients as {@link S3Clients} builds S3 ones: the configured region and credentials,
 * and the configured endpoint when there is one (a local emulator such as moto serves Athena on the
 * same endpoint as S3).
 */
public final class AthenaClients {
  private AthenaClients() {}

  public static AthenaClient create(QuarryConfig config) {
    return create(config, AwsClients.Limits.DEFAULT);
  }

  public static AthenaClient create(QuarryConfig config, AwsClients.Limits limits) {
    var builder = AwsClients.configure(AthenaClient.builder(), config, limits);
    config.s3Endpoint().ifPresent(builder::endpointOverride);
    return builder.build();
  }
}
