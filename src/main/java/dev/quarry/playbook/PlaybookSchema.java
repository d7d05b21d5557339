package dev.quarry.playbook;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.quarry.action.ActionDefinition;
import dev.quarry.action.ActionRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The JSON Schema (draft 2020-12) of a playbook: the base schema {@code playbook.schema.json} with
 * each action's fragment ({@link ActionDefinition#schemaResource()}) composed in, so that {@code
 * action.type} lists exactly the registered actions and each action's options are checked by its
 * own fragment. Editors can use {@link #composed()} (printed by {@code quarry schema}); the loader
 * uses {@link #validate(JsonNode)}, which turns the validator's messages into short ones at a
 * {@link FieldPath}.
 *
 * <p>A schema node may carry {@code errorMessage: {<keyword>: <text>}}: the text replaces the
 * generic message of that keyword, for rules whose reason the generic one cannot say ("required
 * when restoring from glacier").
 */
public final class PlaybookSchema {
  /** The base schema's classpath resource. */
  public static final String BASE_RESOURCE = "/dev/quarry/playbook/playbook.schema.json";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final FieldPath ACTION_TYPE = FieldPath.of("action", "type");

  /** One thing the schema refuses, where it is and why, in words for the user. */
  public record Violation(FieldPath path, boolean atKey, String message) {
    public Violation {
      requireNonNull(path, "path is null");
      requireNonNull(message, "message is null");
    }
  }

  private static final class Holder {
    private static final PlaybookSchema INSTANCE = new PlaybookSchema();
  }

  private final ObjectNode composed;
  private final JsonSchema validator;

  private PlaybookSchema() {
    this.composed = compose();
    this.validator =
        JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
            .getSchema(
                composed, SchemaValidatorsConfig.builder().pathType(PathType.JSON_POINTER).build());
  }

  /** The schema, loaded and composed once. */
  public static PlaybookSchema get() {
    return Holder.INSTANCE;
  }

  /** The whole schema, action fragments included under {@code $defs}. */
  public ObjectNode composed() {
    return composed.deepCopy();
  }

  /** The base schema as shipped, without the actions. */
  public static ObjectNode base() {
    return (ObjectNode) read(BASE_RESOURCE);
  }

  /** One action's fragment as shipped, or empty for an unknown action. */
  public static Optional<ObjectNode> fragment(String type) {
    return ActionRegistry.find(type).map(d -> (ObjectNode) read(d.schemaResource()));
  }

  /** The definition name under which an action's fragment is composed in. */
  static String definitionName(String type) {
    return "action-" + type;
  }

  /** Every violation of the schema in {@code document}, each once. */
  public List<Violation> validate(JsonNode document) {
    Set<Violation> violations = new LinkedHashSet<>();
    for (ValidationMessage message : validator.validate(document)) {
      violations.add(describe(message));
    }
    return List.copyOf(violations);
  }

  private static ObjectNode compose() {
    ObjectNode schema = base();
    ObjectNode action = (ObjectNode) schema.path("properties").path("action");
    ArrayNode types = ((ObjectNode) action.path("properties").path("type")).putArray("enum");
    ArrayNode cases = action.putArray("allOf");
    ObjectNode defs = schema.withObjectProperty("$defs");
    for (ActionDefinition definition : ActionRegistry.definitions()) {
      ObjectNode fragment = (ObjectNode) read(definition.schemaResource());
      // $schema belongs at a resource's root only
      fragment.remove("$schema");
      defs.set(definitionName(definition.type()), fragment);
      types.add(definition.type());
      ObjectNode when = cases.addObject();
      ObjectNode condition = when.putObject("if");
      condition.putObject("properties").putObject("type").put("const", definition.type());
      condition.putArray("required").add("type");
      when.putObject("then").put("$ref", "#/$defs/" + definitionName(definition.type()));
    }
    return schema;
  }

  private static JsonNode read(String resource) {
    try (InputStream in = PlaybookSchema.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("schema resource missing from the build: " + resource);
      }
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read schema resource " + resource, e);
    }
  }

  private Violation describe(ValidationMessage message) {
    FieldPath at = toFieldPath(message.getInstanceLocation());
    JsonNode keywordOwner = composed.at(parentPointer(message.getSchemaLocation().getFragment()));
    String type = message.getType();
    Optional<String> custom =
        Optional.of(keywordOwner.path("errorMessage").path(type))
            .filter(JsonNode::isTextual)
            .map(JsonNode::asText);
    JsonNode instance = message.getInstanceNode();
    JsonNode keyword = message.getSchemaNode();
    switch (type) {
      case "additionalProperties":
        {
          String name = message.getProperty();
          String valid =
              keywordOwner.path("properties").isObject()
                  ? "; valid: " + String.join(", ", names(keywordOwner.path("properties")))
                  : "";
          return new Violation(
              at.child(name), true, custom.orElse("unknown field '" + name + "'" + valid));
        }
      case "propertyNames":
        {
          String name = message.getProperty();
          Object[] arguments = message.getArguments();
          String why =
              arguments != null && arguments.length > 1 ? String.valueOf(arguments[1]) : "invalid";
          return new Violation(
              at.child(name), true, custom.orElse("invalid name '" + name + "': " + why));
        }
      case "required":
        return new Violation(
            at.child(message.getProperty()), true, custom.orElse("required field is missing"));
      case "enum":
        {
          List<String> allowed = new ArrayList<>();
          keyword.forEach(v -> allowed.add(v.asText()));
          if (at.equals(ACTION_TYPE)) {
            return new Violation(
                at,
                false,
                "unknown action '"
                    + instance.asText()
                    + "'; valid: "
                    + String.join(", ", ActionRegistry.types()));
          }
          return new Violation(
              at,
              false,
              custom.orElse(show(instance) + " is not one of: " + String.join(", ", allowed)));
        }
      default:
        return new Violation(at, false, custom.orElse(generic(message, instance, keyword)));
    }
  }

  private static String generic(ValidationMessage message, JsonNode instance, JsonNode keyword) {
    switch (message.getType()) {
      case "type":
        {
          String expected =
              keyword.isArray()
                  ? names(keyword).stream().collect(Collectors.joining(" or "))
                  : keyword.asText();
          return "expected " + expected + ", got " + kind(instance);
        }
      case "const":
        return "must be " + show(keyword);
      case "pattern":
        return show(instance) + " does not match " + keyword.asText();
      case "minimum":
        return "must be at least " + keyword.asText() + ", got " + instance.asText();
      case "maximum":
        return "must be at most " + keyword.asText() + ", got " + instance.asText();
      case "minLength":
        return "must have at least " + keyword.asText() + " characters";
      case "maxLength":
        return "must have at most " + keyword.asText() + " characters";
      case "minProperties":
        return "has " + instance.size() + " entries; at least " + keyword.asText() + " needed";
      case "maxProperties":
        return "has " + instance.size() + " entries; at most " + keyword.asText() + " allowed";
      case "not":
      case "false":
        return "not allowed here";
      default:
        {
          // the validator's own words, without the location it puts in front
          String text = message.getMessage();
          int colon = text.indexOf(": ");
          return colon >= 0 && text.startsWith(message.getInstanceLocation().toString())
              ? text.substring(colon + 2)
              : text;
        }
    }
  }

  private static List<String> names(JsonNode node) {
    List<String> names = new ArrayList<>();
    if (node.isArray()) {
      node.forEach(v -> names.add(v.asText()));
    } else {
      for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
        names.add(it.next());
      }
    }
    return names;
  }

  private static String show(JsonNode value) {
    return value == null
        ? "null"
        : value.isTextual() ? "'" + value.asText() + "'" : value.toString();
  }

  private static String kind(JsonNode value) {
    if (value == null || value.isNull()) {
      return "nothing (null)";
    }
    if (value.isObject()) {
      return "a mapping";
    }
    if (value.isArray()) {
      return "a list";
    }
    if (value.isTextual()) {
      return "string '" + value.asText() + "'";
    }
    if (value.isBoolean()) {
      return "boolean " + value.asText();
    }
    if (value.isIntegralNumber()) {
      return "integer " + value.asText();
    }
    return "number " + value.asText();
  }

  private static FieldPath toFieldPath(JsonNodePath path) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < path.getNameCount(); i++) {
      names.add(String.valueOf(path.getElement(i)));
    }
    return new FieldPath(names);
  }

  private static String parentPointer(JsonNodePath fragment) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < fragment.getNameCount() - 1; i++) {
      names.add(String.valueOf(fragment.getElement(i)));
    }
    return new FieldPath(names).pointer();
  }
}
