package dev.quarry.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A class's {@code main} in a JVM of its own (this test JVM's class path), SIGKILLed once a line of
 * its output passes a test: no shutdown hook and no finally block runs, as when a machine dies.
 */
public final class KilledJvm {
  private KilledJvm() {}

  /**
   * Starts {@code main} with {@code args} and {@code environment} added to this JVM's, reads its
   * output (stdout and stderr together) until a line passes {@code killWhen}, kills it with SIGKILL
   * and waits for it to die.
   *
   * @return what it printed up to and including that line
   */
  public static String killWhen(
      Class<?> main, List<String> args, Map<String, String> environment, Predicate<String> killWhen)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(main.getName());
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(environment);
    Process child = builder.start();
    StringBuilder seen = new StringBuilder();
    boolean reached = false;
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        seen.append(line).append(System.lineSeparator());
        if (killWhen.test(line)) {
          reached = true;
          // SIGKILL: no shutdown hook, no finally block runs
          new ProcessBuilder("kill", "-KILL", Long.toString(child.pid()))
              .inheritIO()
              .start()
              .waitFor();
          break;
        }
      }
    }
    assertThat(reached).as("the child reached the point; its output:%n%s", seen).isTrue();
    assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(137);
    return seen.toString();
  }
}
