package dev.quarry.cli;

import dev.quarry.sandbox.LocalS3Server.Listener;
import dev.quarry.sandbox.SandboxState;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code quarry sandbox}: a local S3 endpoint that every Quarry command uses while it runs. */
@Command(
    name = "sandbox",
    mixinStandardHelpOptions = true,
    description = {
      "A local S3-compatible server (S3Mock or moto) started in the background. While it runs,"
          + " every quarry command started with the same state directory talks to it unless an"
          + " endpoint is configured.",
      ""
    },
    subcommands = {
      SandboxUpCommand.class,
      SandboxSeedCommand.class,
      SandboxStatusCommand.class,
      SandboxDownCommand.class,
      SandboxControlServerCommand.class
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  quarry sandbox up                 # S3Mock on 127.0.0.1, store under .quarry/sandbox",
      "  quarry sandbox seed               # demo bucket 'starwatcher', ~3,000 objects",
      "  quarry sandbox status -o json",
      "  quarry sandbox down --purge       # stop it and delete its store"
    })
public final class SandboxCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "a subcommand is required: up, seed, status or down");
  }

  /** The fields {@code up} and {@code status} share, in JSON order. */
  static Map<String, Object> describe(SandboxState state) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("kind", state.kind());
    view.put("pid", state.pid());
    view.put("startedAt", state.startedAt());
    Map<String, Object> endpoints = new LinkedHashMap<>();
    endpoints.put("s3", state.endpoint().toString());
    state.controlProcess().ifPresent(c -> endpoints.put("s3control", c.endpoint().toString()));
    view.put("endpoints", endpoints);
    state
        .controlProcess()
        .ifPresent(
            c -> {
              Map<String, Object> control = new LinkedHashMap<>();
              control.put("pid", c.pid());
              control.put("endpoint", c.endpoint().toString());
              control.put("running", c.running());
              control.put("log", c.log());
              view.put("s3control", control);
            });
    // the key for other tools (the AWS CLI, boto3); the state file holding it is the user's alone
    state
        .sandboxCredentials()
        .ifPresent(
            c -> {
              Map<String, Object> credentials = new LinkedHashMap<>();
              credentials.put("accessKeyId", c.accessKeyId());
              credentials.put("secretAccessKey", c.secretAccessKey());
              view.put("credentials", credentials);
            });
    view.put("listeners", state.listeners());
    view.put("storeRoot", state.storeRoot());
    view.put("log", state.log());
    return view;
  }

  /** Prints the listeners, warning plainly about any that listens on every interface. */
  static void printListeners(PrintWriter out, SandboxState state) {
    boolean first = true;
    for (Listener listener : state.listeners()) {
      out.printf(
          "  %-13s %s:%d  %s%n",
          first ? "listening" : "", listener.address(), listener.port(), listener.purpose());
      first = false;
    }
    for (Listener listener : state.listeners()) {
      if (listener.address().equals("0.0.0.0") || listener.address().equals("::")) {
        out.printf(
            "  WARNING: port %d listens on ALL network interfaces (%s cannot turn it off): anyone"
                + " who can reach this machine can read and write the sandbox's buckets through"
                + " it. On a shared network, block the port with a firewall.%n",
            listener.port(), state.kind());
      }
    }
  }

  static String duration(Duration d) {
    long s = Math.max(0, d.getSeconds());
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return (s / 60) + "m " + (s % 60) + "s";
    }
    return (s / 3600) + "h " + (s % 3600 / 60) + "m";
  }
}
