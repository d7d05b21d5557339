package dev.quarry.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.cli.CliContext;
import dev.quarry.cli.QuarryCommand;
import dev.quarry.sandbox.LocalS3Server;
import dev.quarry.testing.S3Servers;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

class MetadataCommandIT {
  /** Objects for the throughput line; raise with -Dquarry.it.objects=5000 to measure. */
  private static final int OBJECTS = Integer.getInteger("quarry.it.objects", 300);

  @TempDir Path stateDir;

  private final LocalS3Server server = S3Servers.s3mock();
  private final S3Client s3 = S3Servers.client(server);

  @Test
  void refreshesThenReportsStatusAsJson() throws Exception {
    // given
    String bucket = S3Servers.createVersionedBucket(s3, "cli");
    IntStream.range(0, OBJECTS)
        .parallel()
        .forEach(
            i ->
                s3.putObject(
                    b -> b.bucket(bucket).key("obj/" + i).tagging("n=" + i),
                    RequestBody.fromString("x" + i)));

    // when
    Result refresh =
        run("metadata", "refresh", "--bucket", bucket, "--concurrency", "16", "-o", "json");
    Result status = run("metadata", "status", "-o", "json");

    // then
    assertThat(refresh.code()).as(refresh.err()).isZero();
    JsonNode summary = new ObjectMapper().readTree(refresh.out());
    assertThat(summary.get("versions").asLong()).isEqualTo(OBJECTS);
    assertThat(summary.get("creates").asLong()).isEqualTo(OBJECTS);
    assertThat(summary.get("journalRows").asLong()).isEqualTo(OBJECTS);
    System.out.printf(
        "refresh throughput against S3Mock: %d objects, %.0f objects/s%n",
        OBJECTS, summary.get("objectsPerSecond").asDouble());
    JsonNode namespace = new ObjectMapper().readTree(status.out()).get("namespaces").get(0);
    assertThat(namespace.get("namespace").asText()).isEqualTo("b_" + bucket);
    assertThat(namespace.get("inventoryRows").asLong()).isEqualTo(OBJECTS);
    assertThat(namespace.get("endpoint").asText()).isEqualTo(server.endpoint().toString());
  }

  @Test
  void anIncrementalRefreshTellsHowManyVersionsItKnew() throws Exception {
    // given
    String bucket = S3Servers.createVersionedBucket(s3, "cli-incr");
    IntStream.range(0, 20)
        .forEach(
            i -> s3.putObject(b -> b.bucket(bucket).key("obj/" + i), RequestBody.fromString("x")));
    assertThat(run("metadata", "refresh", "--bucket", bucket).code()).isZero();
    s3.putObject(b -> b.bucket(bucket).key("obj/new"), RequestBody.fromString("y"));

    // when
    Result json = run("metadata", "refresh", "--bucket", bucket, "--incremental", "-o", "json");
    Result full = run("metadata", "refresh", "--bucket", bucket);

    // then
    assertThat(json.code()).as(json.err()).isZero();
    JsonNode summary = new ObjectMapper().readTree(json.out());
    assertThat(summary.get("versionsReadInFull").asLong()).isEqualTo(1);
    assertThat(summary.get("versionsReused").asLong()).isEqualTo(20);
    assertThat(summary.get("creates").asLong()).isEqualTo(1);
    assertThat(full.code()).as(full.err()).isZero();
    assertThat(full.out())
        .contains("versions: 21 read in full (HeadObject), 0 known from the previous inventory");
  }

  @Test
  void unknownBucketIsAUserError() {
    // when
    Result result = run("metadata", "refresh", "--bucket", S3Servers.newBucketName("absent"));

    // then
    assertThat(result.code()).isEqualTo(2);
    assertThat(result.err()).contains("not found at " + server.endpoint());
  }

  @Test
  void helpShowsExamples() {
    // when
    Result result = run("metadata", "refresh", "--help");

    // then
    assertThat(result.code()).isZero();
    assertThat(result.out())
        .contains("--concurrency", "quarry metadata refresh --bucket", "--incremental")
        .contains("UpdateObjectEncryption");
  }

  private record Result(int code, String out, String err) {}

  private Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] all = new String[args.length + 4];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--s3-endpoint";
    all[args.length + 1] = server.endpoint().toString();
    all[args.length + 2] = "--state-dir";
    all[args.length + 3] = stateDir.toString();
    int code =
        QuarryCommand.execute(
            new CliContext(Map.of(), new PrintWriter(out), new PrintWriter(err), false), all);
    return new Result(code, out.toString(), err.toString());
  }
}
