package dev.quarry.cli;

import picocli.CommandLine.Option;

/** Options of the commands that run a job with the local executor: run, confirm, resume. */
public final class ExecutorOptions {
  @Option(
      names = "--concurrency",
      paramLabel = "N",
      defaultValue = "8",
      description = "Tasks running at once (default: ${DEFAULT-VALUE}).")
  int concurrency;
}
