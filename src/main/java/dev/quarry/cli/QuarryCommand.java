package dev.quarry.cli;

import dev.quarry.config.Redact;
import dev.quarry.error.ErrorCode;
import dev.quarry.error.ErrorKind;
import dev.quarry.error.KnownFailures;
import dev.quarry.error.ProblemsException;
import dev.quarry.error.QuarryException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IFactory;

/** The root command: {@code quarry <command>}. */
@Command(
    name = "quarry",
    mixinStandardHelpOptions = true,
    versionProvider = QuarryCommand.Version.class,
    description = {
      "Turns a query over S3 Metadata tables into a tracked S3 Batch Operations job, on AWS or on"
          + " this machine.",
      "",
      "Start here, all on this machine:",
      "  quarry sandbox up                                # a local S3 server",
      "  quarry sandbox seed                              # the demo bucket 'starwatcher'",
      "  quarry metadata refresh --bucket starwatcher     # its S3 Metadata tables",
      "  quarry plan playbooks/restore-rainy-training.yaml  # the dry run of a playbook",
      ""
    },
    footerHeading = "%nExit codes:%n",
    footer = {
      "  0   success",
      "  1   a job ended Failed or Cancelled (run, confirm, resume)",
      "  2   user error: bad playbook, flag or parameter; a limit exceeded",
      "  3   external failure: an S3 endpoint, Athena or a server did not answer or refused",
      "  70  internal error: a bug in Quarry (the stack trace is printed)"
    })
public final class QuarryCommand implements Runnable {
  /**
   * The commands, in the order the usage lists them. Not in {@code @Command(subcommands)}: picocli
   * would then reflect over every command (and load the types of all their fields) before running
   * one, a third of {@code quarry validate}'s start-up; {@link #commandLine(CliContext, String...)}
   * builds only the branch a command line names.
   */
  private static final List<Class<?>> COMMANDS =
      List.of(
          ValidateCommand.class,
          SchemaCommand.class,
          PlanCommand.class,
          RunCommand.class,
          RunsCommand.class,
          JobsCommand.class,
          JobCommand.class,
          ConfirmCommand.class,
          CancelCommand.class,
          ResumeCommand.class,
          RetryCommand.class,
          RevertCommand.class,
          UndoCommand.class,
          DaemonCommand.class,
          ReportCommand.class,
          IamPolicyCommand.class,
          QueryCommand.class,
          MetadataCommand.class,
          SandboxCommand.class,
          DoctorCommand.class,
          CommandLine.HelpCommand.class);

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
  }

  /** Runs the CLI with the given context and returns the exit code. */
  public static int execute(CliContext context, String... args) {
    CommandLine cli = commandLine(context, args);
    cli.setOut(context.out());
    cli.setErr(context.err());
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> handle(context, commandLine, e));
    cli.setParameterExceptionHandler(
        (e, args2) -> {
          context.err().println("quarry: " + e.getMessage());
          CommandLine.UnmatchedArgumentException.printSuggestions(e, context.err());
          context
              .err()
              .println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
          return ErrorKind.USER.exitCode();
        });
    int code = cli.execute(args);
    context.out().flush();
    context.err().flush();
    return code;
  }

  /** The whole command tree, each command built with the context. */
  static CommandLine commandLine(CliContext context) {
    CommandLine root = new CommandLine(new QuarryCommand(), new ContextFactory(context));
    COMMANDS.forEach(root::addSubcommand);
    return root;
  }

  /**
   * The tree {@code args} need: when the first word names a command (other than {@code help}, which
   * lists them all), the root with that command's branch alone; otherwise the whole tree, so the
   * root's usage and the suggestions for a mistyped command see every command.
   */
  static CommandLine commandLine(CliContext context, String... args) {
    if (args.length > 0) {
      for (Class<?> command : COMMANDS) {
        Command annotation = command.getAnnotation(Command.class);
        if (!annotation.name().equals("help")
            && (annotation.name().equals(args[0])
                || Arrays.asList(annotation.aliases()).contains(args[0]))) {
          CommandLine root = new CommandLine(new QuarryCommand(), new ContextFactory(context));
          root.addSubcommand(command);
          return root;
        }
      }
    }
    return commandLine(context);
  }

  private static int handle(CliContext context, CommandLine commandLine, Exception thrown) {
    // a port taken or a refused connection is the machine's doing, not a bug, wherever it surfaced
    QuarryException known =
        thrown instanceof QuarryException q ? q : KnownFailures.of(thrown).orElse(null);
    Throwable e = known != null ? known : thrown;
    ErrorCode code = known != null ? known.errorCode() : ErrorCode.INTERNAL_ERROR;
    ErrorKind kind = code.kind();
    boolean json = wantsJson(commandLine);
    if (json) {
      Map<String, Object> error = new LinkedHashMap<>();
      error.put("code", code.name());
      error.put("kind", kind.name().toLowerCase(java.util.Locale.ROOT));
      error.put("message", Redact.text(e.getMessage()));
      if (e instanceof ProblemsException p) {
        error.put("problems", p.problems());
      }
      context.out().println(Json.write(Map.of("error", error)));
    }
    switch (kind) {
      case USER, EXTERNAL -> {
        // messages quote endpoints and SDK errors, which may carry a URL's credentials, and keys:
        // no credential, and no control or bidi character, reaches the terminal raw
        context
            .err()
            .println("quarry: " + withCode(RowOutput.visible(Redact.text(e.getMessage())), code));
        if (e.getCause() != null && kind == ErrorKind.EXTERNAL) {
          context
              .err()
              .println(
                  "  cause: "
                      + RowOutput.visible(Redact.text(String.valueOf(e.getCause().getMessage()))));
        }
      }
      case INTERNAL -> {
        context
            .err()
            .println(
                "quarry: internal error (a bug; please report it with this trace) ["
                    + code.name()
                    + "]:");
        e.printStackTrace(context.err());
      }
    }
    return kind.exitCode();
  }

  /**
   * The code closes the message's first line, {@code quarry: <message> [CODE]}: the words stay
   * first for the reader, and a script finds the code at a fixed place even when problems follow.
   */
  static String withCode(String message, ErrorCode code) {
    int end = message.indexOf('\n');
    String tag = " [" + code.name() + "]";
    return end < 0 ? message + tag : message.substring(0, end) + tag + message.substring(end);
  }

  private static boolean wantsJson(CommandLine commandLine) {
    for (Object mixin : commandLine.getMixins().values()) {
      if (mixin instanceof GlobalOptions g) {
        return g.output() == OutputFormat.json;
      }
    }
    return false;
  }

  /** Gives commands that declare a {@link CliContext} constructor the context of this run. */
  private record ContextFactory(CliContext context) implements IFactory {
    @Override
    public <K> K create(Class<K> type) throws Exception {
      try {
        return type.getDeclaredConstructor(CliContext.class).newInstance(context);
      } catch (NoSuchMethodException noContext) {
        return CommandLine.defaultFactory().create(type);
      }
    }
  }

  /** {@code --version}: the jar's version. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = QuarryCommand.class.getPackage().getImplementationVersion();
      return new String[] {"quarry " + (version == null ? "(development build)" : version)};
    }
  }
}
