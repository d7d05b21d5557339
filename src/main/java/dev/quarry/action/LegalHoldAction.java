package dev.quarry.action;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectLockLegalHoldStatus;
import software.amazon.awssdk.services.s3control.model.JobOperation;
import software.amazon.awssdk.services.s3control.model.S3ObjectLockLegalHoldStatus;
import software.amazon.awssdk.services.s3control.model.S3SetObjectLegalHoldOperation;

/**
 * Puts an Object Lock legal hold on objects, or lifts it ({@code S3PutObjectLegalHold}). A hold
 * keeps a version from being deleted or overwritten until it is lifted, whatever its retention; it
 * has no expiry. The bucket must have Object Lock enabled.
 *
 * <pre>{@code
 * action:
 *   type: legal-hold
 *   status: "ON"     # or "OFF" to lift the hold
 * }</pre>
 *
 * <p>Locally, each row becomes one PutObjectLegalHold request (with the row's version id when it
 * has one). Neither placing nor lifting a hold loses data, so the action is not destructive; a
 * bucket without Object Lock refuses with S3's {@code 400 InvalidRequest}.
 */
public record LegalHoldAction(Status status) implements Action {
  @JsonCreator
  public LegalHoldAction(@JsonProperty("status") Status status) {
    if (status == null) {
      throw new IllegalArgumentException("legal-hold needs status ON or OFF");
    }
    this.status = status;
  }

  /** The hold's status, as Object Lock names it. */
  public enum Status {
    ON,
    OFF
  }

  @Override
  public String type() {
    return "legal-hold";
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
        .s3PutObjectLegalHold(
            S3SetObjectLegalHoldOperation.builder()
                .legalHold(h -> h.status(S3ObjectLockLegalHoldStatus.fromValue(status.name())))
                .build())
        .build();
  }

  @Override
  public RolePermissions rolePermissions(boolean versioned) {
    // PutObjectLegalHold with a versionId is authorized by s3:PutObjectLegalHold too: there is no
    // version-specific legal hold action
    return RolePermissions.onObjects(
        "S3PutObjectLegalHold calls PutObjectLegalHold on each object", "s3:PutObjectLegalHold");
  }

  @Override
  public LocalTask localTask(S3Client s3) {
    requireNonNull(s3, "s3 is null");
    ObjectLockLegalHoldStatus wanted =
        switch (status) {
          case ON -> ObjectLockLegalHoldStatus.ON;
          case OFF -> ObjectLockLegalHoldStatus.OFF;
        };
    return row ->
        S3Errors.guard(
            () -> {
              s3.putObjectLegalHold(
                  b ->
                      b.bucket(row.bucket())
                          .key(row.key())
                          .versionId(row.versionId())
                          .legalHold(h -> h.status(wanted)));
              return TaskOutcome.succeeded(
                  status == Status.ON ? "legal hold placed" : "legal hold lifted");
            });
  }
}
