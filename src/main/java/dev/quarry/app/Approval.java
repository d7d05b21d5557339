package dev.quarry.app;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * Decides whether a run whose jobs need a confirmation (a destructive action, {@code confirm:
 * required}) is approved before its first job is submitted: a flag ({@code --yes}), a person at the
 * console, later a scheduler's policy. Declined, each such job waits (Suspended) for {@code quarry
 * confirm}. An approval covers every step of the run, and is recorded with it.
 */
@FunctionalInterface
public interface Approval {
  /** Confirms without asking, as {@code --yes} does. */
  Approval YES = request -> Optional.of("--yes");

  /** Confirms nothing: the job waits for {@code quarry confirm}. */
  Approval NONE = request -> Optional.empty();

  /** Who or what approved the run; empty when it was not approved. */
  Optional<String> approve(Request request);

  /**
   * What is to be approved.
   *
   * @param actions the action of each step, in order ("restore", then "reencrypt")
   * @param objects the objects the first step acts on
   */
  record Request(
      String playbook,
      String runId,
      java.util.List<String> actions,
      long objects,
      boolean destructive) {
    public Request {
      requireNonNull(playbook, "playbook is null");
      requireNonNull(runId, "runId is null");
      actions = java.util.List.copyOf(actions);
    }
  }
}
