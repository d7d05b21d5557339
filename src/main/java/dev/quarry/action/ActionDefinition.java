package dev.quarry.action;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.function.Function;

/**
 * An entry of the {@link ActionRegistry}: an action's name, what it does, and how its options
 * become an {@link Action}. Its JSON Schema fragment is the resource {@code <type>.schema.json} in
 * this package.
 */
public record ActionDefinition(String type, String summary, Function<ObjectNode, Action> factory) {
  public ActionDefinition {
    requireNonNull(type, "type is null");
    requireNonNull(summary, "summary is null");
    requireNonNull(factory, "factory is null");
  }

  /** Where the action's JSON Schema fragment lives on the classpath. */
  public String schemaResource() {
    return "/dev/quarry/action/" + type + ".schema.json";
  }
}
