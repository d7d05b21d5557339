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

  /** The reading phase ended; the next output may start a new line. */
  void finish();
}
