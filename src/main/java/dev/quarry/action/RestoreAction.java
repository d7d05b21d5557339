package dev.quarry.action;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
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
  public LocalTask localTask(software.amazon.awssdk.services.s3.S3Client s3) {
    throw new UnsupportedOperationException("local task of " + type() + " not written yet");
  }
}
