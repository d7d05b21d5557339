package dev.quarry.cli;

import dev.quarry.config.QuarryConfig;
import dev.quarry.config.S3Clients;
import dev.quarry.sandbox.Sandbox;
import dev.quarry.sandbox.SandboxState;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;

/** {@code quarry sandbox status}: whether the sandbox runs, where, and what it cannot do. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "Shows whether the sandbox is running: server kind, pid, uptime, endpoint, every listening"
          + " port with its bind address, known gaps against real S3, and the bucket count.",
      "Exits 0 when it is not running too (running=false in JSON).",
      ""
    },
    footerHeading = "%nExamples:%n",
    footer = {"  quarry sandbox status", "  quarry sandbox status -o json | jq .endpoints.s3"})
public final class SandboxStatusCommand implements Runnable {
  @Mixin GlobalOptions global;

  private final CliContext context;

  public SandboxStatusCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public void run() {
    QuarryConfig config = context.config(global);
    Sandbox sandbox = new Sandbox(config.sandboxDir());
    Sandbox.Status status = sandbox.status();
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("running", status.running());
    if (!status.running()) {
      view.put("reason", status.reason());
      view.put("stateFile", SandboxState.file(sandbox.dir()).toString());
      print(view, null, List.of(), null);
      return;
    }
    SandboxState state = status.state().orElseThrow();
    Instant now = Instant.now();
    Integer buckets = null;
    String bucketsError = null;
    try (S3Client s3 = S3Clients.create(config.withS3Endpoint(state.endpoint()), 1)) {
      buckets = s3.listBuckets().buckets().size();
    } catch (SdkException e) {
      bucketsError = e.getMessage();
    }
    List<String> gaps = Sandbox.attach(state).knownGaps();
    view.putAll(SandboxCommand.describe(state));
    view.put("uptimeSeconds", state.uptime(now).getSeconds());
    view.put("knownGaps", gaps);
    view.put("buckets", buckets);
    if (bucketsError != null) {
      view.put("bucketsError", bucketsError);
    }
    view.put("stateFile", SandboxState.file(sandbox.dir()).toString());
    print(view, state, gaps, bucketsError);
  }

  private void print(
      Map<String, Object> view, SandboxState state, List<String> gaps, String bucketsError) {
    PrintWriter out = context.out();
    if (global.output() == OutputFormat.json) {
      out.println(Json.write(view));
      return;
    }
    if (state == null) {
      out.println("Sandbox not running (" + view.get("reason") + ").");
      out.println("Start one with: quarry sandbox up");
      return;
    }
    out.printf(
        "Sandbox running: %s (pid %d), up %s%n",
        state.kind(), state.pid(), SandboxCommand.duration(state.uptime(Instant.now())));
    out.printf("  %-13s %s%n", "S3 endpoint", state.endpoint());
    state
        .controlProcess()
        .ifPresent(
            c ->
                out.printf(
                    "  %-13s %s (pid %d%s)%n",
                    "S3 Control",
                    c.endpoint(),
                    c.pid(),
                    c.running() ? "" : ", NOT running: restart with 'quarry sandbox up'"));
    SandboxCommand.printListeners(out, state);
    out.printf(
        "  %-13s %s%n",
        "buckets", bucketsError == null ? view.get("buckets") : "unknown (" + bucketsError + ")");
    out.printf(
        "  %-13s %s%n", "store", state.storeRoot() == null ? "in memory" : state.storeRoot());
    out.printf("  %-13s %s%n", "log", state.log());
    out.println("  known gaps against S3:");
    gaps.forEach(gap -> out.println("    - " + gap));
  }
}
