package dev.quarry.playbook;

import static java.util.Objects.requireNonNull;

import dev.quarry.error.Problem;
import dev.quarry.error.ProblemsException;
import java.util.List;
import java.util.Optional;

/**
 * What reading one playbook file gave: the playbook when it is valid, else every problem found.
 *
 * @param file the file as the user named it, as problems show it
 * @param playbook present exactly when {@code problems} is empty
 * @param sourceMap where each field was written, for checks made later ({@link
 *     PlaybookValidator#checkColumns(LoadResult, PlaybookValidator.Columns)})
 */
public record LoadResult(
    String file, Optional<Playbook> playbook, List<Problem> problems, SourceMap sourceMap) {
  public LoadResult {
    requireNonNull(file, "file is null");
    requireNonNull(playbook, "playbook is null");
    problems = List.copyOf(requireNonNull(problems, "problems is null"));
    requireNonNull(sourceMap, "sourceMap is null");
    if (playbook.isPresent() != problems.isEmpty()) {
      throw new IllegalArgumentException("a playbook comes exactly when there is no problem");
    }
  }

  public boolean valid() {
    return problems.isEmpty();
  }

  /** The playbook, or a user error carrying every problem. */
  public Playbook orThrow() {
    return playbook.orElseThrow(() -> new ProblemsException(problems));
  }
}
