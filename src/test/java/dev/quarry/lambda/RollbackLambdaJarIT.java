package dev.quarry.lambda;

import static dev.quarry.lambda.LambdaFixtures.JSON;
import static dev.quarry.lambda.LambdaFixtures.deleteAndGetMarker;
import static dev.quarry.lambda.LambdaFixtures.event;
import static dev.quarry.lambda.LambdaFixtures.put;
import static dev.quarry.lambda.LambdaFixtures.read;
import static dev.quarry.lambda.LambdaFixtures.results;
import static dev.quarry.lambda.LambdaFixtures.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.sandbox.LocalS3Server;
import dev.quarry.testing.S3Servers;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The deployable artifact {@code target/quarry-rollback-lambda.jar}, built in the package phase.
 */
class RollbackLambdaJarIT {
  private static final Path JAR =
      Path.of(
          System.getProperty("quarry.rollback.lambda.jar", "target/quarry-rollback-lambda.jar"));

  @Test
  void holdsTheHandlerAndTheSharedRollbackButNoneOfTheCli() throws IOException {
    // given the built artifact
    assertThat(JAR).isRegularFile();

    // when
    List<String> entries;
    try (JarFile jar = new JarFile(JAR.toFile())) {
      entries = jar.stream().map(ZipEntry::getName).toList();
    }

    // then
    assertThat(entries)
        .contains(
            "dev/quarry/lambda/RollbackHandler.class",
            "dev/quarry/action/DeleteMarkerRollback.class",
            // the core of hide-keys jobs, which the same function runs
            "dev/quarry/action/ConditionalDeleteMarker.class",
            "com/amazonaws/services/lambda/runtime/RequestStreamHandler.class",
            "software/amazon/awssdk/services/s3/S3Client.class",
            "software/amazon/awssdk/http/urlconnection/UrlConnectionHttpClient.class");
    assertThat(entries)
        .noneMatch(
            e ->
                e.startsWith("org/duckdb/")
                    || e.startsWith("org/springframework/")
                    || e.startsWith("org/h2/")
                    || e.startsWith("org/quartz/")
                    || e.startsWith("picocli/")
                    || e.startsWith("org/apache/http/")
                    || e.startsWith("io/netty/")
                    || e.startsWith("software/amazon/awssdk/services/s3control/")
                    || e.startsWith("software/amazon/awssdk/services/athena/")
                    || e.startsWith("dev/quarry/cli/")
                    || e.startsWith("dev/quarry/job/"));
    assertThat(Files.size(JAR)).isLessThan(20L * 1024 * 1024);
  }

  @Test
  void runsOnItsOwnAgainstTheEndpointItsEnvironmentNames() throws Exception {
    // given a deleted key on S3Mock
    LocalS3Server server = S3Servers.s3mock();
    S3Client s3 = S3Servers.client(server);
    String bucket = S3Servers.createVersionedBucket(s3, "lambda-jar");
    put(s3, bucket, "reports/q1 2024.csv", "numbers");
    String marker = deleteAndGetMarker(s3, bucket, "reports/q1 2024.csv");
    String event =
        event(
            Map.of("action", "rollback-deletes"),
            task("t-jar", bucket, "reports/q1 2024.csv", marker));

    // when the artifact alone runs the handler (java -jar: event on stdin, response on stdout)
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                JAR.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT);
    builder.environment().put(RollbackHandler.ENDPOINT_VARIABLE, server.endpoint().toString());
    builder.environment().put("AWS_REGION", "us-east-1");
    builder.environment().put("AWS_ACCESS_KEY_ID", "quarry");
    builder.environment().put("AWS_SECRET_ACCESS_KEY", "quarry");
    Process process = builder.start();
    try (OutputStream stdin = process.getOutputStream()) {
      stdin.write(event.getBytes(StandardCharsets.UTF_8));
    }
    byte[] stdout = process.getInputStream().readAllBytes();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();

    // then
    assertThat(process.exitValue()).isZero();
    JsonNode response = JSON.readTree(stdout);
    assertThat(results(response))
        .containsExactly(entry("t-jar", "Succeeded: delete marker removed"));
    assertThat(read(s3, bucket, "reports/q1 2024.csv")).isEqualTo("numbers");
  }
}
