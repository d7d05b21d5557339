package dev.quarry.cli;

import dev.quarry.config.ConfigLoader;
import dev.quarry.config.QuarryConfig;
import dev.quarry.io.StateDirectory;
import dev.quarry.sandbox.SandboxState;
import java.io.PrintWriter;
import java.net.URI;
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
  private final boolean errTerminal;

  public CliContext(
      Map<String, String> environment, PrintWriter out, PrintWriter err, boolean interactive) {
    this(environment, out, err, interactive, interactive);
  }

  /**
   * @param errTerminal whether stderr is a terminal: progress bars there, plain lines otherwise
   */
  public CliContext(
      Map<String, String> environment,
      PrintWriter out,
      PrintWriter err,
      boolean interactive,
      boolean errTerminal) {
    this.environment = Map.copyOf(environment);
    this.out = out;
    this.err = err;
    this.interactive = interactive;
    this.errTerminal = errTerminal;
  }

  public static CliContext system() {
    return new CliContext(
        System.getenv(),
        new PrintWriter(System.out, true, java.nio.charset.StandardCharsets.UTF_8),
        new PrintWriter(System.err, true, java.nio.charset.StandardCharsets.UTF_8),
        System.console() != null,
        stderrIsTerminal());
  }

  /**
   * Whether stderr is a terminal, as a shell's {@code test -t 2} says; {@code quarry plan --output
   * json > out.json} still shows its progress to the person at the terminal. Java tells only
   * whether stdin and stdout both are ({@link System#console()}); on Linux, stderr's file names its
   * device.
   */
  private static boolean stderrIsTerminal() {
    try {
      String device =
          java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/2")).toString();
      return device.startsWith("/dev/pts/") || device.startsWith("/dev/tty");
    } catch (java.io.IOException | UnsupportedOperationException e) {
      return System.console() != null;
    }
  }

  /**
   * The configuration for a command. Without an S3 endpoint configured anywhere, a running
   * sandbox's endpoints are used, so {@code quarry sandbox up} is all a new user needs: its S3
   * endpoint, and its S3 Control endpoint unless one is configured (so that a job is never created
   * on AWS for a manifest uploaded to the sandbox). Wherever the sandbox's endpoints are used
   * without configured credentials, requests are signed with the key it hands out (its S3 Control
   * endpoint accepts no other).
   */
  public QuarryConfig config(GlobalOptions options) {
    QuarryConfig config =
        new ConfigLoader(environment)
            .load(
                new ConfigLoader.Flags(
                    options.config, options.profile, options.s3Endpoint, options.stateDir));
    StateDirectory.secure(config.stateDir());
    Optional<SandboxState> sandbox =
        SandboxState.read(config.sandboxDir()).filter(SandboxState::running);
    if (sandbox.isEmpty()) {
      return config;
    }
    SandboxState running = sandbox.get();
    Optional<URI> control = running.controlProcess().map(SandboxState.Control::endpoint);
    QuarryConfig local = config;
    if (config.s3Endpoint().isEmpty()) {
      local = config.withS3Endpoint(running.endpoint());
      if (local.aws().s3ControlEndpoint().isEmpty() && control.isPresent()) {
        local = local.withS3ControlEndpoint(control.get());
      }
    }
    boolean usesSandbox =
        local.s3Endpoint().equals(Optional.of(running.endpoint()))
            || (control.isPresent() && local.aws().s3ControlEndpoint().equals(control));
    if (usesSandbox && local.credentials().isEmpty() && running.sandboxCredentials().isPresent()) {
      SandboxState.Credentials key = running.sandboxCredentials().get();
      local =
          local.withCredentials(
              new QuarryConfig.StaticCredentials(key.accessKeyId(), key.secretAccessKey()));
    }
    return local;
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

  /** Whether stderr is a terminal, where progress is drawn as a bar. */
  public boolean errTerminal() {
    return errTerminal;
  }

  public Map<String, String> environment() {
    return environment;
  }
}
