package dev.quarry.cli;

import dev.quarry.config.ConfigLoader;
import dev.quarry.config.QuarryConfig;
import dev.quarry.sandbox.SandboxState;
import java.io.PrintWriter;
import java.util.Map;
import java.util.Optional;

/**
 * What a command needs from its surroundings: the configuration in force, the output streams and
 * the environment. Tests build one with their own streams and environment.
 */
public final class CliContext {
  private final Map<String, String> environment;
  private final PrintWriter out;
  private final PrintWriter err;
  private final boolean interactive;

  public CliContext(
      Map<String, String> environment, PrintWriter out, PrintWriter err, boolean interactive) {
    this.environment = Map.copyOf(environment);
    this.out = out;
    this.err = err;
    this.interactive = interactive;
  }

  public static CliContext system() {
    return new CliContext(
        System.getenv(),
        new PrintWriter(System.out, true, java.nio.charset.StandardCharsets.UTF_8),
        new PrintWriter(System.err, true, java.nio.charset.StandardCharsets.UTF_8),
        System.console() != null);
  }

  /**
   * The configuration for a command. Without an S3 endpoint configured anywhere, a running
   * sandbox's endpoints are used, so {@code quarry sandbox up} is all a new user needs: its S3
   * endpoint, and its S3 Control endpoint unless one is configured (so that a job is never created
   * on AWS for a manifest uploaded to the sandbox).
   */
  public QuarryConfig config(GlobalOptions options) {
    QuarryConfig config =
        new ConfigLoader(environment)
            .load(
                new ConfigLoader.Flags(
                    options.config, options.profile, options.s3Endpoint, options.stateDir));
    if (config.s3Endpoint().isPresent()) {
      return config;
    }
    Optional<SandboxState> sandbox =
        SandboxState.read(config.sandboxDir()).filter(SandboxState::running);
    if (sandbox.isEmpty()) {
      return config;
    }
    QuarryConfig local = config.withS3Endpoint(sandbox.get().endpoint());
    if (local.aws().s3ControlEndpoint().isPresent()) {
      return local;
    }
    return sandbox
        .get()
        .controlProcess()
        .map(SandboxState.Control::endpoint)
        .map(local::withS3ControlEndpoint)
        .orElse(local);
  }

  public PrintWriter out() {
    return out;
  }

  public PrintWriter err() {
    return err;
  }

  /** Whether a person is at a terminal (progress lines and prompts make sense). */
  public boolean interactive() {
    return interactive;
  }

  public Map<String, String> environment() {
    return environment;
  }
}
