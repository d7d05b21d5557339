package dev.quarry.action;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.RestoreObjectResponse;
import software.amazon.awssdk.services.s3.model.RestoreRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3control.model.JobOperation;
import software.amazon.awssdk.services.s3control.model.S3GlacierJobTier;
import software.amazon.awssdk.services.s3control.model.S3InitiateRestoreObjectOperation;

/**
 * Initiates restores of archived objects. S3 Batch Operations only initiates them; the copy is
 * readable hours later (Flexible Retrieval bulk 5–12 h, standard 3–5 h; Deep Archive up to 48 h).
 *
 * <p>Glacier Flexible Retrieval and Deep Archive objects need {@code days} (how long the restored
 * copy stays); Intelligent-Tiering archive tiers must not set it, and the two kinds cannot share a
 * job, so a playbook names which kind it restores:
 *
 * <pre>{@code
 * action:
 *   type: restore
 *   days: 5          # required for archive: glacier (the default)
 *   tier: BULK       # or STANDARD
 * }</pre>
 *
 * <p>Locally, each row becomes one RestoreObject request (with the row's version id when it has
 * one): 202 is "restore initiated", 200 means a restored copy already exists and S3 updated its
 * expiry. {@code 409 RestoreAlreadyInProgress} counts as succeeded ("restore already in progress"):
 * the restore the playbook asks for is under way. How S3 Batch Operations reports that case is not
 * documented (unconfirmed), so a report from AWS may differ here. An object that is not archived
 * fails with S3's {@code 403 InvalidObjectState}.
 */
public record RestoreAction(Archive archive, Integer days, Tier tier) implements Action {
  @JsonCreator
  public RestoreAction(
      @JsonProperty("archive") Archive archive,
      @JsonProperty("days") Integer days,
      @JsonProperty("tier") Tier tier) {
    this.archive = archive == null ? Archive.GLACIER : archive;
    this.tier = tier == null ? Tier.BULK : tier;
    if (this.archive == Archive.GLACIER && (days == null || days < 1)) {
      throw new IllegalArgumentException("restore from glacier needs days >= 1");
    }
    if (this.archive == Archive.INTELLIGENT_TIERING && days != null) {
      throw new IllegalArgumentException("restore from intelligent-tiering must not set days");
    }
    this.days = days;
  }

  /** Which kind of archive the objects are in. */
  public enum Archive {
    @JsonProperty("glacier")
    GLACIER,
    @JsonProperty("intelligent-tiering")
    INTELLIGENT_TIERING
  }

  /** Retrieval tiers S3 Batch Operations accepts (not Expedited). */
  public enum Tier {
    BULK,
    STANDARD
  }

  @Override
  public String type() {
    return "restore";
  }

  @Override
  public boolean needsVersionId() {
    return false;
  }

  @Override
  public boolean destructive() {
    return false;
  }

  @Override
  public JobOperation jobOperation(String bucket) {
    return JobOperation.builder()
        .s3InitiateRestoreObject(
            S3InitiateRestoreObjectOperation.builder()
                .expirationInDays(days)
                .glacierJobTier(S3GlacierJobTier.fromValue(tier.name()))
                .build())
        .build();
  }

  @Override
  public RolePermissions rolePermissions(boolean versioned) {
    // RestoreObject with a versionId is authorized by s3:RestoreObject too: there is no
    // version-specific restore action
    return RolePermissions.onObjects(
        "S3InitiateRestoreObject calls RestoreObject on each object", "s3:RestoreObject");
  }

  @Override
  public LocalTask localTask(S3Client s3) {
    requireNonNull(s3, "s3 is null");
    RestoreRequest request = restoreRequest();
    String asked =
        days == null
            ? "tier " + tier
            : "tier " + tier + ", " + days + (days == 1 ? " day" : " days");
    return row ->
        S3Errors.guard(
            () -> {
              try {
                RestoreObjectResponse response =
                    s3.restoreObject(
                        b ->
                            b.bucket(row.bucket())
                                .key(row.key())
                                .versionId(row.versionId())
                                .restoreRequest(request));
                return TaskOutcome.succeeded(
                    response.sdkHttpResponse().statusCode() == 200
                        ? "already restored; expiry updated (" + asked + ")"
                        : "restore initiated (" + asked + ")");
              } catch (S3Exception e) {
                if (e.statusCode() == 409 && "RestoreAlreadyInProgress".equals(S3Errors.code(e))) {
                  return TaskOutcome.succeeded("restore already in progress");
                }
                throw e;
              }
            });
  }

  private RestoreRequest restoreRequest() {
    software.amazon.awssdk.services.s3.model.Tier sdkTier =
        switch (tier) {
          case BULK -> software.amazon.awssdk.services.s3.model.Tier.BULK;
          case STANDARD -> software.amazon.awssdk.services.s3.model.Tier.STANDARD;
        };
    RestoreRequest.Builder request =
        RestoreRequest.builder().glacierJobParameters(g -> g.tier(sdkTier));
    // Intelligent-Tiering archive tiers refuse Days: their restored copy does not expire
    return switch (archive) {
      case GLACIER -> request.days(days).build();
      case INTELLIGENT_TIERING -> request.build();
    };
  }
}
