package dev.quarry.metadata;

/** Hears how a refresh is going, about twice a second, from a thread of the refresh's own. */
public interface RefreshProgress {
  RefreshProgress NONE =
      new RefreshProgress() {
        @Override
        public void update(long done, long listed, boolean listingComplete, double perSecond) {}

        @Override
        public void finish() {}
      };

  /**
   * @param done versions and delete markers read so far
   * @param listed versions and delete markers listed so far (the total once listing is complete)
   */
  void update(long done, long listed, boolean listingComplete, double perSecond);

  /**
   * As {@link #update(long, long, boolean, double)}, also telling how many of the versions done
   * were known from the previous inventory (read without HeadObject).
   */
  default void update(
      long done, long listed, boolean listingComplete, double perSecond, long reused) {
    update(done, listed, listingComplete, perSecond);
  }

  /** The reading phase ended; the next output may start a new line. */
  void finish();
}
