package dev.quarry.playbook;

import static java.util.Objects.requireNonNull;

import dev.quarry.query.PlainTables;
import dev.quarry.query.QueryTarget;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A validated playbook: a metadata query and the action to take on every object it returns. A
 * playbook without an action is a report: its query's rows are shown, and nothing is submitted.
 *
 * @param source the file it was read from
 * @param parameters declared parameters by name, in declaration order
 * @param bucket the general purpose bucket whose metadata tables the query reads (plain {@code
 *     journal} / {@code inventory}); the Athena engine reads its metadata configuration
 * @param metadata where the plain table names resolve, over what the bucket's configuration says
 * @param then a second step after the action ({@code then:}): a restore's follow-up, run on the
 *     objects whose restored copy became readable
 * @param incremental how each run binds {@code :since} and {@code :until} ({@code incremental:})
 */
public record Playbook(
    Path source,
    String name,
    String description,
    Optional<Schedule> schedule,
    String query,
    Map<String, ParameterSpec> parameters,
    Optional<ActionSpec> action,
    Limits limits,
    ReportSpec report,
    Optional<String> bucket,
    MetadataOverrides metadata,
    Optional<ActionSpec> then,
    Optional<RevertSpec> revert,
    Optional<Incremental> incremental) {
  public Playbook {
    requireNonNull(source, "source is null");
    requireNonNull(name, "name is null");
    requireNonNull(description, "description is null");
    requireNonNull(schedule, "schedule is null");
    requireNonNull(query, "query is null");
    requireNonNull(parameters, "parameters is null");
    parameters = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(parameters));
    requireNonNull(action, "action is null");
    requireNonNull(limits, "limits is null");
    requireNonNull(report, "report is null");
    requireNonNull(bucket, "bucket is null");
    requireNonNull(metadata, "metadata is null");
    requireNonNull(then, "then is null");
    requireNonNull(revert, "revert is null");
    requireNonNull(incremental, "incremental is null");
  }

  /**
   * A playbook of a query and its action (and, after a restore, its follow-up), not incremental.
   */
  public Playbook(
      Path source,
      String name,
      String description,
      Optional<Schedule> schedule,
      String query,
      Map<String, ParameterSpec> parameters,
      Optional<ActionSpec> action,
      Limits limits,
      ReportSpec report,
      Optional<String> bucket,
      MetadataOverrides metadata,
      Optional<ActionSpec> then) {
    this(
        source,
        name,
        description,
        schedule,
        query,
        parameters,
        action,
        limits,
        report,
        bucket,
        metadata,
        then,
        Optional.empty(),
        Optional.empty());
  }

  /** A playbook of one step. */
  public Playbook(
      Path source,
      String name,
      String description,
      Optional<Schedule> schedule,
      String query,
      Map<String, ParameterSpec> parameters,
      Optional<ActionSpec> action,
      Limits limits,
      ReportSpec report,
      Optional<String> bucket,
      MetadataOverrides metadata) {
    this(
        source,
        name,
        description,
        schedule,
        query,
        parameters,
        action,
        limits,
        report,
        bucket,
        metadata,
        Optional.empty());
  }

  /** A playbook that names neither its bucket nor its metadata namespace. */
  public Playbook(
      Path source,
      String name,
      String description,
      Optional<Schedule> schedule,
      String query,
      Map<String, ParameterSpec> parameters,
      Optional<ActionSpec> action,
      Limits limits,
      ReportSpec report) {
    this(
        source,
        name,
        description,
        schedule,
        query,
        parameters,
        action,
        limits,
        report,
        Optional.empty(),
        MetadataOverrides.NONE);
  }

  /** Where the query's plain table names resolve, for the query engine. */
  public QueryTarget target() {
    return new QueryTarget(
        bucket,
        metadata.namespace(),
        metadata.journalTable(),
        metadata.inventoryTable(),
        // a revert's own queries read both tables
        revert.isPresent()
            ? java.util.Set.of(
                dev.quarry.query.MetadataTable.JOURNAL, dev.quarry.query.MetadataTable.INVENTORY)
            : PlainTables.referenced(query));
  }
}
