package dev.quarry.cli;

import dev.quarry.config.QuarryConfig;
import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.sandbox.control.S3ControlEndpoint;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code quarry sandbox control-server}: runs the sandbox's S3 Control endpoint in the foreground
 * until the process is stopped. Hidden: {@code sandbox up} starts it in the background, and {@code
 * sandbox down} stops it by pid.
 */
@Command(
    name = "control-server",
    hidden = true,
    mixinStandardHelpOptions = true,
    description = {
      "Runs the local S3 Control endpoint (S3 Batch Operations jobs) for the S3 endpoint given,"
          + " until stopped. 'quarry sandbox up' starts it for you.",
      ""
    },
    footerHeading = "%nExamples:%n",
    footer = {"  quarry sandbox control-server --port 9091 --s3-endpoint http://127.0.0.1:9090"})
public final class SandboxControlServerCommand implements Runnable {
  @Mixin GlobalOptions global;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      defaultValue = "0",
      description = "Port on 127.0.0.1 (default: any free port).")
  int port;

  private final CliContext context;

  public SandboxControlServerCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public void run() {
    QuarryConfig config = context.config(global);
    if (config.s3Endpoint().isEmpty()) {
      throw QuarryException.user(
          ErrorCode.OPTION_INVALID,
          "the control server needs an S3-compatible endpoint: --s3-endpoint URL");
    }
    CountDownLatch stopped = new CountDownLatch(1);
    S3ControlEndpoint endpoint = S3ControlEndpoint.start(config, port);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  endpoint.close();
                  stopped.countDown();
                },
                "quarry-control-stop"));
    context
        .out()
        .printf(
            "S3 Control endpoint %s for S3 at %s; jobs under %s%n",
            endpoint.uri(), config.s3Endpoint().get(), config.stateDir().resolve("control"));
    context.out().flush();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
