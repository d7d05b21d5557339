package dev.quarry.cli;

import dev.quarry.action.ActionRegistry;
import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.playbook.PlaybookSchema;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code quarry schema}: the playbook JSON Schema, for editors and other tools. */
@Command(
    name = "schema",
    mixinStandardHelpOptions = true,
    description = {
      "Prints the JSON Schema (draft 2020-12) of playbooks, every action's options included, so"
          + " editors can check playbooks as you type. With --action, prints one action's"
          + " options only."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  quarry schema > playbook.schema.json",
      "      then, with the YAML language server, start a playbook with:",
      "      # yaml-language-server: $schema=./playbook.schema.json",
      "  quarry schema --action restore"
    })
public final class SchemaCommand implements Runnable {
  @Mixin GlobalOptions global;

  @Option(
      names = "--action",
      paramLabel = "TYPE",
      description = "Only this action's options schema. Actions: ${COMPLETION-CANDIDATES}.",
      completionCandidates = ActionTypes.class)
  String action;

  private final CliContext context;

  public SchemaCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public void run() {
    Object schema =
        action == null
            ? PlaybookSchema.get().composed()
            : PlaybookSchema.fragment(action)
                .orElseThrow(
                    () ->
                        QuarryException.user(
                            ErrorCode.ACTION_UNKNOWN,
                            "unknown action '"
                                + action
                                + "'; valid: "
                                + String.join(", ", ActionRegistry.types())));
    context.out().println(Json.write(schema));
  }

  /** The registered action types, for help and completion. */
  static final class ActionTypes implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      return ActionRegistry.types().iterator();
    }
  }
}
