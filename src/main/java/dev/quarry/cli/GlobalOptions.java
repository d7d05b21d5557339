package dev.quarry.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every command takes; mixed into each command so they can follow the command name. */
public final class GlobalOptions {
  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).",
      defaultValue = "text")
  OutputFormat output;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "Configuration file (default: quarry.yaml in the working directory, or $QUARRY_CONFIG).")
  Path config;

  @Option(
      names = "--profile",
      paramLabel = "NAME",
      description = "Profile of the configuration file to use (or $QUARRY_PROFILE).")
  String profile;

  @Option(
      names = "--s3-endpoint",
      paramLabel = "URL",
      description =
          "S3-compatible endpoint, e.g. http://127.0.0.1:9090 (or $QUARRY_S3_ENDPOINT). Default: the"
              + " running sandbox, else AWS.")
  String s3Endpoint;

  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      description =
          "Local state: metadata warehouse, runs, sandbox (default: .quarry, or $QUARRY_STATE_DIR).")
  Path stateDir;

  public OutputFormat output() {
    return output;
  }
}
