package dev.quarry.metadata;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.time.Instant;

/**
 * What one refresh found and wrote.
 *
 * @param journalFile null when nothing changed and the journal already had a file
 * @param firstSequenceNumber null when the refresh wrote no journal row
 * @param vanished versions listed but gone before they could be read (they count as deleted)
 * @param versionsReadInFull versions read with HeadObject and GetObjectTagging
 * @param versionsReused versions the previous inventory proved unchanged: read with
 *     GetObjectTagging only, their other fields the previous inventory's
 */
public record RefreshSummary(
    String bucket,
    String namespace,
    Instant refreshTime,
    long versions,
    long deleteMarkers,
    long vanished,
    long versionsReadInFull,
    long versionsReused,
    long creates,
    long updates,
    long deleteMarkersCreated,
    long permanentDeletes,
    String firstSequenceNumber,
    String lastSequenceNumber,
    boolean firstRefresh,
    String inventoryFile,
    String journalFile,
    Duration duration) {
  public RefreshSummary {
    requireNonNull(bucket, "bucket is null");
    requireNonNull(namespace, "namespace is null");
    requireNonNull(refreshTime, "refreshTime is null");
    requireNonNull(inventoryFile, "inventoryFile is null");
    requireNonNull(duration, "duration is null");
  }

  @JsonProperty
  public long journalRows() {
    return creates + updates + deleteMarkersCreated + permanentDeletes;
  }

  /** Versions and delete markers read per second, over the whole refresh. */
  @JsonProperty
  public double objectsPerSecond() {
    double seconds = Math.max(duration.toNanos() / 1e9, 1e-3);
    return (versions + deleteMarkers) / seconds;
  }
}
