package dev.quarry.job.local;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.BitSet;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

/**
 * Reads one partition's manifest rows, {@code [start, end)}, and saves the position of the next row
 * in the step's ExecutionContext at every chunk commit: a restarted partition goes on from there.
 *
 * <p>All partitions share the worker step and so this reader; each partition runs in one thread of
 * its own, so the reader keeps each partition's state in a thread-local.
 *
 * <p>A later round of a job (a resume that retries tasks, see {@link LocalBatchJobs}) reads the
 * same rows but passes over those that already have an outcome.
 */
final class RowRangeReader implements ItemStreamReader<TaskRecord>, StepExecutionListener {
  static final String START = "quarry.start";
  static final String END = "quarry.end";
  static final String POSITION = "quarry.position";

  private final Path manifest;
  private final JobControl control;
  private final BitSet done;
  private final ThreadLocal<State> state = new ThreadLocal<>();
  private final ThreadLocal<StepExecution> step = new ThreadLocal<>();

  /**
   * @param done rows not to run: those with an outcome when this round began
   */
  RowRangeReader(Path manifest, JobControl control, BitSet done) {
    this.manifest = requireNonNull(manifest, "manifest is null");
    this.control = requireNonNull(control, "control is null");
    this.done = requireNonNull(done, "done is null");
  }

  private static final class State {
    final ManifestRows rows;
    final long end;
    long position;

    State(ManifestRows rows, long position, long end) {
      this.rows = rows;
      this.position = position;
      this.end = end;
    }
  }

  @Override
  public void beforeStep(StepExecution stepExecution) {
    step.set(stepExecution);
  }

  @Override
  public void open(ExecutionContext context) {
    long start = context.getLong(START);
    long position = context.containsKey(POSITION) ? context.getLong(POSITION) : start;
    state.set(new State(ManifestRows.from(manifest, position), position, context.getLong(END)));
  }

  @Override
  public TaskRecord read() {
    if (control.stopRequested()) {
      // the step ends at the next chunk boundary; this chunk still completes
      StepExecution current = step.get();
      if (current != null) {
        current.setTerminateOnly();
      }
      return null;
    }
    State s = state.get();
    while (s.position < s.end) {
      var row = s.rows.next();
      if (row == null) {
        throw new IllegalStateException(
            "manifest " + manifest + " ended at row " + s.position + ", expected " + s.end);
      }
      long index = s.position++;
      if (!done.get(Math.toIntExact(index))) {
        return TaskRecord.pending(index, row);
      }
    }
    return null;
  }

  @Override
  public void update(ExecutionContext context) {
    State s = state.get();
    if (s != null) {
      context.putLong(POSITION, s.position);
    }
  }

  @Override
  public void close() {
    State s = state.get();
    if (s != null) {
      s.rows.close();
    }
    state.remove();
    step.remove();
  }
}
