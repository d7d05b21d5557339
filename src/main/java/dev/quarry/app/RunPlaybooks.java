package dev.quarry.app;

import dev.quarry.error.ErrorCode;
import dev.quarry.error.ProblemsException;
import dev.quarry.error.QuarryException;
import dev.quarry.playbook.LoadResult;
import dev.quarry.playbook.Playbook;
import dev.quarry.playbook.PlaybookLoader;
import dev.quarry.run.RunRecord;
import java.nio.file.Path;

/**
 * A run's playbook, read again from the file the run was planned from, and only as it was then: its
 * SHA-256 is on the run's record. Resume, retry and the step count of a recorded run all need
 * exactly that playbook; a changed file is another playbook.
 */
final class RunPlaybooks {
  private RunPlaybooks() {}

  /**
   * @param withoutPath what to tell the user when the run was recorded without the path
   * @param ifChanged what the user can do when the file changed since
   * @throws QuarryException (user) when the path is unknown or the file changed
   * @throws ProblemsException when the file no longer loads
   */
  static Playbook of(RunRecord run, String withoutPath, String ifChanged) {
    String path =
        run.playbookPath()
            .orElseThrow(
                () ->
                    QuarryException.user(
                        ErrorCode.RUN_STATE_INVALID,
                        "run "
                            + run.id()
                            + " was recorded without its playbook's path"
                            + (withoutPath.isEmpty() ? "" : "; " + withoutPath)));
    LoadResult loaded = new PlaybookLoader().load(Path.of(path));
    if (!loaded.problems().isEmpty()) {
      throw new ProblemsException(loaded.problems());
    }
    Playbook playbook = loaded.playbook().orElseThrow();
    String now = ExecuteRun.hash(playbook.source());
    if (!now.equals(run.playbookHash())) {
      throw QuarryException.user(
          ErrorCode.PLAYBOOK_CHANGED,
          path
              + " changed since run "
              + run.id()
              + " was planned from it (SHA-256 "
              + abbreviate(run.playbookHash())
              + ", now "
              + abbreviate(now)
              + "): "
              + ifChanged);
    }
    return playbook;
  }

  private static String abbreviate(String hash) {
    return hash.length() > 12 ? hash.substring(0, 12) : hash;
  }
}
