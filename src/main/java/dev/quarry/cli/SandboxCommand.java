package dev.quarry.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Placeholder until the command is written. */
@Command(name = "sandbox", mixinStandardHelpOptions = true, description = "(not yet built)")
public final class SandboxCommand implements Runnable {
  @Mixin GlobalOptions global;

  private final CliContext context;

  public SandboxCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public void run() {
    throw new UnsupportedOperationException("sandbox: " + context.getClass());
  }
}
