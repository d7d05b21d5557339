package dev.quarry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar and DuckDB's JNI library: the jar holds none (DuckDB would inflate 60 MB into a
 * new temporary file at every start, and leave it behind when killed), the build puts them next to
 * it, where DuckDB loads them from, and a jar copied away from them says so.
 */
class NativeLibraryIT {
  private static final Path JAR = Path.of(System.getProperty("quarry.jar", "target/quarry.jar"));

  @TempDir Path dir;

  @Test
  void theJarHoldsNoCopyOfDuckDbsLibraryAndTheBuildPutsThemBesideIt() throws IOException {
    // when
    List<String> inside;
    try (JarFile jar = new JarFile(JAR.toFile())) {
      inside =
          jar.stream().map(e -> e.getName()).filter(n -> n.contains("libduckdb_java")).toList();
    }
    List<String> beside;
    try (Stream<Path> files = Files.list(JAR.toAbsolutePath().getParent())) {
      beside =
          files
              .map(p -> p.getFileName().toString())
              .filter(n -> n.startsWith("libduckdb_java.so_"))
              .toList();
    }

    // then
    assertThat(inside).isEmpty();
    assertThat(beside).contains("libduckdb_java.so_linux_amd64", "libduckdb_java.so_osx_universal");
  }

  @Test
  void aQueryThroughThePackagedJarLoadsTheLibraryBesideIt() throws Exception {
    // when
    Result result = java(JAR, "query", "--state-dir", dir.resolve("state").toString(), "SELECT 42");

    // then
    assertThat(result.code()).as(result.output()).isZero();
    assertThat(result.output()).contains("42");
  }

  @Test
  void aJarCopiedAwayFromTheLibrarySaysWhatIsMissing() throws Exception {
    // given
    Path alone = Files.copy(JAR, Files.createDirectory(dir.resolve("alone")).resolve("quarry.jar"));

    // when
    Result result =
        java(alone, "query", "--state-dir", dir.resolve("state").toString(), "SELECT 42");

    // then: a user error naming the file, not DuckDB's linkage stack trace
    assertThat(result.code()).as(result.output()).isEqualTo(2);
    assertThat(result.output())
        .contains(dir.resolve("alone").resolve("libduckdb_java.so_").toString())
        .contains("[INSTALLATION_INCOMPLETE]")
        .doesNotContain("UnsatisfiedLinkError");
  }

  @Test
  void aLibraryOfOnesOwnOnTheLibraryPathServesAJarWithoutOne() throws Exception {
    // given: the jar alone, and DuckDB's library under its plain name in a folder of its own
    Path alone = Files.copy(JAR, Files.createDirectory(dir.resolve("alone")).resolve("quarry.jar"));
    Path lib = Files.createDirectory(dir.resolve("lib"));
    Files.copy(
        JAR.toAbsolutePath().resolveSibling("libduckdb_java.so_linux_amd64"),
        lib.resolve(System.mapLibraryName("duckdb_java")));

    // when: as DuckDB's own loader allows, the folder is on java.library.path
    Result result =
        java(
            List.of("-Djava.library.path=" + lib),
            alone,
            "query",
            "--state-dir",
            dir.resolve("state").toString(),
            "SELECT 42");

    // then
    assertThat(result.code()).as(result.output()).isZero();
    assertThat(result.output()).contains("42");
  }

  private record Result(int code, String output) {}

  private Result java(Path jar, String... args) throws Exception {
    return java(List.of(), jar, args);
  }

  private Result java(List<String> options, Path jar, String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(options);
    command.add("-jar");
    command.add(jar.toAbsolutePath().toString());
    command.addAll(List.of(args));
    Path log = dir.resolve("out-" + System.nanoTime() + ".txt");
    Process process =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }
}
