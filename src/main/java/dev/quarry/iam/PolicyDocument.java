package dev.quarry.iam;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An IAM policy document (version {@code 2012-10-17}): what {@code aws iam put-role-policy} or
 * {@code create-role --assume-role-policy-document} takes, plus one line per statement saying why
 * it is there (kept out of the JSON, which IAM would refuse).
 */
public record PolicyDocument(List<Statement> statements) {
  public static final String VERSION = "2012-10-17";

  public PolicyDocument {
    statements = List.copyOf(requireNonNull(statements, "statements is null"));
    if (statements.stream().map(Statement::sid).distinct().count() != statements.size()) {
      throw new IllegalArgumentException("statement ids repeat: " + statements);
    }
  }

  /**
   * One {@code Allow} statement.
   *
   * @param sid letters and digits only, as IAM requires
   * @param principal for trust policies, e.g. {@code {"Service": "batchoperations..."}}; empty in
   *     identity policies
   * @param resources empty in trust policies, which have none
   * @param condition operator to key to value, e.g. {@code StringEquals: {iam:PassedToService: x}}
   * @param why one line for a person
   */
  public record Statement(
      String sid,
      Optional<Map<String, String>> principal,
      List<String> actions,
      List<String> resources,
      Map<String, Map<String, String>> condition,
      String why) {
    public Statement {
      requireNonNull(sid, "sid is null");
      if (!sid.matches("[A-Za-z0-9]+")) {
        throw new IllegalArgumentException("a Sid has letters and digits only: " + sid);
      }
      requireNonNull(principal, "principal is null");
      actions = List.copyOf(requireNonNull(actions, "actions is null"));
      resources = List.copyOf(requireNonNull(resources, "resources is null"));
      condition = copy(requireNonNull(condition, "condition is null"));
      requireNonNull(why, "why is null");
      if (actions.isEmpty()) {
        throw new IllegalArgumentException(sid + " allows no action");
      }
      if (resources.isEmpty() && principal.isEmpty()) {
        throw new IllegalArgumentException(sid + " names no resource");
      }
    }

    /** An identity-policy statement without condition. */
    public static Statement allow(
        String sid, List<String> actions, List<String> resources, String why) {
      return new Statement(sid, Optional.empty(), actions, resources, Map.of(), why);
    }

    /** The same statement with one condition added. */
    public Statement when(String operator, String key, String value) {
      Map<String, Map<String, String>> more = new LinkedHashMap<>();
      condition.forEach((op, keys) -> more.put(op, new LinkedHashMap<>(keys)));
      more.computeIfAbsent(operator, op -> new LinkedHashMap<>()).put(key, value);
      return new Statement(sid, principal, actions, resources, more, why);
    }

    private static Map<String, Map<String, String>> copy(Map<String, Map<String, String>> map) {
      Map<String, Map<String, String>> copy = new LinkedHashMap<>();
      map.forEach(
          (op, keys) ->
              copy.put(op, java.util.Collections.unmodifiableMap(new LinkedHashMap<>(keys))));
      return java.util.Collections.unmodifiableMap(copy);
    }
  }

  /** The document as IAM reads it, with IAM's element names and order. */
  public ObjectNode toJson() {
    JsonNodeFactory json = JsonNodeFactory.instance;
    ObjectNode document = json.objectNode();
    document.put("Version", VERSION);
    ArrayNode list = document.putArray("Statement");
    for (Statement statement : statements) {
      ObjectNode s = list.addObject();
      s.put("Sid", statement.sid());
      s.put("Effect", "Allow");
      statement
          .principal()
          .ifPresent(
              principal -> {
                ObjectNode p = s.putObject("Principal");
                principal.forEach(p::put);
              });
      ArrayNode actions = s.putArray("Action");
      statement.actions().forEach(actions::add);
      if (!statement.resources().isEmpty()) {
        ArrayNode resources = s.putArray("Resource");
        statement.resources().forEach(resources::add);
      }
      if (!statement.condition().isEmpty()) {
        ObjectNode condition = s.putObject("Condition");
        statement
            .condition()
            .forEach(
                (operator, keys) -> {
                  ObjectNode o = condition.putObject(operator);
                  keys.forEach(o::put);
                });
      }
    }
    return document;
  }
}
