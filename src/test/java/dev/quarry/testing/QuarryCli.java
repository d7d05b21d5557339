package dev.quarry.testing;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.cli.CliContext;
import dev.quarry.cli.Json;
import dev.quarry.cli.QuarryCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Quarry's command line in this JVM, against one S3 endpoint and one state folder (manifests under
 * {@code <dir>/manifests}), as the command-line tests drive it: its exit status and what it wrote.
 */
public final class QuarryCli {
  private final URI endpoint;
  private final Path dir;
  private final Map<String, String> environment;

  /** What one command did. */
  public record Result(int code, String out, String err) {}

  public QuarryCli(URI endpoint, Path dir, Map<String, String> environment) {
    this.endpoint = requireNonNull(endpoint, "endpoint is null");
    this.dir = requireNonNull(dir, "dir is null");
    Map<String, String> env = new LinkedHashMap<>(environment);
    env.putIfAbsent("QUARRY_MANIFESTS_DIR", dir.resolve("manifests").toString());
    this.environment = Map.copyOf(env);
  }

  public Path manifests() {
    return Path.of(environment.get("QUARRY_MANIFESTS_DIR"));
  }

  public Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] all = new String[args.length + 4];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--s3-endpoint";
    all[args.length + 1] = endpoint.toString();
    all[args.length + 2] = "--state-dir";
    all[args.length + 3] = dir.resolve("state").toString();
    int code =
        QuarryCommand.execute(
            new CliContext(
                environment, new PrintWriter(out, true), new PrintWriter(err, true), false),
            all);
    return new Result(code, out.toString(), err.toString());
  }

  /** {@code quarry runs -o json}: every run in the run store, newest first. */
  public JsonNode runs() {
    return json("runs", "-o", "json").path("runs");
  }

  /** The runs of {@code playbook} in the run store, newest first. */
  public List<JsonNode> runsOf(String playbook) {
    List<JsonNode> of = new ArrayList<>();
    for (JsonNode run : runs()) {
      if (run.path("playbook").asText().equals(playbook)) {
        of.add(run);
      }
    }
    return of;
  }

  /** {@code quarry runs show <run> -o json}: the run's record, its steps and transitions. */
  public JsonNode show(String runId) {
    return json("runs", "show", runId, "-o", "json").path("run");
  }

  /** The local executor's jobs of run {@code runId} ({@code quarry jobs -o json}). */
  public List<JsonNode> jobsOf(String runId) {
    List<JsonNode> jobs = new ArrayList<>();
    for (JsonNode job : json("jobs", "-o", "json").path("jobs")) {
      if (job.path("runId").asText().equals(runId)) {
        jobs.add(job);
      }
    }
    return jobs;
  }

  private JsonNode json(String... args) {
    Result result = run(args);
    assertThat(result.code()).as(String.join(" ", args) + ": " + result.err()).isZero();
    try {
      return Json.MAPPER.readTree(result.out());
    } catch (JsonProcessingException e) {
      throw new AssertionError("not JSON: " + result.out(), e);
    }
  }
}
