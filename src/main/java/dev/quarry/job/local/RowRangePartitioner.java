package dev.quarry.job.local;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.batch.core.partition.Partitioner;
import org.springframework.batch.infrastructure.item.ExecutionContext;

/**
 * Splits the manifest's rows into contiguous ranges of nearly equal size, one per partition. The
 * split is fixed when the job first runs (the count is stored), so a restart finds the same
 * partitions whatever its concurrency.
 */
final class RowRangePartitioner implements Partitioner {
  private final long rows;
  private final int partitions;

  RowRangePartitioner(long rows, int partitions) {
    this.rows = rows;
    this.partitions = partitions;
  }

  @Override
  public Map<String, ExecutionContext> partition(int gridSize) {
    Map<String, ExecutionContext> ranges = new LinkedHashMap<>();
    long base = rows / partitions;
    long extra = rows % partitions;
    long start = 0;
    for (int i = 0; i < partitions; i++) {
      long size = base + (i < extra ? 1 : 0);
      ExecutionContext context = new ExecutionContext();
      context.putLong(RowRangeReader.START, start);
      context.putLong(RowRangeReader.END, start + size);
      ranges.put(String.format("rows-%03d", i), context);
      start += size;
    }
    return ranges;
  }
}
