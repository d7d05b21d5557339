package dev.quarry.revert;

/**
 * The sets a point-in-time revert sorts each key (or version) under the prefix into, comparing the
 * version current at T with the versions written since. Keys whose current version is the one of T
 * (and whose tags did not change) are in none.
 */
public enum RevertSet {
  /**
   * No live version at T (none, or a delete marker), live now: hidden by a new delete marker (rows
   * name the current version, which must still be current when the marker is added).
   */
  HIDE(true, true),
  /**
   * Live at T and every live version since is a delete marker: those markers are removed (rows of
   * bucket, key and the marker's version id; never a version that is not a delete marker).
   */
  REMOVE_MARKERS(true, true),
  /**
   * Live at T, overwritten since (perhaps then deleted): the version of T is copied in place, one
   * manifest per storage class and encryption so each job keeps them.
   */
  COPY_BACK(true, true),
  /** As {@link #COPY_BACK}, but the version of T is in GLACIER or DEEP_ARCHIVE: restore first. */
  RESTORE_FIRST(true, true),
  /** Not touched: the version current at T was permanently deleted since; nothing can bring it. */
  PERMANENTLY_DELETED(false, true),
  /**
   * Not touched: the version of T is still current but its tags changed after T. A revert restores
   * versions, not tags; a tag playbook over the journal's UPDATE_METADATA rows can.
   */
  TAGS_CHANGED(false, true);

  private final boolean touched;
  private final boolean withVersionIds;

  RevertSet(boolean touched, boolean withVersionIds) {
    this.touched = touched;
    this.withVersionIds = withVersionIds;
  }

  /** Whether the revert acts on this set (else it only reports it). */
  public boolean touched() {
    return touched;
  }

  /** Whether its manifest names versions (else the key's current version is meant). */
  public boolean withVersionIds() {
    return withVersionIds;
  }

  /** The file name stem of its manifests. */
  public String fileName() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }
}
