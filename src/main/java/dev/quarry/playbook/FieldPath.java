package dev.quarry.playbook;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a value sits inside a playbook document, as the names of the fields leading to it. Shown to
 * users dotted ({@code action.days}); used as a JSON Pointer ({@code /action/days}) to meet the
 * JSON Schema validator and the {@link SourceMap}.
 */
public record FieldPath(List<String> names) {
  public static final FieldPath ROOT = new FieldPath(List.of());

  public FieldPath {
    names = List.copyOf(requireNonNull(names, "names is null"));
  }

  public static FieldPath of(String... names) {
    return new FieldPath(List.of(names));
  }

  public FieldPath child(String name) {
    List<String> child = new ArrayList<>(names);
    child.add(requireNonNull(name, "name is null"));
    return new FieldPath(child);
  }

  public FieldPath parent() {
    if (names.isEmpty()) {
      throw new IllegalStateException("the root has no parent");
    }
    return new FieldPath(names.subList(0, names.size() - 1));
  }

  public boolean isRoot() {
    return names.isEmpty();
  }

  public boolean startsWith(FieldPath prefix) {
    return names.size() >= prefix.names.size()
        && names.subList(0, prefix.names.size()).equals(prefix.names);
  }

  /** RFC 6901 JSON Pointer: {@code ""} for the document, {@code /action/days} below it. */
  public String pointer() {
    StringBuilder out = new StringBuilder();
    for (String name : names) {
      out.append('/').append(name.replace("~", "~0").replace("/", "~1"));
    }
    return out.toString();
  }

  /** The form users read: {@code action.days}; empty for the document itself. */
  public String dotted() {
    return String.join(".", names);
  }

  @Override
  public String toString() {
    return dotted();
  }
}
