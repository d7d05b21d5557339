package dev.quarry.app;

import dev.quarry.query.ObjectRow;

/**
 * Tells whether an archived object's restored copy can be read yet: on S3, HeadObject's {@code
 * x-amz-restore} ({@code ongoing-request="false"} once the copy is ready). The wait between a
 * restore step and its follow-up asks this of every object the restore step named.
 */
@FunctionalInterface
public interface RestoredCopies {
  /** Where one object's restore stands. */
  enum State {
    /** The restored copy (or the object itself, back in an access tier) can be read. */
    READABLE,
    /** A restore is under way. */
    IN_PROGRESS,
    /** Nothing is being restored: the restore failed, or the object is not archived. */
    NOT_RESTORED,
    /** The object (or the version) is gone. */
    MISSING,
    /** S3 did not answer (throttling, a 5xx, no connection): asked again at the next poll. */
    UNKNOWN
  }

  State check(ObjectRow row);
}
