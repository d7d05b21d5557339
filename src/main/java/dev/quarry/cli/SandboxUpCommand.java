package dev.quarry.cli;

import dev.quarry.config.QuarryConfig;
import dev.quarry.sandbox.Sandbox;
import dev.quarry.sandbox.SandboxState;
import dev.quarry.sandbox.ServerKind;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code quarry sandbox up}: starts the local S3 server in the background. */
@Command(
    name = "up",
    mixinStandardHelpOptions = true,
    description = {
      "Starts a local S3 server in the background and leaves it running after quarry exits.",
      "Does nothing if this state directory's sandbox is already running (prints its endpoint).",
      "",
      "Every endpoint listens on 127.0.0.1 only and refuses requests whose Host header does not"
          + " name localhost or 127.0.0.1 and any request from a web page (an Origin header).",
      "",
      "moto: moto_server (pip install 'moto[server]'); as S3 for versions, deletes,"
          + " copies, paging, restores and archive-tier errors (docs/SANDBOX.md has the checks)."
          + " In memory: 'down' loses every bucket, and it grows with what it holds (about 220"
          + " KiB a 16 KiB object version); 'sandbox down' and 'up' again frees it.",
      "s3mock (default): Adobe S3Mock; buckets persist across up/down in <state-dir>/sandbox/s3mock-store,"
          + " flat memory. Unlike S3: no RestoreObject or archive-tier errors, a DeleteObject of a"
          + " version id that is gone deletes the current version, a copy in place overwrites,"
          + " ListObjectVersions paging loses entries.",
      "",
      "Also starts a local S3 Control endpoint (S3 Batch Operations CreateJob, DescribeJob,"
          + " ListJobs, UpdateJobStatus; any 12-digit account id) whose jobs run with Quarry's"
          + " local executor against the S3 server; 'sandbox status' shows its URL (endpoints"
          + ".s3control) and the key it accepts (credentials: each 'up' makes a new one; requests"
          + " signed otherwise are refused). AWS SDKs and the AWS CLI put the account id in front"
          + " of the endpoint's host, so:",
      "  AWS SDK for Java v2: an endpointProvider returning the URL (endpointOverride is not"
          + " enough).",
      "  AWS CLI / boto3: --endpoint-url http://localhost:PORT, where <account>.localhost must"
          + " resolve to 127.0.0.1 (systemd-resolved does; else a line '127.0.0.1"
          + " 111122223333.localhost' in /etc/hosts), or in boto3 strip the prefix from the host"
          + " in a 'before-sign.s3-control.*' event handler.",
      ""
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  quarry sandbox up",
      "  quarry sandbox up --server moto",
      "  quarry sandbox up --state-dir /tmp/q -o json",
      "  quarry sandbox status -o json | jq -r .endpoints.s3control"
    })
public final class SandboxUpCommand implements Runnable {
  @Mixin GlobalOptions global;

  @Option(
      names = "--server",
      paramLabel = "KIND",
      defaultValue = "s3mock",
      description = "Server to run: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  ServerKind server;

  private final CliContext context;

  public SandboxUpCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public void run() {
    QuarryConfig config = context.config(global);
    Sandbox sandbox = new Sandbox(config.sandboxDir());
    Sandbox.UpResult result = sandbox.up(server);
    SandboxState state = result.state();
    PrintWriter out = context.out();
    if (global.output() == OutputFormat.json) {
      Map<String, Object> view = new java.util.LinkedHashMap<>();
      view.put("alreadyRunning", result.alreadyRunning());
      view.putAll(SandboxCommand.describe(state));
      result.replacedStale().ifPresent(reason -> view.put("replacedStaleState", reason));
      out.println(Json.write(view));
      return;
    }
    result
        .replacedStale()
        .ifPresent(reason -> out.println("(replaced a stale sandbox state: " + reason + ")"));
    if (result.alreadyRunning()) {
      out.printf(
          "Sandbox already running: %s (pid %d) at %s%n",
          state.kind(), state.pid(), state.endpoint());
      return;
    }
    out.printf("Sandbox started: %s (pid %d)%n", state.kind(), state.pid());
    out.printf("  %-13s %s%n", "S3 endpoint", state.endpoint());
    state
        .controlProcess()
        .ifPresent(
            c ->
                out.printf(
                    "  %-13s %s (pid %d, log %s)%n", "S3 Control", c.endpoint(), c.pid(), c.log()));
    SandboxCommand.printListeners(out, state);
    state
        .store()
        .ifPresentOrElse(
            store ->
                out.printf(
                    "  %-13s %s (kept across up/down; 'down --purge' deletes it)%n",
                    "store", store),
            () ->
                out.printf(
                    "  %-13s in memory: 'down' loses every bucket, and its memory grows with what"
                        + " it holds ('down' and 'up' frees it; --server s3mock keeps buckets on"
                        + " disk)%n",
                    "store"));
    out.printf("  %-13s %s%n", "log", state.log());
    out.println();
    out.println(
        "Quarry commands run with this state directory ("
            + config.stateDir()
            + ") now use this sandbox while it runs;");
    out.println("no QUARRY_S3_ENDPOINT or --s3-endpoint needed.");
    String keys =
        state
            .sandboxCredentials()
            .map(
                c ->
                    "AWS_ACCESS_KEY_ID="
                        + c.accessKeyId()
                        + " AWS_SECRET_ACCESS_KEY="
                        + c.secretAccessKey())
            .orElse("AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x");
    out.println(
        "Other tools (the sandbox's key, region us-east-1; 'sandbox status -o json' shows it):");
    out.printf("  %s aws --region us-east-1 --endpoint-url %s s3 ls%n", keys, state.endpoint());
    out.println(
        "Next: quarry sandbox seed    Status: quarry sandbox status    Stop: quarry sandbox down");
    state
        .controlProcess()
        .ifPresent(
            c ->
                out.printf(
                    "S3 Batch Operations (any 12-digit account; see 'sandbox up --help' for boto3):%n"
                        + "  %s aws --region us-east-1"
                        + " --endpoint-url http://localhost:%d s3control list-jobs --account-id"
                        + " 111122223333%n",
                    keys, c.endpoint().getPort()));
  }
}
