package dev.quarry.playbook;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * A playbook's {@code revert} block: bring the playbook's bucket (or a prefix of it) back to its
 * state at a point in time. Quarry plans the queries and the steps itself (hide keys created since,
 * remove delete markers placed since, copy back versions overwritten since, restoring archived ones
 * first).
 *
 * <pre>{@code
 * name: revert-photos
 * bucket: photos
 * revert: { to: "2026-11-30T12:00:00Z", prefix: "camera/" }
 * limits: { max-objects: 100000 }
 * }</pre>
 *
 * @param to the point in time, in UTC
 * @param prefix only keys under it; empty for the whole bucket
 * @param restoreTier the retrieval tier for versions of T that are archived
 * @param restoreDays how long their restored copies stay readable
 */
public record RevertSpec(Instant to, Optional<String> prefix, String restoreTier, int restoreDays) {
  public RevertSpec {
    requireNonNull(to, "to is null");
    requireNonNull(prefix, "prefix is null");
    requireNonNull(restoreTier, "restoreTier is null");
  }
}
