package dev.quarry.cli;

import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.job.JobRecord;
import dev.quarry.job.local.JobDirectory;
import dev.quarry.job.local.LocalBatchJobs;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code quarry job <id>}: one job in detail. */
@Command(
    name = "job",
    mixinStandardHelpOptions = true,
    description = {
      "Shows one job of the profile's executor: status, progress, timings, failure reasons, its"
          + " report's location and every status transition (with S3 Batch Operations, executor:"
          + " s3control, from DescribeJob, and the transitions this machine has seen). A local"
          + " job whose quarry process died shows as Interrupted, with the command that continues"
          + " it (quarry resume <id>).",
      "",
      "Examples:",
      "  quarry job 0b6f3c9e-6a55-4f7e-9a43-3f1a3c1f2b7d",
      "  quarry job 0b6f3c9e-6a55-4f7e-9a43-3f1a3c1f2b7d --output json",
      ""
    })
public final class JobCommand implements Runnable {
  @Mixin GlobalOptions global;

  @Parameters(paramLabel = "JOB-ID", description = "The job's id.")
  String jobId;

  private final CliContext context;

  public JobCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public void run() {
    var config = context.config(global);
    boolean local = config.executor().equals("local");
    JobDirectory directory = new JobDirectory(LocalBatchJobs.jobsDir(config.stateDir()));
    JobRecord job =
        local
            ? directory
                .find(jobId)
                .orElseThrow(
                    () -> QuarryException.user(ErrorCode.JOB_NOT_FOUND, "no local job " + jobId))
            : JobBackend.with(config, 1, b -> b.jobs().describe(jobId))
                .orElseThrow(
                    () ->
                        QuarryException.user(
                            ErrorCode.JOB_NOT_FOUND,
                            "S3 Batch Operations has no job "
                                + jobId
                                + " in account "
                                + config.aws().accountId().orElse("?")));
    boolean interrupted = local && directory.interrupted(job);
    if (global.output() == OutputFormat.json) {
      context.out().println(Json.write(Map.of("job", LocalJobs.json(job, interrupted))));
      return;
    }
    var out = context.out();
    LocalJobs.summary(job, interrupted, out);
    out.printf("  playbook   %s (run %s)%n", job.playbook(), job.runId());
    out.printf("  action     %s%n", job.action());
    out.printf("  created    %s%n", LocalJobs.TIME.format(job.created()));
    job.terminated().ifPresent(t -> out.printf("  ended      %s%n", LocalJobs.TIME.format(t)));
    out.println("  transitions");
    for (JobRecord.Transition t : job.transitions()) {
      out.printf(
          "    %s  %-10s %s%n", LocalJobs.TIME.format(t.at()), t.status().awsName(), t.note());
    }
  }
}
