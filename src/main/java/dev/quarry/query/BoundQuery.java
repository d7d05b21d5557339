package dev.quarry.query;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A query with its named parameters' values. The SQL keeps its {@code :name} placeholders; each
 * engine binds the values its own way (JDBC {@code ?}, Athena ExecutionParameters), never by
 * splicing text.
 *
 * @param parameters values by name, of the Java types of {@link dev.quarry.playbook.ParameterType}
 */
public record BoundQuery(String sql, Map<String, Object> parameters) {
  public BoundQuery {
    requireNonNull(sql, "sql is null");
    parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
  }

  public static BoundQuery of(String sql) {
    return new BoundQuery(sql, Map.of());
  }
}
