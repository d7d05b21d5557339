package dev.quarry.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The folder's changes, as a real (never started, so never firing) Quartz scheduler sees them. */
class PlaybookFolderTest {
  private static final String GOOD =
      """
      name: tag-all
      schedule: "%s"
      query: SELECT bucket, key FROM "b_x"."inventory"
      action: { type: put-tags, tags: { checked: "yes" } }
      """;

  @TempDir Path dir;

  private final List<String> log = new ArrayList<>();
  private final PlaybookScheduler scheduler = new PlaybookScheduler(1, Misfire.SKIP);
  private PlaybookFolder folder;

  @BeforeEach
  void folder() {
    folder = new PlaybookFolder(dir, scheduler, (p, slot) -> {}, log::add);
  }

  @AfterEach
  void close() {
    scheduler.close();
  }

  @Test
  void schedulesTheGoodReportsTheBrokenWithItsLineAndLeavesTheUnchangedAlone() throws Exception {
    // given
    Files.writeString(dir.resolve("good.yaml"), GOOD.formatted("0 0 6 * * ?"));
    Files.writeString(
        dir.resolve("broken.yaml"),
        """
        name: broken
        schedule: "0 0 6 * * ?"
        query: SELECT bucket, key FROM "b_x"."inventory"
        action: { type: no-such-action }
        """);
    Files.writeString(dir.resolve("notes.txt"), "not a playbook");

    // when
    folder.scan();
    List<String> first = List.copyOf(log);
    log.clear();
    folder.scan();

    // then
    assertThat(first)
        .anyMatch(l -> l.startsWith(dir.resolve("broken.yaml") + ":4"))
        .contains(dir.resolve("broken.yaml") + ": broken; not scheduled until fixed")
        .contains(dir.resolve("good.yaml") + ": scheduled tag-all at '0 0 6 * * ?' (Z)")
        .noneMatch(l -> l.contains("notes.txt"));
    assertThat(log).isEmpty();
  }

  @Test
  void reschedulesAChangedPlaybookAndUnschedulesABrokenOrRemovedOne() throws Exception {
    // given: a scheduled playbook
    Path good = Files.writeString(dir.resolve("good.yaml"), GOOD.formatted("0 0 6 * * ?"));
    folder.scan();
    log.clear();

    // when: changed, then broken, then fixed, then removed
    Files.writeString(good, GOOD.formatted("0 0 7 * * ?"));
    folder.scan();
    Files.writeString(good, GOOD.formatted("not cron"));
    folder.scan();
    Files.writeString(good, GOOD.formatted("0 0 8 * * ?"));
    folder.scan();
    Files.delete(good);
    folder.scan();

    // then
    assertThat(log)
        .contains(good + ": rescheduled tag-all at '0 0 7 * * ?' (Z)")
        .contains(good + ": broken; unscheduled until fixed")
        .contains(good + ": scheduled tag-all at '0 0 8 * * ?' (Z)")
        .endsWith(good + ": removed; unscheduled");
    assertThat(log).anyMatch(l -> l.startsWith(good + ":2") && l.contains("cron"));
  }

  @Test
  void itsStateListsTheScheduledAndTheBrokenFilesUntilOneIsFixedOrRemoved() throws Exception {
    // given: one good playbook and one with an unknown action
    Files.writeString(dir.resolve("good.yaml"), GOOD.formatted("0 0 6 * * ?"));
    Path broken =
        Files.writeString(
            dir.resolve("broken.yaml"),
            "name: b\nschedule: \"0 0 6 * * ?\"\nquery: SELECT 1\naction: { type: nope }\n");

    // when
    folder.scan();

    // then
    assertThat(folder.state())
        .isEqualTo(new PlaybookFolder.State(List.of("good.yaml"), List.of("broken.yaml")));

    // when: the broken one is fixed, and the good one removed
    Files.writeString(broken, GOOD.formatted("0 0 7 * * ?"));
    Files.delete(dir.resolve("good.yaml"));
    folder.scan();

    // then
    assertThat(folder.state())
        .isEqualTo(new PlaybookFolder.State(List.of("broken.yaml"), List.of()));
  }
}
