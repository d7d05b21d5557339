package dev.quarry.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Placeholder until the command is written. */
@Command(name = "plan", mixinStandardHelpOptions = true, description = "(not yet built)")
public final class PlanCommand implements Runnable {
  @Mixin GlobalOptions global;

  private final CliContext context;

  public PlanCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public void run() {
    throw new UnsupportedOperationException("plan: " + context.getClass());
  }
}
