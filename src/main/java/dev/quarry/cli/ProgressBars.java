package dev.quarry.cli;

import dev.quarry.job.JobRecord;
import dev.quarry.job.JobStatus;
import dev.quarry.job.ProgressListener;
import dev.quarry.metadata.RefreshProgress;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress on stderr while a person waits (stdout is for the result, e.g. {@code --output json}):
 * on a terminal, a bar with the count, the rate and the time left, redrawn in place; otherwise a
 * plain line at the start, at every status change, every {@link #PLAIN_EVERY} in between and at the
 * end, for logs. The progress-bar library stays in this class.
 */
final class ProgressBars {
  /** How often a plain line is printed when stderr is not a terminal. */
  static final Duration PLAIN_EVERY = Duration.ofSeconds(10);

  private static final int DEFAULT_WIDTH = 100;

  private ProgressBars() {}

  /** A job's progress, as {@link LocalJobs#progressLine} gives it to the executor or tracker. */
  static JobProgress job(CliContext context) {
    return new JobProgress(context);
  }

  /** A metadata refresh's progress. */
  static RefreshProgress refresh(CliContext context, String bucket) {
    return context.errTerminal()
        ? new RefreshBar(context, bucket)
        : new PlainRefresh(context.err(), bucket);
  }

  private static ProgressBar bar(CliContext context, String task, String unit, long max) {
    PrintWriter err = context.err();
    return ProgressBar.builder()
        .setTaskName(task)
        .setInitialMax(max)
        .setUnit(unit, 1)
        .showSpeed()
        .setSpeedUnit(ChronoUnit.SECONDS)
        .setStyle(ProgressBarStyle.ASCII)
        .setUpdateIntervalMillis(250)
        // the library would ask the terminal for its width itself; the shell says it more cheaply
        .setConsumer(
            new DelegatingProgressBarConsumer(
                line -> {
                  err.print("\r" + line);
                  err.flush();
                },
                width(context.environment())))
        .build();
  }

  private static int width(Map<String, String> environment) {
    try {
      int columns = Integer.parseInt(environment.getOrDefault("COLUMNS", ""));
      return columns > 20 ? columns - 1 : DEFAULT_WIDTH;
    } catch (NumberFormatException e) {
      return DEFAULT_WIDTH;
    }
  }

  /** A job's tasks: a bar while it runs, closed (its line ended) when it stops running. */
  static final class JobProgress implements ProgressListener, AutoCloseable {
    private final CliContext context;
    private ProgressBar bar;
    private JobStatus lastStatus;
    private long lastLine;

    private JobProgress(CliContext context) {
      this.context = context;
    }

    @Override
    public synchronized void onProgress(JobRecord job) {
      if (context.errTerminal()) {
        drawn(job);
      } else {
        plain(job);
      }
      lastStatus = job.status();
    }

    private void drawn(JobRecord job) {
      JobRecord.Progress p = job.progress();
      boolean running = !job.status().terminal() && job.status() != JobStatus.SUSPENDED;
      if (bar == null && running) {
        bar =
            bar(
                context,
                "job " + job.jobId().substring(0, Math.min(8, job.jobId().length())),
                " tasks",
                p.totalNumberOfTasks());
      }
      if (bar != null) {
        bar.maxHint(p.totalNumberOfTasks());
        bar.stepTo(p.tasksDone());
        bar.setExtraMessage(
            " "
                + job.status().awsName()
                + (p.numberOfTasksFailed() > 0
                    ? ", " + Sizes.count(p.numberOfTasksFailed()) + " failed"
                    : ""));
        if (!running) {
          close();
        }
      }
    }

    private void plain(JobRecord job) {
      long now = System.nanoTime();
      if (job.status() == lastStatus && now - lastLine < PLAIN_EVERY.toNanos()) {
        return;
      }
      lastLine = now;
      context.err().println("quarry: job " + job.jobId() + "  " + LocalJobs.progressText(job));
      context.err().flush();
    }

    @Override
    public synchronized void close() {
      if (bar != null) {
        bar.refresh();
        bar.close();
        bar = null;
        context.err().println();
        context.err().flush();
      }
    }
  }

  /** Versions read of those listed so far; the total is known once the listing ends. */
  private static final class RefreshBar implements RefreshProgress {
    private final CliContext context;
    private final String bucket;
    private ProgressBar bar;

    RefreshBar(CliContext context, String bucket) {
      this.context = context;
      this.bucket = bucket;
    }

    @Override
    public void update(long done, long listed, boolean listingComplete, double perSecond) {
      update(done, listed, listingComplete, perSecond, 0);
    }

    @Override
    public synchronized void update(
        long done, long listed, boolean listingComplete, double perSecond, long reused) {
      if (bar == null) {
        bar = bar(context, "refresh " + bucket, " objects", listed);
      }
      bar.maxHint(listed);
      bar.stepTo(done);
      bar.setExtraMessage(
          (reused > 0 ? " " + reused + " known" : "") + (listingComplete ? "" : " listing"));
    }

    @Override
    public synchronized void finish() {
      if (bar != null) {
        bar.setExtraMessage("");
        bar.refresh();
        bar.close();
        bar = null;
        context.err().println();
        context.err().flush();
      }
    }
  }

  /** Plain lines for logs: the first update, one every {@link #PLAIN_EVERY}, and the last. */
  private static final class PlainRefresh implements RefreshProgress {
    private final PrintWriter err;
    private final String bucket;
    private long lastLine;
    private boolean started;
    private long done;
    private long listed;
    private long reused;
    private double perSecond;

    PlainRefresh(PrintWriter err, String bucket) {
      this.err = err;
      this.bucket = bucket;
    }

    @Override
    public void update(long done, long listed, boolean listingComplete, double perSecond) {
      update(done, listed, listingComplete, perSecond, 0);
    }

    @Override
    public synchronized void update(
        long done, long listed, boolean listingComplete, double perSecond, long reused) {
      this.reused = reused;
      this.done = done;
      this.listed = listed;
      this.perSecond = perSecond;
      long now = System.nanoTime();
      if (started && now - lastLine < PLAIN_EVERY.toNanos()) {
        return;
      }
      started = true;
      lastLine = now;
      line(listingComplete ? "" : "+ (listing)");
    }

    @Override
    public synchronized void finish() {
      if (started) {
        line(" (done)");
      }
    }

    private void line(String suffix) {
      err.printf(
          Locale.ROOT,
          "quarry: refresh %s  %d/%d%s objects%s  %.0f/s%n",
          bucket,
          done,
          listed,
          suffix,
          reused > 0 ? " (" + reused + " known, tags read)" : "",
          perSecond);
      err.flush();
    }
  }
}
