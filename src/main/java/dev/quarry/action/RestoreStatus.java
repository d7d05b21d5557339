package dev.quarry.action;

import static java.util.Objects.requireNonNull;

import dev.quarry.app.RestoredCopies;
import dev.quarry.query.ObjectRow;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * {@link RestoredCopies} from HeadObject: {@code x-amz-restore: ongoing-request="false", ...} is a
 * readable restored copy, {@code ongoing-request="true"} a restore under way. Without the header,
 * an Intelligent-Tiering object outside the archive tiers ({@code x-amz-archive-status} absent) is
 * readable; anything else was not restored. A 404 means the object or version is gone. Throttling,
 * 5xx answers and failed connections are {@code UNKNOWN}: the wait asks again at its next poll.
 */
public final class RestoreStatus implements RestoredCopies {
  private final S3Client s3;

  public RestoreStatus(S3Client s3) {
    this.s3 = requireNonNull(s3, "s3 is null");
  }

  @Override
  public State check(ObjectRow row) {
    HeadObjectResponse head;
    try {
      head = s3.headObject(b -> b.bucket(row.bucket()).key(row.key()).versionId(row.versionId()));
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return State.MISSING;
      }
      if (e.statusCode() == 429 || e.statusCode() == 503 || e.statusCode() >= 500) {
        return State.UNKNOWN;
      }
      throw e;
    } catch (SdkClientException e) {
      return State.UNKNOWN;
    }
    return state(head.restore(), head.storageClassAsString(), head.archiveStatusAsString());
  }

  /** The state a HeadObject answer shows; the header's value as S3 writes it. */
  static State state(String restore, String storageClass, String archiveStatus) {
    if (restore != null) {
      return restore.replace(" ", "").contains("ongoing-request=\"false\"")
          ? State.READABLE
          : State.IN_PROGRESS;
    }
    if ("INTELLIGENT_TIERING".equals(storageClass) && archiveStatus == null) {
      return State.READABLE;
    }
    return State.NOT_RESTORED;
  }
}
