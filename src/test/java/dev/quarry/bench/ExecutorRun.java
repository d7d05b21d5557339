package dev.quarry.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quarry.app.ManifestInfo;
import dev.quarry.config.QuarryConfig;
import dev.quarry.config.S3Clients;
import dev.quarry.job.JobRecord;
import dev.quarry.job.JobRequest;
import dev.quarry.job.ProgressListener;
import dev.quarry.job.local.LocalBatchJobs;
import dev.quarry.playbook.ActionSpec;
import dev.quarry.playbook.ReportSpec;
import dev.quarry.report.ReportLocation;
import dev.quarry.testing.S3Servers;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The measured process of {@link ExecutorBenchmark}: one job of Quarry's local executor, built as
 * {@code quarry run} builds it for a local profile ({@code JobBackend.open}: the S3 client with
 * concurrency + 2 connections, the default settings with the concurrency), submitted with a ready
 * manifest and run to its end, completion report included.
 *
 * <p>Arguments: endpoint, action ({@code tags} or {@code copy}), manifest file, its ETag,
 * concurrency, state folder[, chunk size: 0 or absent for the default]. Prints the job's counts.
 *
 * <p>With {@code -Dbench.liveHeap=FILE} it also appends to FILE the live heap (used after a full
 * GC) sampled every 5 seconds during the job, its maximum and its value at the end: whether memory
 * stays flat as the task count grows, which peak RSS cannot say (a JVM grows its heap when it may).
 * A full GC every 5 s costs a few milliseconds against a heap of tens of MiB.
 */
public final class ExecutorRun {
  private ExecutorRun() {}

  public static void main(String[] args) throws IOException {
    URI endpoint = URI.create(args[0]);
    String action = args[1];
    Path manifest = Path.of(args[2]);
    String etag = args[3];
    int concurrency = Integer.parseInt(args[4]);
    Path state = Path.of(args[5]);
    QuarryConfig config = S3Servers.config(endpoint, state);
    String heapFile = System.getProperty("bench.liveHeap");
    AtomicLong maxLive = new AtomicLong();
    Thread sampler =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                maxLive.accumulateAndGet(liveHeap(), Math::max);
                try {
                  Thread.sleep(5_000);
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
    if (heapFile != null) {
      sampler.setDaemon(true);
      sampler.start();
    }
    try (S3Client s3 = S3Clients.create(config, concurrency + 2)) {
      LocalBatchJobs jobs =
          LocalBatchJobs.create(
              state, s3, settings(concurrency, args.length > 6 ? Integer.parseInt(args[6]) : 0));
      JobRecord job =
          jobs.submit(
              new JobRequest(
                  "bench-" + System.nanoTime(),
                  "bench",
                  "bench-run",
                  "executor benchmark",
                  10,
                  spec(action),
                  new JobRequest.ManifestRef(
                      manifest, ManifestInfo.FORMAT, etag, List.of("Bucket", "Key")),
                  new JobRequest.Report(
                      true,
                      new ReportLocation.Local(state.resolve("report")),
                      ReportSpec.Scope.ALL),
                  false));
      JobRecord done = jobs.execute(job.jobId(), ProgressListener.NONE);
      JobRecord.Progress p = done.progress();
      System.out.println(
          done.status().awsName()
              + " "
              + p.numberOfTasksSucceeded()
              + " succeeded "
              + p.numberOfTasksFailed()
              + " failed");
      if (heapFile != null) {
        sampler.interrupt();
        long end = liveHeap();
        Files.writeString(
            Path.of(heapFile),
            String.format(
                Locale.ROOT,
                "%s %d tasks: live heap max %.1f MiB, at the end %.1f MiB%n",
                action,
                p.totalNumberOfTasks(),
                Math.max(maxLive.get(), end) / 1048576.0,
                end / 1048576.0),
            StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
      }
      if (p.numberOfTasksSucceeded() != p.totalNumberOfTasks()) {
        System.exit(1);
      }
    }
  }

  private static long liveHeap() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /**
   * The defaults with the concurrency; a chunk size other than 0 replaces the default (an
   * experiment).
   */
  private static LocalBatchJobs.Settings settings(int concurrency, int chunkSize) {
    LocalBatchJobs.Settings d = LocalBatchJobs.Settings.defaults().withConcurrency(concurrency);
    return chunkSize == 0
        ? d
        : new LocalBatchJobs.Settings(
            concurrency,
            chunkSize,
            d.maxRetries(),
            d.initialBackoff(),
            d.maxBackoff(),
            d.pollInterval());
  }

  static ActionSpec spec(String action) {
    ObjectNode options = JsonNodeFactory.instance.objectNode();
    return switch (action) {
      case "tags" -> {
        options.put("type", "put-tags").putObject("tags").put("bench", "yes");
        yield new ActionSpec("put-tags", options);
      }
      case "copy" -> {
        options.put("type", "reencrypt").put("sse", "AES256");
        yield new ActionSpec("reencrypt", options);
      }
      default ->
          throw new IllegalArgumentException("unknown action " + action + "; valid: tags, copy");
    };
  }
}
