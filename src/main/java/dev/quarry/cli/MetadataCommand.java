package dev.quarry.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Placeholder until the command is written. */
@Command(name = "metadata", mixinStandardHelpOptions = true, description = "(not yet built)")
public final class MetadataCommand implements Runnable {
  @Mixin GlobalOptions global;

  private final CliContext context;

  public MetadataCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public void run() {
    throw new UnsupportedOperationException("metadata: " + context.getClass());
  }
}
