package dev.quarry.playbook;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A validated playbook: a metadata query and the action to take on every object it returns. A
 * playbook without an action is a report: its query's rows are shown, and nothing is submitted.
 *
 * @param source the file it was read from
 * @param parameters declared parameters by name, in declaration order
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
    ReportSpec report) {
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
  }
}
