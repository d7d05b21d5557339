package dev.quarry.app;

import java.util.Optional;

/**
 * Decides whether a run whose job needs a confirmation (a destructive action, {@code confirm:
 * required}) is confirmed as it is submitted: a flag ({@code --yes}), a person at the console,
 * later a scheduler's policy. Declined, the job waits (Suspended) for {@code quarry confirm}.
 */
@FunctionalInterface
public interface Approval {
  /** Confirms without asking, as {@code --yes} does. */
  Approval YES = plan -> Optional.of("--yes");

  /** Confirms nothing: the job waits for {@code quarry confirm}. */
  Approval NONE = plan -> Optional.empty();

  /** Who or what approved {@code plan}'s job; empty when it was not approved. */
  Optional<String> approve(PlanResult plan);
}
