package dev.quarry;

import dev.quarry.config.S3Clients;
import dev.quarry.sandbox.SandboxState;
import dev.quarry.testing.S3Servers;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Runs the checkout's scripts ({@code bin/quickstart}, {@code bin/quarry}) as a user does, on the
 * packaged jar, with their state and manifests in a folder of the test's.
 */
final class QuickstartRunner {
  private final Path work;
  private final Map<String, String> environment;

  QuickstartRunner(Path work) {
    this.work = work;
    this.environment =
        Map.of(
            "QUARRY_SKIP_BUILD", "1",
            "QUARRY_STATE_DIR", work.resolve("state").toString(),
            "QUARRY_MANIFESTS_DIR", work.resolve("manifests").toString());
  }

  record Result(int exitCode, String output) {}

  Result run(String... command) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(List.of(command)).redirectErrorStream(true);
    builder.environment().putAll(environment);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(10, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IllegalStateException(List.of(command) + " did not finish:\n" + output);
    }
    return new Result(process.exitValue(), output);
  }

  Path manifests() {
    return work.resolve("manifests");
  }

  /** A client of the sandbox the quickstart left running. */
  S3Client sandboxS3() {
    URI endpoint =
        SandboxState.runningEndpoint(work.resolve("state").resolve("sandbox")).orElseThrow();
    return S3Clients.create(S3Servers.config(endpoint, work.resolve("state")), 8);
  }

  void stopSandbox() throws IOException, InterruptedException {
    run("bin/quarry", "sandbox", "down", "--purge");
  }
}
