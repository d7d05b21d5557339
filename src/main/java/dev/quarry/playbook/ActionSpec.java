package dev.quarry.playbook;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The playbook's {@code action} block as written: its type and its options (the whole block, {@code
 * type} included). {@link dev.quarry.action.ActionRegistry} turns it into an {@link
 * dev.quarry.action.Action}.
 */
public record ActionSpec(String type, ObjectNode options) {
  public ActionSpec {
    requireNonNull(type, "type is null");
    requireNonNull(options, "options is null");
    options = options.deepCopy();
  }

  @Override
  public ObjectNode options() {
    return options.deepCopy();
  }
}
