package dev.quarry.query;

/**
 * What a playbook query selected.
 *
 * @param objects distinct tasks streamed to the sink
 * @param duplicates rows the query returned beyond those, removed by the engine
 */
public record Selection(long objects, long duplicates) {
  public Selection {
    if (objects < 0 || duplicates < 0) {
      throw new IllegalArgumentException("negative counts: " + objects + ", " + duplicates);
    }
  }
}
