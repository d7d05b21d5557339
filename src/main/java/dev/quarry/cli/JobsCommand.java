package dev.quarry.cli;

import dev.quarry.job.JobRecord;
import dev.quarry.job.local.JobDirectory;
import dev.quarry.job.local.LocalBatchJobs;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code quarry jobs}: the profile's executor's jobs. */
@Command(
    name = "jobs",
    mixinStandardHelpOptions = true,
    description = {
      "Lists the jobs of the profile's executor, newest first: id, playbook, status, progress"
          + " (tasks done/total) and when each was created. A local job whose quarry process"
          + " died (killed, or the machine stopped) shows as Interrupted, with the command that"
          + " continues it (quarry resume <id>); its record keeps the status it had. With S3 Batch Operations (executor:"
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
    JobDirectory directory =
        local ? new JobDirectory(LocalBatchJobs.jobsDir(config.stateDir())) : null;
    List<JobRecord> jobs =
        local ? directory.list() : JobBackend.with(config, 1, b -> b.jobs().list());
    Predicate<JobRecord> interrupted = local ? directory::interrupted : j -> false;
    if (global.output() == OutputFormat.json) {
      context
          .out()
          .println(
              Json.write(
                  Map.of(
                      "jobs",
                      jobs.stream().map(j -> LocalJobs.json(j, interrupted.test(j))).toList())));
      return;
    }
    if (jobs.isEmpty()) {
      context.out().println(local ? "No local jobs." : "No jobs (ListJobs keeps 90 days).");
      return;
    }
    String format = "%-36s  %-24s  %-11s  %-18s  %s%n";
    context.out().printf(format, "ID", "PLAYBOOK", "STATUS", "PROGRESS", "CREATED");
    List<JobRecord> stopped = new ArrayList<>();
    for (JobRecord job : jobs) {
      boolean gone = interrupted.test(job);
      if (gone) {
        stopped.add(job);
      }
      context
          .out()
          .printf(
              format,
              job.jobId(),
              job.playbook(),
              LocalJobs.displayStatus(job, gone),
              LocalJobs.progress(job),
              LocalJobs.TIME.format(job.created()));
    }
    for (JobRecord job : stopped) {
      context
          .out()
          .printf(
              "%nInterrupted: job %s was %s when its process died; continue it with: quarry resume"
                  + " %s%n",
              job.jobId(), job.status().awsName(), job.jobId());
    }
  }
}
