package dev.quarry.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Placeholder until the command is written. */
@Command(name = "validate", mixinStandardHelpOptions = true, description = "(not yet built)")
public final class ValidateCommand implements Runnable {
  @Mixin GlobalOptions global;

  private final CliContext context;

  public ValidateCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public void run() {
    throw new UnsupportedOperationException("validate: " + context.getClass());
  }
}
