package dev.quarry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.sandbox.LocalS3Server;
import dev.quarry.testing.S3Servers;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code quarry daemon} on Quartz's JDBC job store, each daemon a JVM of its own (the packaged jar)
 * against S3Mock: two daemons on one PostgreSQL fire each slot once between them, and a daemon
 * killed with SIGKILL while its job runs takes the run up again at its restart and goes on firing.
 * The PostgreSQL case needs {@code QUARRY_TEST_POSTGRES_URL} (see {@code .ci/postgres}).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DaemonClusterIT {
  private static final Path JAR = Path.of(System.getProperty("quarry.jar", "target/quarry.jar"));
  private static final Pattern FIRING = Pattern.compile("firing (\\S+) \\(slot (\\S+)\\)");

  @TempDir Path dir;

  private final LocalS3Server server = S3Servers.s3mock();
  private final S3Client s3 = S3Servers.client(server);
  private final List<Process> daemons = new ArrayList<>();
  private final Map<String, String> env = new HashMap<>();

  @AfterEach
  void stopDaemons() {
    daemons.forEach(Process::destroyForcibly);
  }

  @Test
  void twoDaemonsOnOnePostgresqlFireEachSlotOnceBetweenThem() throws Exception {
    String postgres = System.getenv("QUARRY_TEST_POSTGRES_URL");
    assumeTrue(postgres != null, "QUARRY_TEST_POSTGRES_URL names no PostgreSQL server");
    // given: a run store of its own on the PostgreSQL server
    String schema = "c" + UUID.randomUUID().toString().replace("-", "");
    try (Connection c = DriverManager.getConnection(postgres);
        Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    }
    env.put(
        "QUARRY_RUN_STORE",
        postgres + (postgres.contains("?") ? "&" : "?") + "currentSchema=" + schema);
    // and: a playbook due every 3 seconds that selects nothing (so that each firing is quick)
    String bucket = S3Servers.createVersionedBucket(s3, "cluster");
    s3.putObject(b -> b.bucket(bucket).key("obj/0"), RequestBody.fromString("x"));
    Path playbooks = Files.createDirectory(dir.resolve("playbooks"));
    Files.writeString(
        playbooks.resolve("tick.yaml"),
        """
        name: tick
        schedule: "0/3 * * * * ?"
        query: SELECT bucket, key FROM "b_%s"."inventory" WHERE key = 'no such key'
        action: { type: put-tags, tags: { checked: "yes" } }
        """
            .formatted(bucket));
    // and: two daemons, each with its own state dir (its metadata, its local executor)
    Path[] logs = {dir.resolve("a.log"), dir.resolve("b.log")};
    for (String node : List.of("a", "b")) {
      Result refresh = quarry(node, "metadata", "refresh", "--bucket", bucket);
      assertThat(refresh.code()).as(refresh.err()).isZero();
    }

    // when: both run for about 30 seconds
    Process a = start("a", logs[0], playbooks);
    Process b = start("b", logs[1], playbooks);
    await(
        () -> read(logs[0]).contains("scheduled tick") && read(logs[1]).contains("scheduled tick"),
        logs,
        60);
    Thread.sleep(30_000);
    a.destroy();
    b.destroy();
    assertThat(a.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(b.waitFor(30, TimeUnit.SECONDS)).isTrue();

    // then: no slot was fired twice, by one daemon or by both; every firing is one of the
    // playbook's slots (a slot that came while the previous firing still ran is skipped: --misfire
    // skip, and one firing of a playbook at a time across the cluster)
    List<Instant> slots = new ArrayList<>();
    Map<String, Integer> byDaemon = new HashMap<>();
    for (int i = 0; i < 2; i++) {
      Matcher m = FIRING.matcher(read(logs[i]));
      while (m.find()) {
        slots.add(Instant.parse(m.group(2)));
        byDaemon.merge(i == 0 ? "a" : "b", 1, Integer::sum);
      }
    }
    String both = read(logs[0]) + "\n---\n" + read(logs[1]);
    System.out.println("firings by daemon: " + byDaemon + "\n" + both);
    assertThat(slots).as(both).hasSizeGreaterThanOrEqualTo(2).doesNotHaveDuplicates();
    assertThat(slots).as(both).allMatch(t -> t.getEpochSecond() % 3 == 0 && t.getNano() == 0);
    // and: one run per firing in the shared run store, all completed
    JsonNode runs = runs("a");
    assertThat(runs).as(both).hasSize(slots.size());
    runs.forEach(r -> assertThat(r.path("status").asText()).isEqualTo("completed"));
    assertThat(both).doesNotContain("(bug)");
  }

  @Test
  void aDaemonKilledWhileItsJobRunsResumesTheRunAtItsRestartAndFiresOn() throws Exception {
    // given: enough objects for a job that runs a few seconds, and a playbook due every 2 seconds
    int objects = 300;
    String bucket = S3Servers.createVersionedBucket(s3, "killed");
    IntStream.range(0, objects)
        .parallel()
        .forEach(
            i -> s3.putObject(b -> b.bucket(bucket).key("obj/" + i), RequestBody.fromString("x")));
    assertThat(quarry("a", "metadata", "refresh", "--bucket", bucket).code()).isZero();
    Path playbooks = Files.createDirectory(dir.resolve("playbooks"));
    Files.writeString(
        playbooks.resolve("tag.yaml"),
        """
        name: tag-all
        schedule: "0/2 * * * * ?"
        query: SELECT bucket, key FROM "b_%s"."inventory" WHERE NOT coalesce(is_delete_marker, false)
        action: { type: put-tags, tags: { checked: "yes" } }
        """
            .formatted(bucket));
    Path first = dir.resolve("first.log");
    Process daemon = start("a", first, playbooks);

    // when: it is killed with SIGKILL as soon as its run has submitted its job
    Pattern submitted = Pattern.compile("run (\\S+) submitted job (\\S+)");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    Matcher m = submitted.matcher("");
    while (!(m = submitted.matcher(read(first))).find()) {
      assertThat(daemon.isAlive()).as(read(first)).isTrue();
      assertThat(System.nanoTime()).as(read(first)).isLessThan(deadline);
      Thread.sleep(20);
    }
    new ProcessBuilder("kill", "-KILL", Long.toString(daemon.pid())).inheritIO().start().waitFor();
    assertThat(daemon.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(daemon.exitValue()).isEqualTo(137);
    String runId = m.group(1);
    assertThat(show(runId).path("status").asText()).as(read(first)).isNotEqualTo("completed");

    // and: started again
    Path second = dir.resolve("second.log");
    daemon = start("a", second, playbooks);

    // then: the run is resumed and finishes, with its one job
    Path[] logs = {second};
    await(() -> read(second).contains("resumed run " + runId + " completed"), logs, 90);
    JsonNode run = show(runId);
    assertThat(run.path("status").asText()).isEqualTo("completed");
    assertThat(run.path("jobIds")).hasSize(1);
    assertThat(run.path("succeeded").asLong()).isEqualTo(objects);
    assertThat(localJobsOf(runId)).hasSize(1);

    // and: the next firing still happens, to a run of its own that completes
    await(
        () -> {
          for (JsonNode r : runs("a")) {
            if (!r.path("id").asText().equals(runId)
                && r.path("status").asText().equals("completed")) {
              return true;
            }
          }
          return false;
        },
        logs,
        60);
    daemon.destroy();
    assertThat(daemon.waitFor(30, TimeUnit.SECONDS)).isTrue();
    System.out.println(read(first) + "\n---\n" + read(second));
    assertThat(read(second)).contains("firing tag-all (slot ").doesNotContain("(bug)");
  }

  private JsonNode show(String runId) throws Exception {
    Result show = quarry("a", "runs", "show", runId, "-o", "json");
    assertThat(show.code()).as(show.err()).isZero();
    return Json.MAPPER.readTree(show.out()).path("run");
  }

  private List<JsonNode> localJobsOf(String runId) throws Exception {
    List<JsonNode> jobs = new ArrayList<>();
    for (JsonNode job :
        Json.MAPPER.readTree(quarry("a", "jobs", "-o", "json").out()).path("jobs")) {
      if (job.path("runId").asText().equals(runId)) {
        jobs.add(job);
      }
    }
    return jobs;
  }

  private JsonNode runs(String node) {
    Result runs = quarry(node, "runs", "-o", "json");
    assertThat(runs.code()).as(runs.err()).isZero();
    try {
      return Json.MAPPER.readTree(runs.out()).path("runs");
    } catch (java.io.IOException e) {
      throw new AssertionError(runs.out(), e);
    }
  }

  private void await(BooleanSupplier condition, Path[] logs, int seconds)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.getAsBoolean()) {
      StringBuilder all = new StringBuilder();
      for (Path log : logs) {
        all.append(read(log)).append("\n---\n");
      }
      assertThat(daemons).as("a daemon ended: " + all).allMatch(Process::isAlive);
      assertThat(System.nanoTime()).as("timed out; logs: " + all).isLessThan(deadline);
      Thread.sleep(500);
    }
  }

  private static String read(Path log) {
    try {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private Process start(String node, Path log, Path playbooks) throws java.io.IOException {
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-jar",
            JAR.toAbsolutePath().toString(),
            "daemon",
            "--playbooks",
            playbooks.toString(),
            "--poll",
            "1",
            "--cluster-checkin",
            "1",
            "--misfire",
            "skip",
            "--s3-endpoint",
            server.endpoint().toString(),
            "--state-dir",
            dir.resolve("state-" + node).toString(),
            "--concurrency",
            "1");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().put("QUARRY_MANIFESTS_DIR", dir.resolve("manifests-" + node).toString());
    builder.environment().putAll(env);
    Process p = builder.start();
    daemons.removeIf(d -> !d.isAlive());
    daemons.add(p);
    return p;
  }

  private record Result(int code, String out, String err) {}

  private Result quarry(String node, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(
        List.of(
            "--s3-endpoint",
            server.endpoint().toString(),
            "--state-dir",
            dir.resolve("state-" + node).toString()));
    Map<String, String> context = new HashMap<>(env);
    context.put("QUARRY_MANIFESTS_DIR", dir.resolve("manifests-" + node).toString());
    int code =
        QuarryCommand.execute(
            new CliContext(context, new PrintWriter(out, true), new PrintWriter(err, true), false),
            all.toArray(String[]::new));
    return new Result(code, out.toString(), err.toString());
  }
}
