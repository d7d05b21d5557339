package dev.quarry.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Issue 9, item 8 (manifests): the plan of {@link ManifestBenchmark} at 1M, 5M and 20M inventory
 * rows, each beside DuckDB's own {@code COPY} in the same script: time should grow with the rows,
 * peak RSS should not. Arguments: the work folder (inventories are kept), the playbook's select
 * list ({@code bucket, key} unless given), the inventory sizes ({@code 1000000,5000000,20000000}
 * unless given). Run with {@code bin/benchmark manifest-growth}.
 */
public final class ManifestGrowthBenchmark {
  private ManifestGrowthBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args.length > 0 ? args[0] : "target/bench-manifest").toAbsolutePath();
    String select = args.length > 1 ? args[1] : "bucket, key";
    System.out.println("load average: " + ManifestBenchmark.loadAverage());
    System.out.printf(
        Locale.ROOT,
        "%12s %12s %9s %9s %10s %12s %10s %9s %9s %10s %10s%n",
        "inventory",
        "selected",
        "plan s",
        "plan cpu",
        "s per M",
        "plan MiB",
        "COPY s",
        "COPY cpu",
        "COPY MiB",
        "rate ratio",
        "RSS ratio");
    List<Long> sizes =
        args.length > 2
            ? java.util.Arrays.stream(args[2].split(",")).map(Long::valueOf).toList()
            : List.of(1_000_000L, 5_000_000L, 20_000_000L);
    for (long rows : sizes) {
      Path state = work.resolve("state-" + rows);
      ManifestBenchmark.generate(state, rows);
      ManifestBenchmark.Result r = ManifestBenchmark.once(work, state, select);
      System.out.printf(
          Locale.ROOT,
          "%,12d %,12d %9.2f %9.2f %10.2f %12.0f %10.2f %9.2f %9.0f %10.2f %10.2f%n",
          rows,
          r.selected(),
          r.plan().seconds(),
          r.plan().cpuSeconds(),
          r.plan().seconds() / (r.selected() / 1e6),
          r.plan().peakKib() / 1024.0,
          r.copy().seconds(),
          r.copy().cpuSeconds(),
          r.copy().peakKib() / 1024.0,
          r.copy().seconds() / r.plan().seconds(),
          r.plan().peakKib() / (double) r.copy().peakKib());
    }
    System.out.println("load average: " + ManifestBenchmark.loadAverage());
  }
}
