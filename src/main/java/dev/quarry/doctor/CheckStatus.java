package dev.quarry.doctor;

/** A check's verdict. Only {@link #FAIL} makes {@code quarry doctor} exit non-zero. */
public enum CheckStatus {
  /** Works as configured. */
  OK,
  /** Works, but something deserves a look (a default in force, a table still filling). */
  WARN,
  /** Broken: a command that needs it will fail. */
  FAIL,
  /** Does not apply to this profile, or cannot run because an earlier prerequisite failed. */
  SKIP
}
