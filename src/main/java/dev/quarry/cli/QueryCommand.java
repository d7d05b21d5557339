package dev.quarry.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Placeholder until the command is written. */
@Command(name = "query", mixinStandardHelpOptions = true, description = "(not yet built)")
public final class QueryCommand implements Runnable {
  @Mixin GlobalOptions global;

  private final CliContext context;

  public QueryCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public void run() {
    throw new UnsupportedOperationException("query: " + context.getClass());
  }
}
