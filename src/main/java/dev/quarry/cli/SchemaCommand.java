package dev.quarry.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Placeholder until the command is written. */
@Command(name = "schema", mixinStandardHelpOptions = true, description = "(not yet built)")
public final class SchemaCommand implements Runnable {
  @Mixin GlobalOptions global;

  private final CliContext context;

  public SchemaCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public void run() {
    throw new UnsupportedOperationException("schema: " + context.getClass());
  }
}
