package dev.quarry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/** Every command's {@code --help} renders, with a description, and without picocli warnings. */
class HelpTest {
  static Stream<List<String>> commands() {
    List<List<String>> paths = new ArrayList<>();
    collect(
        QuarryCommand.commandLine(
            new CliContext(
                Map.of(),
                new PrintWriter(new StringWriter()),
                new PrintWriter(new StringWriter()),
                false)),
        new ArrayList<>(),
        paths);
    return paths.stream();
  }

  private static void collect(CommandLine command, List<String> path, List<List<String>> paths) {
    paths.add(List.copyOf(path));
    command
        .getSubcommands()
        .forEach(
            (name, sub) -> {
              if (!name.equals("help")) {
                List<String> next = new ArrayList<>(path);
                next.add(name);
                collect(sub, next, paths);
              }
            });
  }

  @ParameterizedTest
  @MethodSource("commands")
  void helpRendersCleanly(List<String> path) {
    // given
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> args = new ArrayList<>(path);
    args.add("--help");
    // picocli reports description format errors on System.err
    PrintStream originalErr = System.err;
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));

    // when
    int code;
    try {
      code =
          QuarryCommand.execute(
              new CliContext(Map.of(), new PrintWriter(out), new PrintWriter(err), false),
              args.toArray(String[]::new));
    } finally {
      System.setErr(originalErr);
    }

    // then
    assertThat(code).isZero();
    assertThat(out.toString()).startsWith("Usage: quarry").doesNotContain("%n");
    assertThat(err.toString()).isEmpty();
    assertThat(stderr.toString(StandardCharsets.UTF_8)).doesNotContain("WARN");
  }
}
