package dev.quarry.cli;

import dev.quarry.job.JobRecord;
import dev.quarry.job.local.LocalBatchJobs;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code quarry jobs}: the profile's executor's jobs. */
@Command(
    name = "jobs",
    mixinStandardHelpOptions = true,
    description = {
      "Lists the jobs of the profile's executor, newest first: id, playbook, status, progress"
          + " (tasks done/total) and when each was created. With S3 Batch Operations (executor:"
          + " s3control) these are the account's jobs as ListJobs returns them (the last 90"
          + " days), Quarry's and others'.",
      "",
      "Examples:",
      "  quarry jobs",
      "  quarry jobs --output json",
      "  quarry jobs --profile prod",
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
    boolean local = config.executor().equals("local");
    // locally, only look: no executor (and no S3 client) is needed to read the job files
    List<JobRecord> jobs =
        local
            ? new dev.quarry.job.local.JobDirectory(LocalBatchJobs.jobsDir(config.stateDir()))
                .list()
            : JobBackend.with(config, 1, b -> b.jobs().list());
    if (global.output() == OutputFormat.json) {
      context.out().println(Json.write(Map.of("jobs", jobs)));
      return;
    }
    if (jobs.isEmpty()) {
      context.out().println(local ? "No local jobs." : "No jobs (ListJobs keeps 90 days).");
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
