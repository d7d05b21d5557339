package dev.quarry.app;

import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.playbook.ParameterSpec;
import dev.quarry.playbook.Playbook;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Gives every declared parameter its value: the given one, else its default. */
public final class ParameterBinder {
  private ParameterBinder() {}

  /**
   * @param given values from {@code --param name=value}, as text
   * @return typed values by name, in declaration order
   * @throws QuarryException a user error listing every unknown, missing or malformed parameter
   */
  public static Map<String, Object> bind(Playbook playbook, Map<String, String> given) {
    List<String> problems = new ArrayList<>();
    Map<String, ParameterSpec> declared = playbook.parameters();
    for (String name : given.keySet()) {
      if (!declared.containsKey(name)) {
        problems.add(
            "unknown parameter '"
                + name
                + "'; "
                + (declared.isEmpty()
                    ? "the playbook declares none"
                    : "valid: " + String.join(", ", declared.keySet())));
      }
    }
    Map<String, Object> values = new LinkedHashMap<>();
    for (ParameterSpec spec : declared.values()) {
      String text = given.get(spec.name());
      if (text != null) {
        try {
          values.put(spec.name(), spec.type().parse(text));
        } catch (IllegalArgumentException e) {
          problems.add(
              "parameter '"
                  + spec.name()
                  + "' ("
                  + spec.type().yamlName()
                  + "): "
                  + e.getMessage());
        }
      } else if (spec.defaultValue().isPresent()) {
        values.put(spec.name(), spec.defaultValue().get());
      } else {
        problems.add(
            "parameter '"
                + spec.name()
                + "' has no default; give it with --param "
                + spec.name()
                + "=<"
                + spec.type().yamlName()
                + ">");
      }
    }
    if (!problems.isEmpty()) {
      throw QuarryException.user(
          ErrorCode.PARAMETER_INVALID, playbook.source() + ": " + String.join("; ", problems));
    }
    return values;
  }
}
