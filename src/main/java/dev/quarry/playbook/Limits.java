package dev.quarry.playbook;

import static java.util.Objects.requireNonNull;

import java.util.OptionalLong;

/**
 * Guards checked before anything is submitted.
 *
 * @param maxObjects the most objects one run may act on; over it, nothing runs
 * @param confirm whether the job waits for an explicit approval before it runs
 */
public record Limits(OptionalLong maxObjects, Confirm confirm) {
  public Limits {
    requireNonNull(maxObjects, "maxObjects is null");
    requireNonNull(confirm, "confirm is null");
  }

  /** Whether a job needs an approval before its tasks run. */
  public enum Confirm {
    /** The job waits (Suspended) until confirmed. */
    REQUIRED,
    /** The job runs as soon as it is ready. */
    NONE
  }
}
