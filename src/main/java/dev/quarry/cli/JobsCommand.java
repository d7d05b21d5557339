package dev.quarry.cli;

import dev.quarry.job.JobRecord;
import dev.quarry.job.local.LocalBatchJobs;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code quarry jobs}: the local jobs. */
@Command(
    name = "jobs",
    mixinStandardHelpOptions = true,
    description = {
      "Lists the jobs of the local executor, newest first: id, playbook, status, progress"
          + " (tasks done/total) and when each was created.",
      "",
      "Examples:",
      "  quarry jobs",
      "  quarry jobs --output json",
      ""
    })
public final class JobsCommand implements Runnable {
  @Mixin GlobalOptions global;

  private final CliContext context;

  public JobsCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public void run() {
    var config = context.config(global);
    List<JobRecord> jobs =
        new dev.quarry.job.local.JobDirectory(LocalBatchJobs.jobsDir(config.stateDir())).list();
    if (global.output() == OutputFormat.json) {
      context.out().println(Json.write(Map.of("jobs", jobs)));
      return;
    }
    if (jobs.isEmpty()) {
      context.out().println("No local jobs.");
      return;
    }
    String format = "%-36s  %-24s  %-10s  %-18s  %s%n";
    context.out().printf(format, "ID", "PLAYBOOK", "STATUS", "PROGRESS", "CREATED");
    for (JobRecord job : jobs) {
      context
          .out()
          .printf(
              format,
              job.jobId(),
              job.playbook(),
              job.status().awsName(),
              LocalJobs.progress(job),
              LocalJobs.TIME.format(job.created()));
    }
  }
}
