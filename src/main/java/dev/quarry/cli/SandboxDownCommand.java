package dev.quarry.cli;

import dev.quarry.sandbox.Sandbox;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code quarry sandbox down}: stops the sandbox started by {@code up}. */
@Command(
    name = "down",
    mixinStandardHelpOptions = true,
    description = {
      "Stops the sandbox's server (by the pid 'up' recorded) and removes its state.",
      "Safe to repeat: with nothing running it says so and succeeds. S3Mock's buckets stay on"
          + " disk for the next 'up' unless --purge is given.",
      ""
    },
    footerHeading = "%nExamples:%n",
    footer = {"  quarry sandbox down", "  quarry sandbox down --purge"})
public final class SandboxDownCommand implements Runnable {
  @Mixin GlobalOptions global;

  @Option(names = "--purge", description = "Also delete S3Mock's store (every bucket and object).")
  boolean purge;

  private final CliContext context;

  public SandboxDownCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public void run() {
    Sandbox sandbox = new Sandbox(context.config(global).sandboxDir());
    Sandbox.DownResult result = sandbox.down(purge);
    if (global.output() == OutputFormat.json) {
      Map<String, Object> view = new LinkedHashMap<>();
      view.put("stopped", result.stoppedPid().isPresent());
      view.put("pid", result.stoppedPid().orElse(null));
      view.put("kind", result.state().map(s -> s.kind()).orElse(null));
      view.put("purgedStore", result.purgedStore());
      view.put("note", result.note().orElse(null));
      context.out().println(Json.write(view));
      return;
    }
    result
        .stoppedPid()
        .ifPresent(
            pid ->
                context
                    .out()
                    .printf(
                        "Stopped the %s sandbox (pid %d).%n",
                        result.state().orElseThrow().kind(), pid));
    result.note().ifPresent(note -> context.out().println("Nothing to stop: " + note + "."));
    if (result.purgedStore()) {
      context.out().println("Deleted the S3Mock store " + sandbox.storeRoot() + ".");
    } else if (!purge && java.nio.file.Files.exists(sandbox.storeRoot())) {
      context
          .out()
          .println(
              "S3Mock's buckets are kept in "
                  + sandbox.storeRoot()
                  + " ('down --purge' deletes them).");
    }
  }
}
