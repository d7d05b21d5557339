package dev.quarry.cli;

import dev.quarry.action.RestoreStatus;
import dev.quarry.app.ExecuteRun;
import dev.quarry.app.ResumeRun;
import dev.quarry.config.QuarryConfig;
import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.query.QueryEngines;
import dev.quarry.run.RunStore;
import dev.quarry.run.jdbc.JdbcRunStore;
import dev.quarry.run.ledger.JdbcIncrementalLedger;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * The one place that builds use cases from a configuration: which engine, which executor and which
 * run store a profile names is decided here, never in a use case.
 */
final class Composition {
  /**
   * How often a restore's follow-up step checks whether the restored copies are readable; seconds.
   * Restores take hours on AWS, so the default is 15 minutes.
   */
  static final String RESTORE_POLL = "QUARRY_RESTORE_POLL_SECONDS";

  private Composition() {}

  /** The run store a profile names ({@code run-store:}), or the H2 file under its state dir. */
  static RunStore runStore(QuarryConfig config) {
    return JdbcRunStore.open(config.runStoreUrl());
  }

  /** {@link ExecuteRun} on {@code executor}, with the profile's engine and run store. */
  static ExecuteRun executeRun(
      CliContext context, QuarryConfig config, JobBackend executor, RunStore store) {
    return new ExecuteRun(
        () -> QueryEngines.pool(config),
        executor,
        store,
        job -> LocalJobs.review(context, config, job),
        new RestoreStatus(executor.s3()),
        restorePoll(context),
        config.manifestsDir(),
        Clock.systemUTC(),
        // the ledger's tables are the run store's (db/runs/V7), created when the store opened
        new JdbcIncrementalLedger(config.runStoreUrl()));
  }

  /** {@link ResumeRun} on {@code executor}, with the profile's run store. */
  static ResumeRun resumeRun(
      CliContext context, QuarryConfig config, JobBackend executor, RunStore store) {
    return new ResumeRun(
        executor,
        store,
        job -> LocalJobs.review(context, config, job),
        new RestoreStatus(executor.s3()),
        restorePoll(context),
        Clock.systemUTC());
  }

  private static Duration restorePoll(CliContext context) {
    Optional<String> given = Optional.ofNullable(context.environment().get(RESTORE_POLL));
    try {
      Duration poll =
          given
              .map(s -> Duration.ofSeconds(Long.parseLong(s.trim())))
              .orElse(Duration.ofMinutes(15));
      if (poll.isNegative() || poll.isZero()) {
        throw new NumberFormatException("not positive");
      }
      return poll;
    } catch (NumberFormatException e) {
      throw QuarryException.user(
          ErrorCode.CONFIG_INVALID,
          RESTORE_POLL + " must be a positive number of seconds, not " + given.orElse(""));
    }
  }
}
