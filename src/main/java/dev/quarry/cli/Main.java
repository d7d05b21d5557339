package dev.quarry.cli;

/** The {@code quarry} executable. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    Interruption interruption = Interruption.install(args, System.err);
    int code = QuarryCommand.execute(CliContext.system(), args);
    interruption.done();
    System.exit(code);
  }
}
