package dev.quarry.revert;

import static java.util.Objects.requireNonNull;

import dev.quarry.app.UndoRevert;
import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteMarkerEntry;
import software.amazon.awssdk.services.s3.model.ObjectVersion;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * A key's versions and delete markers as the server lists them (ListObjectVersions from the key as
 * a prefix, keeping only the entries of exactly that key), for the undo of a revert.
 */
public final class ServerVersions implements UndoRevert.Versions {
  private final S3Client s3;

  public ServerVersions(S3Client s3) {
    this.s3 = requireNonNull(s3, "s3 is null");
  }

  @Override
  public List<UndoRevert.Entry> of(String bucket, String key) {
    List<UndoRevert.Entry> entries = new ArrayList<>();
    try {
      s3.listObjectVersionsPaginator(b -> b.bucket(bucket).prefix(key))
          .forEach(
              page -> {
                for (ObjectVersion v : page.versions()) {
                  if (v.key().equals(key)) {
                    entries.add(
                        new UndoRevert.Entry(
                            v.versionId(),
                            false,
                            Boolean.TRUE.equals(v.isLatest()),
                            v.lastModified(),
                            RevertVerifier.unquoted(v.eTag()),
                            v.storageClassAsString()));
                  }
                }
                for (DeleteMarkerEntry m : page.deleteMarkers()) {
                  if (m.key().equals(key)) {
                    entries.add(
                        new UndoRevert.Entry(
                            m.versionId(),
                            true,
                            Boolean.TRUE.equals(m.isLatest()),
                            m.lastModified(),
                            null,
                            null));
                  }
                }
              });
    } catch (S3Exception e) {
      throw QuarryException.external(
          ErrorCode.S3_REQUEST_FAILED,
          "cannot list the versions of s3://" + bucket + "/" + key + ": " + e.getMessage(),
          e);
    }
    return entries;
  }
}
