package dev.quarry.report;

import static java.util.Objects.requireNonNull;

import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.manifest.Manifest;
import dev.quarry.manifest.ManifestWriter;
import dev.quarry.query.ObjectRow;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Writes a report's failed tasks as a new S3BatchOperations_CSV_20180820 manifest, to submit them
 * again. Rows carry a version id when the report's do (a version field that was empty in the report
 * stays absent). A report mixing rows with and without version ids cannot become one manifest,
 * since a manifest's rows all have a version or none does: that is refused.
 *
 * <p>The manifest file appears only if there was at least one failed task, and only when {@link
 * #finish()} runs; {@link #close()} abandons it.
 */
public final class RetryManifestWriter implements Consumer<TaskResult>, AutoCloseable {
  private final Path target;
  private ManifestWriter writer;
  private boolean withVersionIds;

  public RetryManifestWriter(Path target) {
    this.target = requireNonNull(target, "target is null");
  }

  @Override
  public void accept(TaskResult result) {
    if (result.outcome().succeeded()) {
      return;
    }
    boolean versioned = result.versionId() != null;
    if (writer == null) {
      withVersionIds = versioned;
      writer = ManifestWriter.open(target, versioned);
    } else if (versioned != withVersionIds) {
      throw QuarryException.user(
          ErrorCode.MANIFEST_INVALID,
          "cannot write a retry manifest: the report's failed tasks mix rows with and without a"
              + " version id (first without: "
              + (versioned ? "an earlier row" : "s3://" + result.bucket() + "/" + result.key())
              + ")");
    }
    // the literal "null" a report may echo from its manifest is the null version again
    String version =
        versioned && !result.versionId().equals(ManifestWriter.NULL_VERSION)
            ? result.versionId()
            : null;
    writer.write(new ObjectRow(result.bucket(), result.key(), version, null, null));
  }

  /** The manifest, or empty when no task failed (and no file was written). */
  public Optional<Manifest> finish() {
    if (writer == null) {
      return Optional.empty();
    }
    Manifest manifest = writer.finish();
    writer = null;
    return Optional.of(manifest);
  }

  @Override
  public void close() {
    if (writer != null) {
      writer.close();
      writer = null;
    }
  }
}
