package dev.quarry.report;

import java.util.Optional;

/**
 * A plain-language hint for the failures people meet most, by S3 error code (and HTTP status where
 * the code is missing or generic). Empty for the rest: a wrong hint is worse than none.
 */
public final class ErrorHints {
  private ErrorHints() {}

  public static Optional<String> of(String errorCode, int httpStatus) {
    String code = errorCode == null ? "" : errorCode;
    if (code.equals("InvalidObjectState") || code.equals("ObjectNotInActiveTierError")) {
      return Optional.of(
          "archived object: it is in Glacier, Deep Archive or an archive tier; restore it first"
              + " (a restore playbook), then run again once the restore completed");
    }
    if (code.startsWith("KMS.") || code.equals("KMSKeyNotFound") || code.contains("KmsKey")) {
      return Optional.of(
          "KMS key unusable: the key is disabled, pending deletion, missing, or the job's role may"
              + " not use it (kms:Decrypt / kms:GenerateDataKey in the key policy)");
    }
    if (code.equals("AccessDenied") || (code.isEmpty() && httpStatus == 403)) {
      return Optional.of(
          "access denied: the job's role, the bucket policy or an SCP does not allow this"
              + " operation on these objects; see quarry iam-policy");
    }
    if (code.equals("NoSuchVersion")) {
      return Optional.of(
          "no such version: the version in the manifest was deleted after the query ran;"
              + " refresh the metadata and plan again");
    }
    if (code.equals("NoSuchKey")) {
      return Optional.of("no such key: the object was deleted after the query ran");
    }
    if (code.equals("SlowDown") || httpStatus == 503) {
      return Optional.of(
          "slow down: S3 throttled the requests to this prefix; transient, retry these tasks");
    }
    if (code.equals("PreconditionFailed") || httpStatus == 412) {
      return Optional.of(
          "precondition failed: the object changed since the manifest was written (its ETag or"
              + " version no longer matches); plan again");
    }
    return Optional.empty();
  }
}
