package dev.quarry.testing;

import static java.util.Objects.requireNonNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Debian's chromium, headless, run as a process on one page: the browser tests of the report page
 * and the daemon's status page share it. Absent when chromium is not installed (the tests then
 * skip).
 */
public final class Chromium {
  private final Path binary;
  private final Path work;

  private Chromium(Path binary, Path work) {
    this.binary = binary;
    this.work = work;
  }

  /**
   * @param work where its profile and its output go (a test's temporary folder)
   */
  public static Optional<Chromium> find(Path work) {
    requireNonNull(work, "work is null");
    return List.of("/usr/bin/chromium", "/usr/bin/chromium-browser").stream()
        .map(Path::of)
        .filter(Files::isExecutable)
        .findFirst()
        .map(b -> new Chromium(b, work));
  }

  /** What chromium printed: with {@code --dump-dom}, {@code out} is the DOM after scripts ran. */
  public record Result(String out, String err) {
    /** The page's console messages (errors and CSP violations included). */
    public List<String> console() {
      return err.lines().filter(l -> l.contains(":CONSOLE")).toList();
    }
  }

  /** Opens {@code url} with {@code extra} flags ({@code --dump-dom}, {@code --screenshot=...}). */
  public Result run(String url, String... extra) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    command.addAll(
        List.of(
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
            "--user-data-dir=" + work.resolve("profile")));
    command.addAll(List.of(extra));
    command.add(url);
    Path out = work.resolve("out.txt");
    Path err = work.resolve("err.txt");
    Process process =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    if (!process.waitFor(90, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("chromium did not finish in 90 s");
    }
    return new Result(Files.readString(out), Files.readString(err));
  }
}
