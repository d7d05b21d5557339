package dev.quarry.revert;

import static java.util.Objects.requireNonNull;

import dev.quarry.action.KeyVersions;
import dev.quarry.app.UndoRevert;
import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteMarkerEntry;
import software.amazon.awssdk.services.s3.model.ObjectVersion;

/**
 * A key's versions and delete markers as the server lists them ({@link KeyVersions}), for the undo
 * of a revert.
 */
public final class ServerVersions implements UndoRevert.Versions {
  private final S3Client s3;

  public ServerVersions(S3Client s3) {
    this.s3 = requireNonNull(s3, "s3 is null");
  }

  @Override
  public List<UndoRevert.Entry> of(String bucket, String key) {
    KeyVersions listed;
    try {
      listed = KeyVersions.list(s3, bucket, key);
    } catch (SdkException e) {
      // a refusal or an endpoint that does not answer: the undo cannot check this key
      throw QuarryException.external(
          ErrorCode.S3_REQUEST_FAILED,
          "cannot list the versions of s3://" + bucket + "/" + key + ": " + e.getMessage(),
          e);
    }
    List<UndoRevert.Entry> entries = new ArrayList<>();
    for (ObjectVersion v : listed.versions()) {
      entries.add(
          new UndoRevert.Entry(
              v.versionId(),
              false,
              Boolean.TRUE.equals(v.isLatest()),
              v.lastModified(),
              RevertVerifier.unquoted(v.eTag()),
              v.storageClassAsString()));
    }
    for (DeleteMarkerEntry m : listed.markers()) {
      entries.add(
          new UndoRevert.Entry(
              m.versionId(),
              true,
              Boolean.TRUE.equals(m.isLatest()),
              m.lastModified(),
              null,
              null));
    }
    return entries;
  }
}
