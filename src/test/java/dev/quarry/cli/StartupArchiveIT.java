package dev.quarry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/quarry} trains a class-data sharing archive beside the jar on its first run and starts
 * later runs from it (docs/PERFORMANCE.md, section 6), without changing what a command prints.
 */
class StartupArchiveIT {
  @TempDir Path work;

  private record Result(int code, String output) {}

  private Result quarry(Path jar, Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    ProcessBuilder builder =
        new ProcessBuilder(Stream.concat(Stream.of("bin/quarry"), Stream.of(args)).toList())
            .redirectErrorStream(true);
    builder.environment().put("QUARRY_JAR", jar.toString());
    builder.environment().putAll(env);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
    return new Result(process.exitValue(), output);
  }

  private List<Path> archives() throws IOException {
    try (Stream<Path> files = Files.list(work)) {
      return files.filter(f -> f.toString().endsWith(".jsa")).toList();
    }
  }

  @Test
  void theFirstRunTrainsAnArchiveThatLaterRunsStartFrom() throws Exception {
    // given: a jar of its own, so the archive lands in the test's folder
    Path jar = Files.copy(Path.of("target", "quarry.jar"), work.resolve("quarry.jar"));

    // when
    Result first = quarry(jar, Map.of(), "validate", "playbooks/");
    Path classes = work.resolve("classes.log");
    Result second =
        quarry(
            jar,
            Map.of("QUARRY_JAVA_OPTS", "-Xlog:class+load=info:file=" + classes),
            "validate",
            "playbooks/");

    // then: the same verdict, and Quarry's own classes come from the archive the first run made
    assertThat(first.code()).isZero();
    assertThat(first.output()).contains("checked: ").doesNotContain("cds", "warning");
    assertThat(archives()).hasSize(1);
    assertThat(second.code()).isZero();
    assertThat(second.output()).isEqualTo(first.output());
    assertThat(Files.readString(classes))
        .contains("dev.quarry.cli.Main source: shared objects file (top)");
  }

  @Test
  void aRebuiltJarGetsAFreshArchiveAndTheStaleOneGoes() throws Exception {
    // given
    Path jar = Files.copy(Path.of("target", "quarry.jar"), work.resolve("quarry.jar"));
    quarry(jar, Map.of(), "--version");
    List<Path> before = archives();

    // when: the jar changes (its modification time)
    Files.setLastModifiedTime(
        jar,
        java.nio.file.attribute.FileTime.fromMillis(
            Files.getLastModifiedTime(jar).toMillis() + 60_000));
    Result again = quarry(jar, Map.of(), "--version");

    // then
    assertThat(again.code()).isZero();
    assertThat(again.output()).startsWith("quarry ");
    assertThat(before).hasSize(1);
    assertThat(archives()).hasSize(1).doesNotContainAnyElementsOf(before);
  }

  @Test
  void shortCommandsRunOnC1AloneAndLongOnesKeepTheFullJit() throws Exception {
    // given
    Path jar = Files.copy(Path.of("target", "quarry.jar"), work.resolve("quarry.jar"));
    Map<String, String> flags = Map.of("QUARRY_JAVA_OPTS", "-XX:+PrintCommandLineFlags");

    // when
    Result validate = quarry(jar, flags, "validate", "playbooks/");
    Result help = quarry(jar, flags, "--help");
    Result plan = quarry(jar, flags, "plan", "--help");

    // then
    assertThat(validate.code()).isZero();
    assertThat(validate.output()).contains("-XX:TieredStopAtLevel=1", "checked: ");
    assertThat(help.output()).contains("-XX:TieredStopAtLevel=1");
    assertThat(plan.code()).isZero();
    assertThat(plan.output()).contains("-XX:+PrintCommandLineFlags", "Usage: quarry plan");
    assertThat(plan.output()).doesNotContain("TieredStopAtLevel");
  }

  @Test
  void executorCommandsRunWithTheSerialCollectorAndTheFullJit() throws Exception {
    // given
    Path jar = Files.copy(Path.of("target", "quarry.jar"), work.resolve("quarry.jar"));
    Map<String, String> flags = Map.of("QUARRY_JAVA_OPTS", "-XX:+PrintCommandLineFlags");

    // when
    Result run = quarry(jar, flags, "run", "--help");
    Result jobs = quarry(jar, flags, "jobs", "--help");

    // then: the JVM takes them (C2 as well: `run` also plans, rows streamed through Java need it)
    for (Result executor : List.of(run, jobs)) {
      assertThat(executor.code()).isZero();
      assertThat(executor.output()).contains("-XX:+UseSerialGC", "Usage: quarry ");
      assertThat(executor.output()).doesNotContain("TieredStopAtLevel");
    }
  }

  @Test
  void printsTheOptionsOfACommandForTheBenchmarks() throws Exception {
    // given: no jar at all; the options do not depend on it
    Path missing = work.resolve("none.jar");
    Map<String, String> print = Map.of("QUARRY_PRINT_JAVA_OPTS", "1");

    // when
    Result run = quarry(missing, print, "run", "x.yaml");
    Result resume = quarry(missing, print, "resume", "x");
    Result plan = quarry(missing, print, "plan", "x.yaml");
    Result daemon = quarry(missing, print, "daemon");
    Result validate = quarry(missing, print, "validate", "x.yaml");

    // then: the executor's one-job commands get the serial collector; the daemon (it lives for
    // days) and a plan keep the JVM's choice; a short command runs on C1
    assertThat(run.code()).isZero();
    assertThat(run.output().lines()).containsExactly("-Xss4m", "-XX:+UseSerialGC", "-Xms64m");
    assertThat(resume.output().lines()).containsExactly("-Xss4m", "-XX:+UseSerialGC", "-Xms64m");
    assertThat(plan.output().lines()).containsExactly("-Xss4m");
    assertThat(daemon.output().lines()).containsExactly("-Xss4m");
    assertThat(validate.output().lines()).containsExactly("-Xss4m", "-XX:TieredStopAtLevel=1");
    assertThat(archives()).isEmpty();
  }

  @Test
  void offSkipsTheArchive() throws Exception {
    // given
    Path jar = Files.copy(Path.of("target", "quarry.jar"), work.resolve("quarry.jar"));

    // when
    Result result = quarry(jar, Map.of("QUARRY_CDS", "off"), "--version");

    // then
    assertThat(result.code()).isZero();
    assertThat(archives()).isEmpty();
  }
}
