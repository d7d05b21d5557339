package dev.quarry.cli;

import dev.quarry.job.JobRecord;
import dev.quarry.run.RunRecord;

/** What {@code run} and {@code resume} print as a run goes: its jobs, the waits between steps. */
final class RunListeners {
  private RunListeners() {}

  static void submitted(CliContext context, GlobalOptions global, RunRecord run, JobRecord job) {
    if (global.output() != OutputFormat.text) {
      return;
    }
    context
        .out()
        .printf(
            "Submitted job %s for %s (run %s, %s%s tasks)%n",
            job.jobId(),
            run.playbook(),
            run.id(),
            run.currentNumber() == 1
                ? ""
                : "step " + run.currentNumber() + ": " + run.current().action() + ", ",
            run.current().manifest().rows());
    context.out().flush();
  }

  /** On stderr, as progress: stdout is for the result. */
  static void waiting(CliContext context, RunRecord run, long ready, long pending, long total) {
    context
        .err()
        .printf(
            "quarry: run %s waits for restores: %d of %d readable, %d still restoring%n",
            run.id(), ready, total, pending);
    context.err().flush();
  }
}
