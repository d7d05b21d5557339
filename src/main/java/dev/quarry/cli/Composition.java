package dev.quarry.cli;

import dev.quarry.app.ExecuteRun;
import dev.quarry.config.QuarryConfig;
import dev.quarry.query.QueryEngines;
import dev.quarry.run.RunStore;
import dev.quarry.run.jdbc.JdbcRunStore;
import java.time.Clock;

/**
 * The one place that builds use cases from a configuration: which engine, which executor and which
 * run store a profile names is decided here, never in a use case.
 */
final class Composition {
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
        config.manifestsDir(),
        Clock.systemUTC());
  }
}
