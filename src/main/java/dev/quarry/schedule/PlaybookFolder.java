package dev.quarry.schedule;

import static java.util.Objects.requireNonNull;

import dev.quarry.error.Problem;
import dev.quarry.playbook.LoadResult;
import dev.quarry.playbook.Playbook;
import dev.quarry.playbook.PlaybookLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The playbooks of one folder, kept scheduled as its files change: {@link #scan()} schedules a new
 * playbook, reschedules a changed one, unschedules a removed one, and reports a broken one with its
 * problems (file:line) while the others fire on. Only the top level's {@code *.yaml} and {@code
 * *.yml} files count.
 *
 * <p>Schedules are keyed by playbook name, so that the daemons of a cluster, and a daemon and its
 * restart, mean the same job by the same key; the first scan also unschedules what the job store
 * kept of playbooks no longer in the folder.
 */
public final class PlaybookFolder {
  private final Path dir;
  private final PlaybookScheduler scheduler;
  private final BiConsumer<Playbook, Instant> fire;
  private final Consumer<String> log;
  private final PlaybookLoader loader = new PlaybookLoader();
  // what each file held when last seen, so an unchanged file is neither reloaded nor rescheduled
  private final Map<Path, String> seen = new HashMap<>();
  // the playbook name each scheduled file is scheduled under
  private final Map<Path, String> scheduled = new HashMap<>();
  private final Set<Path> broken = new HashSet<>();
  private boolean scanned;

  /**
   * @param fire runs a playbook at one of its slots (on one of the scheduler's threads), given the
   *     time the slot was scheduled for
   * @param log hears one line per change: what was scheduled, what is broken and why
   */
  public PlaybookFolder(
      Path dir,
      PlaybookScheduler scheduler,
      BiConsumer<Playbook, Instant> fire,
      Consumer<String> log) {
    this.dir = requireNonNull(dir, "dir is null");
    this.scheduler = requireNonNull(scheduler, "scheduler is null");
    this.fire = requireNonNull(fire, "fire is null");
    this.log = requireNonNull(log, "log is null");
  }

  /** The files scheduled and the files broken, by name, sorted: the daemon's /health. */
  public record State(List<String> scheduled, List<String> broken) {
    public State {
      scheduled = List.copyOf(requireNonNull(scheduled, "scheduled is null"));
      broken = List.copyOf(requireNonNull(broken, "broken is null"));
    }
  }

  /** As the last {@link #scan()} left it; safe to call from another thread. */
  public synchronized State state() {
    return new State(names(scheduled.keySet()), names(broken));
  }

  private static List<String> names(Set<Path> files) {
    return files.stream().map(f -> f.getFileName().toString()).sorted().toList();
  }

  /** Reads the folder again and brings the schedules in line with its files. */
  public synchronized void scan() {
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files =
          list.filter(
                  f -> {
                    String name = f.getFileName().toString();
                    return (name.endsWith(".yaml") || name.endsWith(".yml"))
                        && Files.isRegularFile(f);
                  })
              .sorted()
              .toList();
    } catch (IOException e) {
      // a folder briefly unreadable (a deploy swapping it) must not unschedule everything
      log.accept("cannot read " + dir + ": " + e.getMessage() + "; schedules unchanged");
      return;
    }
    for (Path gone : Set.copyOf(seen.keySet())) {
      if (!files.contains(gone)) {
        seen.remove(gone);
        broken.remove(gone);
        String name = scheduled.remove(gone);
        if (name != null) {
          scheduler.unschedule(name);
          log.accept(gone + ": removed; unscheduled");
        }
      }
    }
    for (Path file : files) {
      String text;
      try {
        text = Files.readString(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        log.accept(file + ": cannot read: " + e.getMessage());
        continue;
      }
      if (text.equals(seen.put(file, text))) {
        continue;
      }
      update(file, loader.load(file, text));
    }
    if (!scanned) {
      scanned = true;
      for (String stale : scheduler.retainOnly(Set.copyOf(scheduled.values()))) {
        log.accept(stale + ": no longer in " + dir + "; unscheduled");
      }
    }
  }

  private void update(Path file, LoadResult loaded) {
    String before = scheduled.remove(file);
    broken.remove(file);
    boolean was = before != null;
    // a playbook changed under the same name keeps its job: schedule() replaces what changed
    boolean keep =
        loaded.problems().isEmpty()
            && loaded
                .playbook()
                .filter(p -> p.name().equals(before) && p.schedule().isPresent())
                .isPresent();
    if (was && !keep) {
      scheduler.unschedule(before);
    }
    if (!loaded.problems().isEmpty()) {
      for (Problem problem : loaded.problems()) {
        log.accept(problem.toString());
      }
      broken.add(file);
      log.accept(file + ": broken; " + (was ? "unscheduled" : "not scheduled") + " until fixed");
      return;
    }
    Playbook playbook = loaded.playbook().orElseThrow();
    if (playbook.schedule().isEmpty()) {
      log.accept(file + ": " + playbook.name() + " has no schedule; not scheduled");
      return;
    }
    Set<String> taken = new HashSet<>(scheduled.values());
    if (taken.contains(playbook.name())) {
      log.accept(
          file + ": another file already has playbook " + playbook.name() + "; not scheduled");
      return;
    }
    try {
      scheduler.schedule(
          playbook.name(), playbook.schedule().get(), slot -> fire.accept(playbook, slot));
    } catch (RuntimeException e) {
      log.accept(file + ": cannot schedule " + playbook.name() + ": " + e.getMessage());
      return;
    }
    scheduled.put(file, playbook.name());
    log.accept(
        file
            + ": "
            + (was ? "rescheduled " : "scheduled ")
            + playbook.name()
            + " at '"
            + playbook.schedule().get().cron()
            + "' ("
            + playbook.schedule().get().timezone()
            + ")");
  }
}
