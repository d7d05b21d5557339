package dev.quarry.error;

import java.util.List;
import java.util.stream.Collectors;

/** A user error made of every problem found in one pass, so the user can fix them all at once. */
public final class ProblemsException extends QuarryException {
  private final List<Problem> problems;

  public ProblemsException(List<Problem> problems) {
    super(ErrorCode.PLAYBOOK_INVALID, describe(problems));
    this.problems = List.copyOf(problems);
  }

  public List<Problem> problems() {
    return problems;
  }

  private static String describe(List<Problem> problems) {
    return problems.size()
        + (problems.size() == 1 ? " problem" : " problems")
        + ":\n"
        + problems.stream().map(p -> "  " + p).collect(Collectors.joining("\n"));
  }
}
