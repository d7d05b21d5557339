package dev.quarry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.testing.TestWarehouse;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A real {@code quarry} process stopped with SIGTERM while DuckDB spills a cross join. */
class InterruptionTest {
  @TempDir Path dir;

  @Test
  @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a hang is the failure
  void sigtermSaysWhatItLeftExits143AndRemovesTheSpill() throws Exception {
    // given: a query spilling under a small memory bound in a process of its own
    Path state = dir.resolve("state");
    try (TestWarehouse tables = new TestWarehouse(state.resolve("warehouse"))) {
      tables.inventory("b_photos", "SELECT 'photos' AS bucket, 'a.jpg' AS key");
    }
    Path stderr = dir.resolve("stderr.txt");
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "query",
                "--state-dir",
                state.toString(),
                "SELECT x, y FROM UNNEST(sequence(0, 29999)) AS a(x),"
                    + " UNNEST(sequence(0, 29999)) AS b(y) ORDER BY x * 7 % 1000, y")
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(stderr.toFile());
    builder.environment().put("QUARRY_DUCKDB_MEMORY_LIMIT", "16MB");
    builder.environment().put("QUARRY_DUCKDB_MAX_TEMP_SIZE", "2GB");
    builder.environment().put("QUARRY_CONFIG", dir.resolve("none.yaml").toString());
    Process process = builder.start();
    Path spill = state.resolve("tmp").resolve("duckdb");
    try {
      while (spillFiles(spill).isEmpty()) {
        assertThat(process.isAlive()).as("quarry ended before spilling: %s", read(stderr)).isTrue();
        Thread.sleep(20);
      }

      // when
      process.destroy(); // SIGTERM

      // then
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    } finally {
      process.destroyForcibly();
    }
    assertThat(process.exitValue()).isEqualTo(143);
    assertThat(read(stderr).lines())
        .containsExactly(
            "quarry: query interrupted (stopped by a signal); nothing was changed; temporary"
                + " query files were removed");
    try (Stream<Path> left = Files.list(spill)) {
      assertThat(left).isEmpty();
    }
  }

  /** DuckDB's files in the engine's spill directory, if it made any yet. */
  private static List<Path> spillFiles(Path root) throws Exception {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(root)) {
      return files
          .filter(Files::isRegularFile)
          .filter(f -> !f.getFileName().toString().endsWith(".lock"))
          .toList();
    }
  }

  private static String read(Path file) throws Exception {
    File f = file.toFile();
    return f.exists() ? Files.readString(file, StandardCharsets.UTF_8) : "";
  }
}
