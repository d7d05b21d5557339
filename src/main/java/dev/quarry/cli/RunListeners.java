package dev.quarry.cli;

import dev.quarry.app.Approval;
import dev.quarry.app.RunListener;
import dev.quarry.job.JobRecord;
import dev.quarry.job.ProgressListener;
import dev.quarry.run.RunRecord;
import java.util.Optional;

/**
 * What {@code run}, {@code resume} and {@code retry} share as a run goes: what they print (its
 * jobs, their progress, the waits between steps) and how they ask for an approval.
 */
final class RunListeners {
  private RunListeners() {}

  /** The run's jobs on stdout (text only), their progress and the waits on stderr. */
  static RunListener of(CliContext context, GlobalOptions global) {
    ProgressListener progress = LocalJobs.progressLine(context);
    return new RunListener() {
      @Override
      public void submitted(RunRecord run, JobRecord job) {
        RunListeners.submitted(context, global, run, job);
      }

      @Override
      public void waiting(RunRecord run, long ready, long pending, long total) {
        RunListeners.waiting(context, run, ready, pending, total);
      }

      @Override
      public void onProgress(JobRecord job) {
        progress.onProgress(job);
      }
    };
  }

  /**
   * {@code --yes}, else a question at the console (prefixed with {@code verb}, e.g. "Run"), else
   * none: the job waits for {@code quarry confirm}.
   */
  static Approval approval(CliContext context, boolean yes, String verb) {
    if (yes) {
      return Approval.YES;
    }
    if (!context.interactive() || System.console() == null) {
      return Approval.NONE;
    }
    return request -> {
      String answer =
          System.console()
              .readLine(
                  "%s %s on %d objects%s? [y/N] ",
                  verb,
                  String.join(", then ", request.actions()),
                  request.objects(),
                  request.destructive() ? " (destructive)" : "");
      return answer != null && answer.trim().equalsIgnoreCase("y")
          ? Optional.of("console (" + System.getProperty("user.name", "unknown") + ")")
          : Optional.empty();
    };
  }

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
