package dev.quarry.action;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectLockRetentionMode;
import software.amazon.awssdk.services.s3control.model.JobOperation;
import software.amazon.awssdk.services.s3control.model.S3ObjectLockRetentionMode;
import software.amazon.awssdk.services.s3control.model.S3SetObjectRetentionOperation;

/**
 * Sets Object Lock retention on objects ({@code S3PutObjectRetention}): no one can delete or
 * overwrite a version before {@code retain-until}. The bucket must have Object Lock enabled.
 *
 * <pre>{@code
 * action:
 *   type: retention
 *   mode: GOVERNANCE                  # or COMPLIANCE
 *   retain-until: 2027-01-01T00:00:00Z
 *   bypass-governance: false          # true to shorten an existing GOVERNANCE retention
 * }</pre>
 *
 * <p>COMPLIANCE retention cannot be shortened or removed by anyone, the root user included, until
 * it expires: a wrong date keeps data (and its cost) for years. So a COMPLIANCE playbook is treated
 * as destructive: it needs a limit and a confirmation. Locally, each row becomes one
 * PutObjectRetention request (with the row's version id when it has one).
 */
public record RetentionAction(Mode mode, Instant retainUntil, boolean bypassGovernance)
    implements Action {
  @JsonCreator
  public static RetentionAction of(
      @JsonProperty("mode") Mode mode,
      @JsonProperty("retain-until") String retainUntil,
      @JsonProperty("bypass-governance") Boolean bypassGovernance) {
    if (mode == null) {
      throw new IllegalArgumentException("retention needs mode GOVERNANCE or COMPLIANCE");
    }
    if (retainUntil == null) {
      throw new IllegalArgumentException(
          "retention needs retain-until, such as 2027-01-01T00:00:00Z");
    }
    Instant until;
    try {
      until = Instant.parse(retainUntil);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "retain-until must be a UTC time such as 2027-01-01T00:00:00Z, not " + retainUntil, e);
    }
    return new RetentionAction(mode, until, Boolean.TRUE.equals(bypassGovernance));
  }

  public RetentionAction {
    requireNonNull(mode, "mode is null");
    requireNonNull(retainUntil, "retainUntil is null");
  }

  /** Object Lock's retention modes. */
  public enum Mode {
    GOVERNANCE,
    COMPLIANCE
  }

  @Override
  public String type() {
    return "retention";
  }

  @Override
  public boolean needsVersionId() {
    return false;
  }

  /** COMPLIANCE retention cannot be shortened: a mistake cannot be undone. */
  @Override
  public boolean destructive() {
    return mode == Mode.COMPLIANCE;
  }

  @Override
  public JobOperation jobOperation(String bucket) {
    return JobOperation.builder()
        .s3PutObjectRetention(
            S3SetObjectRetentionOperation.builder()
                .retention(
                    r ->
                        r.mode(S3ObjectLockRetentionMode.fromValue(mode.name()))
                            .retainUntilDate(retainUntil))
                // absent rather than false, as a request that names no bypass sends it
                .bypassGovernanceRetention(bypassGovernance ? Boolean.TRUE : null)
                .build())
        .build();
  }

  @Override
  public RolePermissions rolePermissions(boolean versioned) {
    List<String> actions = new ArrayList<>(List.of("s3:PutObjectRetention"));
    if (bypassGovernance) {
      actions.add(0, "s3:BypassGovernanceRetention");
    }
    return RolePermissions.onObjects(
        "S3PutObjectRetention calls PutObjectRetention on each object"
            + (bypassGovernance ? ", bypassing GOVERNANCE retention" : ""),
        actions.toArray(String[]::new));
  }

  @Override
  public LocalTask localTask(S3Client s3) {
    requireNonNull(s3, "s3 is null");
    ObjectLockRetentionMode wanted =
        switch (mode) {
          case GOVERNANCE -> ObjectLockRetentionMode.GOVERNANCE;
          case COMPLIANCE -> ObjectLockRetentionMode.COMPLIANCE;
        };
    return row ->
        S3Errors.guard(
            () -> {
              s3.putObjectRetention(
                  b ->
                      b.bucket(row.bucket())
                          .key(row.key())
                          .versionId(row.versionId())
                          .bypassGovernanceRetention(bypassGovernance ? Boolean.TRUE : null)
                          .retention(r -> r.mode(wanted).retainUntilDate(retainUntil)));
              return TaskOutcome.succeeded(mode + " retention until " + retainUntil);
            });
  }
}
