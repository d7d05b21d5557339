package dev.quarry.app;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The {@code manifest.json} written beside every manifest: what the manifest holds and where it
 * came from, so a run can be reviewed and resumed without the playbook at hand.
 */
public record ManifestInfo(
    String format,
    String file,
    List<String> fields,
    long rows,
    long bytes,
    String etag,
    String playbook,
    String runId,
    String engine,
    String query,
    Map<String, Object> parameters,
    Instant created) {
  public static final String FORMAT = "S3BatchOperations_CSV_20180820";

  public ManifestInfo {
    requireNonNull(format, "format is null");
    requireNonNull(file, "file is null");
    fields = List.copyOf(fields);
    requireNonNull(etag, "etag is null");
    requireNonNull(playbook, "playbook is null");
    requireNonNull(runId, "runId is null");
    requireNonNull(engine, "engine is null");
    requireNonNull(query, "query is null");
    parameters = Map.copyOf(parameters);
    requireNonNull(created, "created is null");
  }
}
