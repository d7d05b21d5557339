package dev.quarry.action;

import dev.quarry.query.ObjectRow;

/**
 * An action's work on one manifest row against an S3 endpoint, as the local executor runs it. It is
 * called from several threads at once.
 *
 * <p>A definite answer from S3 (including a refusal such as 403 InvalidObjectState or 404
 * NoSuchKey) is a {@link TaskOutcome}; throttling, 5xx answers and network failures are thrown as
 * {@link TransientTaskException} so the executor retries them with backoff.
 */
@FunctionalInterface
public interface LocalTask {
  TaskOutcome run(ObjectRow row);
}
