package dev.quarry.cli;

import picocli.CommandLine.Option;

/** Options of the commands that run or follow a job: run, confirm, resume. */
public final class ExecutorOptions {
  @Option(
      names = "--concurrency",
      paramLabel = "N",
      defaultValue = "8",
      description =
          "Tasks running at once with the local executor (default: ${DEFAULT-VALUE}); S3 Batch"
              + " Operations decides that itself.")
  int concurrency;
}
