package dev.quarry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A command names itself first, so only its own branch of the tree is built: picocli's reflection
 * over every command was a third of {@code quarry validate}'s start-up (docs/PERFORMANCE.md,
 * section 6). Everything that lists commands still sees them all.
 */
class CommandTreeTest {
  private static CliContext context(StringWriter out) {
    return new CliContext(
        Map.of(), new PrintWriter(out), new PrintWriter(new StringWriter()), false);
  }

  @Test
  void aNamedCommandGetsOnlyItsOwnBranch() {
    // when
    var tree = QuarryCommand.commandLine(context(new StringWriter()), "validate", "playbooks/");

    // then
    assertThat(tree.getSubcommands()).containsOnlyKeys("validate");
  }

  @Test
  void nestedCommandsKeepTheirSubcommands() {
    // when
    var tree = QuarryCommand.commandLine(context(new StringWriter()), "metadata", "refresh");

    // then
    assertThat(tree.getSubcommands()).containsOnlyKeys("metadata");
    assertThat(tree.getSubcommands().get("metadata").getSubcommands())
        .containsKeys("refresh", "import", "status");
  }

  @Test
  void helpAndUnknownWordsGetTheWholeTree() {
    // given
    var whole = QuarryCommand.commandLine(context(new StringWriter())).getSubcommands().keySet();

    // then
    assertThat(whole).hasSizeGreaterThan(15).contains("validate", "sandbox", "help");
    assertThat(QuarryCommand.commandLine(context(new StringWriter()), "help").getSubcommands())
        .containsOnlyKeys(whole);
    assertThat(QuarryCommand.commandLine(context(new StringWriter()), "--help").getSubcommands())
        .containsOnlyKeys(whole);
    assertThat(QuarryCommand.commandLine(context(new StringWriter()), "valdate").getSubcommands())
        .containsOnlyKeys(whole);
    assertThat(QuarryCommand.commandLine(context(new StringWriter())).getSubcommands())
        .containsOnlyKeys(whole);
  }

  @Test
  void theRootsUsageStillListsEveryCommandInOrder() {
    // given
    StringWriter out = new StringWriter();

    // when
    int code = QuarryCommand.execute(context(out), "--help");

    // then
    assertThat(code).isZero();
    assertThat(out.toString())
        .contains("validate", "schema", "plan", "sandbox", "doctor", "help")
        .containsSubsequence("  validate", "  schema", "  plan", "  run ", "  doctor", "  help");
  }

  @Test
  void anUnknownCommandStillGetsASuggestion() {
    // given
    StringWriter err = new StringWriter();

    // when
    int code =
        QuarryCommand.execute(
            new CliContext(
                Map.of(), new PrintWriter(new StringWriter()), new PrintWriter(err), false),
            "valdate",
            "playbooks/");

    // then
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("validate");
  }
}
