package dev.quarry.job.s3control;

import static java.util.Objects.requireNonNull;

import dev.quarry.config.QuarryConfig;
import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.report.ReportLocation;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What S3 Batch Operations needs from a profile, checked all at once before any remote call.
 *
 * @param accountId the 12-digit account that owns the jobs
 * @param roleArn the role Batch Operations assumes to run the tasks
 * @param manifestLocation where manifests are uploaded, {@code <prefix><playbook>/<runId>/}
 * @param reportLocation where completion reports are written
 * @param rollbackFunctionArn the rollback Lambda for rollback-deletes playbooks that name none
 */
public record S3ControlSettings(
    String accountId,
    String roleArn,
    QuarryConfig.S3Uri manifestLocation,
    QuarryConfig.S3Uri reportLocation,
    Optional<String> rollbackFunctionArn) {
  public S3ControlSettings {
    requireNonNull(accountId, "accountId is null");
    requireNonNull(roleArn, "roleArn is null");
    requireNonNull(manifestLocation, "manifestLocation is null");
    requireNonNull(reportLocation, "reportLocation is null");
    requireNonNull(rollbackFunctionArn, "rollbackFunctionArn is null");
  }

  /**
   * The settings of {@code config}'s profile.
   *
   * @throws QuarryException (user) naming every missing setting, with its environment variable
   */
  public static S3ControlSettings from(QuarryConfig config) {
    QuarryConfig.Aws aws = config.aws();
    List<String> missing = new ArrayList<>();
    if (aws.accountId().isEmpty()) {
      missing.add("account-id (QUARRY_ACCOUNT_ID): the 12-digit account that owns the jobs");
    }
    if (aws.roleArn().isEmpty()) {
      missing.add(
          "role-arn (QUARRY_ROLE_ARN): the IAM role S3 Batch Operations assumes, such as"
              + " arn:aws:iam::111122223333:role/quarry-batch-operations");
    }
    if (aws.manifestLocation().isEmpty()) {
      missing.add(
          "manifest-location (QUARRY_MANIFEST_LOCATION): where manifests are uploaded, such as"
              + " s3://my-quarry/manifests/");
    }
    if (aws.reportLocation().isEmpty()) {
      missing.add(
          "report-location (QUARRY_REPORT_LOCATION): where completion reports go, such as"
              + " s3://my-quarry/reports/");
    }
    if (!missing.isEmpty()) {
      throw QuarryException.user(
          ErrorCode.CONFIG_INVALID,
          "profile '"
              + config.profile()
              + "' uses executor s3control, which needs these settings:\n  "
              + String.join("\n  ", missing));
    }
    return new S3ControlSettings(
        aws.accountId().get(),
        aws.roleArn().get(),
        aws.manifestLocation().get(),
        aws.reportLocation().get(),
        aws.rollbackFunctionArn());
  }

  /** The report location as CreateJob's Report and the report reader name it. */
  public ReportLocation.S3 report() {
    return new ReportLocation.S3(
        reportLocation.bucket(), reportLocation.prefix().replaceAll("^/+|/+$", ""));
  }
}
