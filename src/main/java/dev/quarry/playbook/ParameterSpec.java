package dev.quarry.playbook;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * A named query parameter. Its value is always bound to the query, never spliced into the SQL text.
 *
 * @param defaultValue the default, already converted to {@link ParameterType#javaType()}
 */
public record ParameterSpec(
    String name, ParameterType type, Optional<Object> defaultValue, String description) {
  public ParameterSpec {
    requireNonNull(name, "name is null");
    requireNonNull(type, "type is null");
    requireNonNull(defaultValue, "defaultValue is null");
    requireNonNull(description, "description is null");
  }
}
