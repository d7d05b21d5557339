package dev.quarry.action;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;
import java.util.Map;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.services.s3control.model.JobOperation;

/**
 * A {@link JobOperation} as the S3 Control API spells it, e.g. {@code S3InitiateRestoreObject} with
 * {@code {"ExpirationInDays": 5, "GlacierJobTier": "BULK"}}: what a plan shows a person and a
 * script.
 */
public record OperationView(String name, JsonNode parameters) {
  public OperationView {
    requireNonNull(name, "name is null");
    requireNonNull(parameters, "parameters is null");
  }

  public static OperationView of(JobOperation operation) {
    for (SdkField<?> field : operation.sdkFields()) {
      Object value = field.getValueOrDefault(operation);
      if (value != null) {
        return new OperationView(field.memberName(), toJson(value));
      }
    }
    throw new IllegalArgumentException("JobOperation has no operation set: " + operation);
  }

  private static JsonNode toJson(Object value) {
    JsonNodeFactory nodes = JsonNodeFactory.instance;
    if (value instanceof SdkPojo pojo) {
      ObjectNode object = nodes.objectNode();
      for (SdkField<?> field : pojo.sdkFields()) {
        Object member = field.getValueOrDefault(pojo);
        if (member != null && !isEmptyAutoConstruct(member)) {
          object.set(field.memberName(), toJson(member));
        }
      }
      return object;
    }
    if (value instanceof Map<?, ?> map) {
      ObjectNode object = nodes.objectNode();
      map.forEach((k, v) -> object.set(String.valueOf(k), toJson(v)));
      return object;
    }
    if (value instanceof Collection<?> list) {
      ArrayNode array = nodes.arrayNode();
      list.forEach(item -> array.add(toJson(item)));
      return array;
    }
    if (value instanceof Boolean b) {
      return nodes.booleanNode(b);
    }
    if (value instanceof Integer i) {
      return nodes.numberNode(i);
    }
    if (value instanceof Long l) {
      return nodes.numberNode(l);
    }
    return nodes.textNode(String.valueOf(value));
  }

  /** The SDK fills unset lists and maps with empty "auto construct" ones; they are not set. */
  private static boolean isEmptyAutoConstruct(Object value) {
    return value instanceof software.amazon.awssdk.core.util.SdkAutoConstructList<?>
        || value instanceof software.amazon.awssdk.core.util.SdkAutoConstructMap<?, ?>;
  }

  @Override
  public String toString() {
    return name + " " + parameters;
  }
}
