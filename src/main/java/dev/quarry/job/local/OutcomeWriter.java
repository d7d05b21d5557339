package dev.quarry.job.local;

import static java.util.Objects.requireNonNull;

import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ItemWriter;

/**
 * Writes a chunk's outcomes in the chunk's transaction (the reader's position commits with them),
 * then counts them toward the job's progress and failure threshold.
 */
final class OutcomeWriter implements ItemWriter<TaskRecord> {
  private final OutcomeStore outcomes;
  private final JobControl control;

  OutcomeWriter(OutcomeStore outcomes, JobControl control) {
    this.outcomes = requireNonNull(outcomes, "outcomes is null");
    this.control = requireNonNull(control, "control is null");
  }

  @Override
  public void write(Chunk<? extends TaskRecord> chunk) {
    var records = java.util.List.<TaskRecord>copyOf(chunk.getItems());
    outcomes.write(records);
    long succeeded = records.stream().filter(r -> r.outcome().succeeded()).count();
    control.counted(succeeded, records.size() - succeeded);
  }
}
