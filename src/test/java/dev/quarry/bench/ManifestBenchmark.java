package dev.quarry.bench;

import dev.quarry.metadata.MetadataImporter;
import dev.quarry.metadata.Warehouse;
import dev.quarry.testing.TestWarehouse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Issue 9, item 1: {@code quarry plan} of a re-encrypt playbook over a 10M-row inventory against
 * DuckDB's own {@code COPY} of the same query, each a separate process, wall time and peak RSS (the
 * whole process's, DuckDB's native memory included) read from {@code /usr/bin/time -v}.
 *
 * <p>Arguments: the work folder (kept: the inventory is generated once), the row count, runs per
 * case. Run with {@code bin/benchmark manifest}. Not a test: it prints its figures.
 */
public final class ManifestBenchmark {
  private static final String WHERE = "encryption_status NOT IN ('SSE-KMS', 'DSSE-KMS')";
  private static final Pattern RSS =
      Pattern.compile("Maximum resident set size \\(kbytes\\): (\\d+)");
  private static final Pattern CPU =
      Pattern.compile("(?:User|System) time \\(seconds\\): ([0-9.]+)");

  private ManifestBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args.length > 0 ? args[0] : "target/bench-manifest").toAbsolutePath();
    long rows = args.length > 1 ? Long.parseLong(args[1]) : 10_000_000L;
    int runs = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    Path state = work.resolve("state-" + rows);
    generate(state, rows);
    System.out.printf(Locale.ROOT, "inventory: %,d rows in %s%n", rows, state);
    System.out.println("load average: " + loadAverage());
    System.out.printf(
        Locale.ROOT,
        "%-34s %9s %9s %10s %12s %12s %12s%n",
        "case",
        "wall s",
        "cpu s",
        "peak MiB",
        "rows/s",
        "rate ratio",
        "RSS ratio");
    for (String select : List.of("bucket, key", "bucket, key, size, storage_class")) {
      for (int run = 0; run < runs; run++) {
        Result r = once(work, state, select);
        print("COPY (" + select + ")", r.copy(), r.selected(), r.copy());
        print("quarry plan (" + select + ")", r.plan(), r.selected(), r.copy());
        // the same rows without the copy in place's split by storage class: the manifest alone
        Result tags = once(work, state, select, PUT_TAGS);
        print("COPY (" + select + ")", tags.copy(), tags.selected(), tags.copy());
        print("plan put-tags (" + select + ")", tags.plan(), tags.selected(), tags.copy());
      }
    }
    System.out.println("load average: " + loadAverage());
  }

  /** Beside every figure: on a shared machine the load says how much the wall times mean. */
  static String loadAverage() throws IOException {
    String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
    return fields[0] + " " + fields[1] + " " + fields[2];
  }

  /**
   * One baseline and one plan of the playbook (re-encrypt unless given) selecting {@code select}.
   */
  record Result(long selected, Measure copy, Measure plan) {}

  private static final String REENCRYPT =
      "action: { type: reencrypt, sse: AES256 }\n"
          + "limits: { max-objects: 1000000000, confirm: required }\n";
  private static final String PUT_TAGS =
      "action: { type: put-tags, tags: { checked: \"yes\" } }\n"
          + "limits: { max-objects: 1000000000 }\n";

  static Result once(Path work, Path state, String select) throws Exception {
    return once(work, state, select, REENCRYPT);
  }

  /**
   * @param action the playbook's action and limits, as YAML lines
   */
  static Result once(Path work, Path state, String select, String action) throws Exception {
    String glob = state.resolve("warehouse").toString() + "/**/*.parquet";
    // absolute: the measured processes run in the work folder
    String classpath =
        java.util.Arrays.stream(
                System.getProperty("java.class.path").split(java.io.File.pathSeparator))
            .map(e -> Path.of(e).toAbsolutePath().toString())
            .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String sql = "SELECT " + select + " FROM inventory WHERE " + WHERE;
    Path playbook =
        work.resolve(
            (action.equals(REENCRYPT) ? "reencrypt-" : "tags-")
                + select.split(",").length
                + ".yaml");
    Files.writeString(playbook, "name: bench-plan\nquery: |\n  " + sql + "\n" + action);
    Path csv = work.resolve("copy.csv");
    Measure copy =
        measure(
            work,
            List.of(
                java, "-cp", classpath, CopyBaseline.class.getName(), sql, glob, csv.toString()));
    long selected = lines(csv);
    Files.delete(csv);
    Path manifests = work.resolve("manifests");
    Measure plan =
        measure(
            work,
            List.of(
                java,
                "-Xss4m",
                "-cp",
                classpath,
                "dev.quarry.cli.Main",
                "plan",
                "--state-dir",
                state.toString(),
                "-o",
                "json",
                playbook.toString()),
            "QUARRY_MANIFESTS_DIR",
            manifests.toString());
    deleteTree(manifests);
    return new Result(selected, copy, plan);
  }

  private static void print(String name, Measure m, long rows, Measure baseline) {
    System.out.printf(
        Locale.ROOT,
        "%-34s %9.2f %9.2f %10.0f %,12.0f %12.2f %12.2f%n",
        name,
        m.seconds,
        m.cpuSeconds,
        m.peakKib / 1024.0,
        rows / m.seconds,
        baseline.seconds / m.seconds,
        m.peakKib / (double) baseline.peakKib);
  }

  /**
   * Wall and CPU (user + system) seconds, peak RSS: CPU is what the machine's load inflates least.
   */
  record Measure(double seconds, double cpuSeconds, long peakKib) {}

  private static Measure measure(Path work, List<String> command, String... env)
      throws IOException, InterruptedException {
    List<String> timed = new ArrayList<>(List.of("/usr/bin/time", "-v"));
    timed.addAll(command);
    Path err = work.resolve("time.txt");
    ProcessBuilder builder =
        new ProcessBuilder(timed)
            .directory(work.toFile())
            .redirectOutput(work.resolve("out.txt").toFile())
            .redirectError(err.toFile());
    for (int i = 0; i + 1 < env.length; i += 2) {
      builder.environment().put(env[i], env[i + 1]);
    }
    long start = System.nanoTime();
    int exit = builder.start().waitFor();
    double seconds = (System.nanoTime() - start) / 1e9;
    String report = Files.readString(err);
    if (exit != 0) {
      throw new IllegalStateException(
          String.join(" ", command)
              + " failed ("
              + exit
              + "):\n"
              + report
              + Files.readString(work.resolve("out.txt")));
    }
    Matcher rss = RSS.matcher(report);
    if (!rss.find()) {
      throw new IllegalStateException("no peak RSS in /usr/bin/time's report:\n" + report);
    }
    double cpu = 0;
    for (Matcher m = CPU.matcher(report); m.find(); ) {
      cpu += Double.parseDouble(m.group(1));
    }
    return new Measure(seconds, cpu, Long.parseLong(rss.group(1)));
  }

  /**
   * A bucket's inventory made by DuckDB's own generator: keys under a few realistic prefixes, sizes
   * and storage classes spread, about 37% of objects not under KMS, tags and user metadata.
   */
  static void generate(Path state, long rows) throws Exception {
    Path done = state.resolve("generated");
    if (Files.exists(done)) {
      return;
    }
    deleteTree(state);
    // written as an export, then imported as a user would (`quarry metadata import`): the import
    // sorts it by key and records what the plan may rely on (one row per key)
    Path export = state.resolve("export");
    new MetadataImporter(new Warehouse(state.resolve("warehouse")), Clock.systemUTC())
        .importTables("bench-data", export(export, rows), null);
    deleteTree(export);
    Files.createFile(done);
  }

  /**
   * Writes the inventory of {@code rows} rows as an AWS export would hold it (one unsorted file of
   * namespace {@code b_bench}) under the warehouse folder {@code root}; returns the file.
   */
  static Path export(Path root, long rows) throws Exception {
    try (TestWarehouse tables = new TestWarehouse(root)) {
      tables.inventory(
          "b_bench",
          "SELECT 'bench-data' AS bucket,"
              + " ['logs/app/', 'images/raw/', 'images/thumbs/', 'datasets/train/',"
              + " 'backups/db/', 'exports/'][1 + i % 6] || strftime(TIMESTAMP '2024-01-01' +"
              + " to_days(CAST(i % 700 AS INTEGER)), '%Y/%m/%d/') || 'part-' || lpad(CAST(i AS"
              + " VARCHAR), 9, '0') || ['.json.gz', '.jpg', '.png', '.parquet', '.tar', '.csv'][1"
              + " + (i // 7) % 6] AS key,"
              + " lpad(CAST(i AS VARCHAR), 20, '0') AS sequence_number,"
              + " md5(CAST(i AS VARCHAR))[1:32] AS version_id, false AS is_delete_marker,"
              + " CAST(hash(i) % 50000000 AS BIGINT) AS size,"
              + " TIMESTAMP '2024-01-01' + to_seconds(CAST(i % 60000000 AS BIGINT))"
              + " AS last_modified_date, md5(CAST(i AS VARCHAR)) AS e_tag,"
              + " ['STANDARD', 'STANDARD', 'STANDARD_IA', 'INTELLIGENT_TIERING', 'GLACIER_IR',"
              + " 'STANDARD'][1 + (i // 3) % 6] AS storage_class, i % 11 = 0 AS is_multipart,"
              + " CASE WHEN hash(i * 7) % 100 < 37 THEN 'SSE-S3' WHEN hash(i * 7) % 100 < 39"
              + " THEN 'DSSE-KMS' ELSE 'SSE-KMS' END AS encryption_status,"
              + " MAP {'team': ['ml', 'web', 'data', 'ops'][1 + i % 4], 'env': ['prod',"
              + " 'staging'][1 + i % 2], 'weather': ['rain', 'sun', 'snow'][1 + i % 3]}"
              + " AS object_tags,"
              + " MAP {'content-owner': 'user-' || CAST(i % 1000 AS VARCHAR)} AS user_metadata"
              + " FROM range("
              + rows
              + ") t(i)");
      return tables.warehouse().parquetFiles("b_bench", "inventory").get(0);
    }
  }

  private static long lines(Path csv) throws IOException {
    try (var lines = Files.lines(csv)) {
      return lines.count();
    }
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (var paths = Files.walk(root)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
