package dev.quarry.sandbox.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.job.local.LocalBatchJobs;
import dev.quarry.testing.S3Servers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The endpoint serves clients other than the Java SDK: boto3 (Python), with the host-prefix handler
 * {@code quarry sandbox up --help} describes, creates a job, follows it to the end and lists it.
 * Skipped where python3 has no boto3 (moto_server, which the other tests need, brings it).
 */
class Boto3ClientIT {
  private static final String ACCOUNT = "111122223333";

  @TempDir Path dir;

  @Test
  void boto3CreatesFollowsAndListsAJobThatTagsTheObjects() throws Exception {
    assumeTrue(hasBoto3(), "python3 with boto3 is not installed here: Boto3ClientIT is skipped");
    // given an object, and a manifest naming it, on S3Mock
    S3Client s3 = S3Servers.client(S3Servers.s3mock());
    String bucket = S3Servers.createVersionedBucket(s3, "boto3");
    s3.putObject(b -> b.bucket(bucket).key("a b.txt"), RequestBody.fromString("a"));
    String etag =
        s3.putObject(
                b -> b.bucket(bucket).key("manifest.csv"),
                RequestBody.fromString(bucket + ",a%20b.txt\n"))
            .eTag()
            .replace("\"", "");
    Path script = dir.resolve("boto3_tagging_job.py");
    try (var in = getClass().getResourceAsStream("boto3_tagging_job.py")) {
      Files.copy(in, script);
    }

    // when boto3 drives the endpoint
    JsonNode job;
    try (S3ControlEndpoint endpoint =
        S3ControlEndpoint.start(
            new S3ControlEndpoint.Settings(
                0, dir.resolve("control"), "us-east-1", s3, LocalBatchJobs.Settings.defaults()))) {
      job =
          new ObjectMapper()
              .readTree(
                  python(
                      script.toString(),
                      endpoint.uri().toString(),
                      ACCOUNT,
                      bucket,
                      "manifest.csv",
                      etag));
    }

    // then
    assertThat(job.path("status").asText()).isEqualTo("Complete");
    assertThat(job.path("description").asText()).isEqualTo("tagged by boto3");
    assertThat(job.path("progress").path("NumberOfTasksSucceeded").asInt()).isEqualTo(1);
    assertThat(job.path("listedComplete").toString()).contains(job.path("jobId").asText());
    assertThat(s3.getObjectTagging(b -> b.bucket(bucket).key("a b.txt")).tagSet())
        .extracting(t -> t.key() + "=" + t.value())
        .containsExactly("via=boto3");
  }

  private static boolean hasBoto3() {
    try {
      Process p = new ProcessBuilder("python3", "-c", "import boto3").start();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static String python(String... args) throws Exception {
    Process p =
        new ProcessBuilder(concat("python3", args).toArray(String[]::new))
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(90, TimeUnit.SECONDS)).as(output).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
    return output;
  }

  private static List<String> concat(String first, String... rest) {
    return java.util.stream.Stream.concat(
            java.util.stream.Stream.of(first), java.util.Arrays.stream(rest))
        .toList();
  }
}
