package dev.quarry.cli;

/** The {@code quarry} executable. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(QuarryCommand.execute(CliContext.system(), args));
  }
}
