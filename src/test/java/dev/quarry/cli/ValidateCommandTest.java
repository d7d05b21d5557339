package dev.quarry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.query.BoundQuery;
import dev.quarry.query.EnginePool;
import dev.quarry.query.ObjectRow;
import dev.quarry.query.QueryEngine;
import dev.quarry.testing.TestWarehouse;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ValidateCommandTest {
  private static final String VALID =
      """
      name: untag
      query: SELECT bucket, key FROM inventory
      action: { type: delete-tags }
      """;

  private static final String BAD =
      """
      name: restore
      query: SELECT bucket, key FROM inventory
      action:
        type: restore
        days: five
      """;

  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private final CliContext context =
      new CliContext(Map.of(), new PrintWriter(out, true), new PrintWriter(err, true), false);

  private Path write(String name, String yaml) throws IOException {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    return Files.writeString(file, yaml);
  }

  @Test
  void validPlaybooksExitZero() throws Exception {
    // given
    Path file = write("untag.yaml", VALID);

    // when
    int code = QuarryCommand.execute(context, "validate", file.toString());

    // then
    assertThat(code).isZero();
    assertThat(out.toString().lines())
        .containsExactly(file + ": ok", "1 file checked: 1 valid, 0 with problems");
  }

  @Test
  void aDeviceIsRefusedWithoutReadingIt() {
    // when: /dev/zero never ends; reading it whole ended in OutOfMemoryError
    int code = QuarryCommand.execute(context, "validate", "/dev/zero");

    // then
    assertThat(code).isEqualTo(2);
    assertThat(out.toString())
        .contains("/dev/zero")
        .contains("not a regular file (a device, named pipe or socket)");
  }

  @Test
  @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a hang is the failure
  void aNamedPipeIsRefusedWithoutOpeningIt() throws Exception {
    // given: a FIFO nobody writes to, whose open would wait forever
    Path fifo = dir.resolve("pipe.yaml");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();

    // when
    int code = QuarryCommand.execute(context, "validate", fifo.toString());

    // then
    assertThat(code).isEqualTo(2);
    assertThat(out.toString()).contains(fifo + "").contains("not a regular file");
  }

  @Test
  void aFileOverTheLimitIsRefusedBeforeItIsRead() throws Exception {
    // given: a sparse file of 1.5 GB (no disk used); reading it took 6.8 GB of memory
    Path huge = dir.resolve("huge.yaml");
    try (RandomAccessFile file = new RandomAccessFile(huge.toFile(), "rw")) {
      file.setLength(1536L << 20);
    }

    // when
    int code = QuarryCommand.execute(context, "validate", huge.toString());

    // then
    assertThat(code).isEqualTo(2);
    assertThat(out.toString())
        .contains(huge.toString())
        .contains("too large: 1610612736 bytes, and a playbook has at most 1048576 bytes");
  }

  @Test
  void everyProblemOfEveryFileInAFolderIsReportedAndExitsTwo() throws Exception {
    // given two bad playbooks, one in a subfolder, a good one and a file that is no playbook
    Path bad = write("restore.yaml", BAD);
    Path alsoBad = write("nested/acton.yml", VALID.replace("action:", "acton:"));
    Path good = write("untag.yaml", VALID);
    write("notes.txt", "not a playbook");

    // when
    int code = QuarryCommand.execute(context, "validate", dir.toString());

    // then
    assertThat(code).isEqualTo(2);
    assertThat(out.toString().lines())
        .containsExactly(
            alsoBad
                + ":3:1: acton: unknown field 'acton'; valid: name, description, schedule,"
                + " incremental, bucket, metadata, query, parameters, action, then, revert, limits,"
                + " report",
            bad + ":5:9: action.days: expected integer, got string 'five'",
            good + ": ok",
            "3 files checked: 1 valid, 2 with problems (2 problems)");
  }

  @Test
  void jsonOutputListsEachFileWithItsProblems() throws Exception {
    // given
    Path bad = write("restore.yaml", BAD);
    Path good = write("untag.yaml", VALID);

    // when
    int code =
        QuarryCommand.execute(
            context, "validate", "--output", "json", bad.toString(), good.toString());

    // then
    assertThat(code).isEqualTo(2);
    JsonNode json = new ObjectMapper().readTree(out.toString());
    assertThat(json)
        .isEqualTo(
            new ObjectMapper()
                .readTree(
                    """
                    {"files": [
                      {"file": "%s", "valid": false, "problems": [
                        {"file": "%s", "line": 5, "column": 9, "path": "action.days",
                         "message": "expected integer, got string 'five'"}]},
                      {"file": "%s", "valid": true, "problems": []}]}
                    """
                        .formatted(bad, bad, good)));
  }

  @Test
  void aMissingFileIsAProblem() {
    // given
    Path missing = dir.resolve("missing.yaml");

    // when
    int code = QuarryCommand.execute(context, "validate", missing.toString());

    // then
    assertThat(code).isEqualTo(2);
    assertThat(out.toString()).contains(missing + ": no such file");
  }

  @Test
  void checkColumnsAsksTheEngineAboutEveryValidPlaybook() throws Exception {
    // given
    Path file = write("untag.yaml", VALID.replace("bucket, key", "bucket"));
    FakeEngine engine = new FakeEngine(List.of("bucket"));
    CommandLine cli = new CommandLine(new ValidateCommand(context, () -> EnginePool.of(engine)));

    // when
    int code = cli.execute("--check-columns", file.toString());

    // then
    assertThat(code).isEqualTo(2);
    assertThat(out.toString())
        .contains(
            file
                + ":2:1: query: the query must return bucket, key; missing: key; it returns:"
                + " bucket");
    assertThat(engine.closed).isTrue();
  }

  @Test
  void checkColumnsRunsEachQueryOnTheEmbeddedEngine() throws Exception {
    // given a local warehouse with the bucket's tables, and a query that forgets the key
    Path stateDir = dir.resolve("state");
    try (TestWarehouse warehouse = new TestWarehouse(stateDir.resolve("warehouse"))) {
      warehouse.inventory("b_starwatcher", "SELECT 'starwatcher' AS bucket, 'k' AS key");
    }
    Path good = write("untag.yaml", VALID);
    Path noKey =
        write(
            "no-key.yaml",
            """
            name: no-key
            query: SELECT bucket FROM inventory
            action: { type: delete-tags }
            """);

    // when
    int code =
        QuarryCommand.execute(
            context,
            "validate",
            "--check-columns",
            "--state-dir",
            stateDir.toString(),
            good.toString(),
            noKey.toString());

    // then
    assertThat(code).isEqualTo(2);
    assertThat(out.toString())
        .contains(good + ": ok")
        .contains(
            noKey
                + ":2:1: query: the query must return bucket, key; missing: key; it returns:"
                + " bucket");
  }

  @Test
  void helpShowsAnExample() {
    // when
    int code = QuarryCommand.execute(context, "validate", "--help");

    // then
    assertThat(code).isZero();
    assertThat(out.toString())
        .contains("Usage: quarry validate")
        .contains("--check-columns")
        .contains("quarry validate playbooks/");
  }

  /** Answers the columns it was built with; reads no rows. */
  private static final class FakeEngine implements QueryEngine {
    private final List<String> columns;
    boolean closed;

    FakeEngine(List<String> columns) {
      this.columns = columns;
    }

    @Override
    public String name() {
      return "fake";
    }

    @Override
    public List<String> columns(BoundQuery query) {
      return columns;
    }

    @Override
    public dev.quarry.query.Selection objects(
        BoundQuery query, dev.quarry.query.TaskIdentity identity, Consumer<ObjectRow> sink) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void rows(BoundQuery query, RowVisitor visitor) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
