package dev.quarry.job;

import static java.util.Objects.requireNonNull;

import dev.quarry.playbook.ActionSpec;
import dev.quarry.playbook.ReportSpec;
import dev.quarry.report.ReportLocation;
import java.nio.file.Path;
import java.util.List;

/**
 * What CreateJob needs, reduced to what both executors use.
 *
 * @param clientRequestToken idempotency token (at most 64 characters); derived from the run id
 * @param priority higher runs first (AWS does not promise a strict order)
 * @param confirmationRequired the job waits in Suspended until confirmed
 */
public record JobRequest(
    String clientRequestToken,
    String playbook,
    String runId,
    String description,
    int priority,
    ActionSpec action,
    ManifestRef manifest,
    Report report,
    boolean confirmationRequired) {
  public JobRequest {
    requireNonNull(clientRequestToken, "clientRequestToken is null");
    if (clientRequestToken.isEmpty() || clientRequestToken.length() > 64) {
      throw new IllegalArgumentException(
          "clientRequestToken must be 1 to 64 characters: " + clientRequestToken);
    }
    requireNonNull(playbook, "playbook is null");
    requireNonNull(runId, "runId is null");
    requireNonNull(description, "description is null");
    requireNonNull(action, "action is null");
    requireNonNull(manifest, "manifest is null");
    requireNonNull(report, "report is null");
  }

  /** The token for a run's first step: the run id, which is unique and short enough. */
  public static String tokenFor(String runId) {
    return tokenFor(runId, 1);
  }

  /**
   * The token for step {@code step} (from 1) of a run: the run id for the first, {@code
   * <runId>-<step>} after it, so a resumed run finds each step's job again and never makes a
   * second.
   */
  public static String tokenFor(String runId, int step) {
    if (step == 1) {
      return runId.length() <= 64 ? runId : runId.substring(0, 64);
    }
    String token = runId + "-" + step;
    if (token.length() > 64) {
      throw new IllegalArgumentException("run id too long for a client request token: " + runId);
    }
    return token;
  }

  /**
   * The manifest: an S3BatchOperations_CSV_20180820 file, its ETag (MD5 in hex) and its fields.
   *
   * @param fields {@code [Bucket, Key]} or {@code [Bucket, Key, VersionId]}
   */
  public record ManifestRef(Path file, String format, String etag, List<String> fields) {
    public ManifestRef {
      requireNonNull(file, "file is null");
      requireNonNull(format, "format is null");
      requireNonNull(etag, "etag is null");
      fields = List.copyOf(fields);
    }

    public boolean withVersionIds() {
      return fields.contains("VersionId");
    }
  }

  /** CreateJob's Report: where, which tasks, and whether there is one at all. */
  public record Report(boolean enabled, ReportLocation location, ReportSpec.Scope scope) {
    public Report {
      requireNonNull(location, "location is null");
      requireNonNull(scope, "scope is null");
    }
  }
}
