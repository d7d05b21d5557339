package dev.quarry.playbook;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quarry.error.Problem;
import dev.quarry.playbook.SourceMap.Position;
import dev.quarry.playbook.SourceMap.Scalar;
import java.io.StringReader;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.DumperOptions.ScalarStyle;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A YAML text read into a Jackson tree, remembering where every key and value was written.
 * SnakeYAML's node graph carries the marks that Jackson's YAML parser drops; this class is the only
 * one that sees it.
 *
 * @param root the document, or null when the text is not YAML (see {@code problems})
 * @param problems syntax errors and duplicate keys; empty when the text is well-formed
 */
record YamlDocument(JsonNode root, SourceMap sourceMap, List<Problem> problems) {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final int MAX_DEPTH = 64;

  YamlDocument {
    requireNonNull(sourceMap, "sourceMap is null");
    problems = List.copyOf(problems);
  }

  static YamlDocument parse(String file, String text) {
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(20);
    Node node;
    try {
      node = new Yaml(options).compose(new StringReader(text));
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      Position at = mark == null ? Position.START : position(mark);
      String message =
          "YAML syntax error: "
              + Optional.ofNullable(e.getProblem()).orElse("malformed")
              + (e.getContext() != null ? " (" + e.getContext() + ")" : "");
      return failed(new Problem(file, at.line(), at.column(), "", message));
    } catch (YAMLException e) {
      return failed(new Problem(file, 1, 1, "", "YAML syntax error: " + e.getMessage()));
    }
    if (node == null) {
      return failed(new Problem(file, 1, 1, "", "the file is empty: a playbook is a YAML mapping"));
    }
    Builder builder = new Builder(file, text);
    JsonNode root = builder.convert(node, FieldPath.ROOT, 0);
    return new YamlDocument(
        root, new SourceMap(builder.keys, builder.values, builder.scalars), builder.problems);
  }

  private static YamlDocument failed(Problem problem) {
    return new YamlDocument(null, SourceMap.empty(), List.of(problem));
  }

  private static Position position(Mark mark) {
    return new Position(mark.getLine() + 1, mark.getColumn() + 1);
  }

  /** Walks the node graph once, filling the maps of positions as it builds the tree. */
  private static final class Builder {
    private final String file;
    private final String[] lines;
    private final Map<FieldPath, Position> keys = new HashMap<>();
    private final Map<FieldPath, Position> values = new HashMap<>();
    private final Map<FieldPath, Scalar> scalars = new HashMap<>();
    private final List<Problem> problems = new ArrayList<>();

    Builder(String file, String text) {
      this.file = file;
      this.lines = text.split("\r?\n", -1);
    }

    JsonNode convert(Node node, FieldPath path, int depth) {
      values.put(path, position(node.getStartMark()));
      if (depth > MAX_DEPTH) {
        problem(node.getStartMark(), path, "nested too deeply (recursive alias?)");
        return JSON.nullNode();
      }
      if (node instanceof MappingNode mapping) {
        ObjectNode object = JSON.objectNode();
        for (NodeTuple tuple : mapping.getValue()) {
          if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
            problem(tuple.getKeyNode().getStartMark(), path, "a key must be a plain name");
            continue;
          }
          FieldPath child = path.child(key.getValue());
          if (object.has(key.getValue())) {
            Position first = keys.get(child);
            problem(
                key.getStartMark(),
                child,
                "duplicate field '" + key.getValue() + "' (first at line " + first.line() + ")");
            continue;
          }
          keys.put(child, position(key.getStartMark()));
          object.set(key.getValue(), convert(tuple.getValueNode(), child, depth + 1));
        }
        return object;
      }
      if (node instanceof SequenceNode sequence) {
        ArrayNode array = JSON.arrayNode();
        int index = 0;
        for (Node item : sequence.getValue()) {
          array.add(convert(item, path.child(Integer.toString(index++)), depth + 1));
        }
        return array;
      }
      ScalarNode scalar = (ScalarNode) node;
      scalars.put(path, describe(scalar));
      return scalar(scalar);
    }

    private Scalar describe(ScalarNode scalar) {
      Position start = position(scalar.getStartMark());
      boolean singleLine = scalar.getStartMark().getLine() == scalar.getEndMark().getLine();
      Scalar.Style style =
          switch (scalar.getScalarStyle()) {
            case PLAIN, JSON_SCALAR_STYLE -> Scalar.Style.PLAIN;
            case SINGLE_QUOTED -> Scalar.Style.SINGLE_QUOTED;
            case DOUBLE_QUOTED -> Scalar.Style.DOUBLE_QUOTED;
            case LITERAL -> Scalar.Style.LITERAL;
            case FOLDED -> Scalar.Style.FOLDED;
          };
      int indent = 0;
      if (scalar.getScalarStyle() == ScalarStyle.LITERAL
          || scalar.getScalarStyle() == ScalarStyle.FOLDED) {
        // the block's indentation is the first non-blank content line's
        for (int i = scalar.getStartMark().getLine() + 1; i < lines.length; i++) {
          if (!lines[i].isBlank()) {
            indent = lines[i].length() - lines[i].stripLeading().length();
            break;
          }
        }
      }
      return new Scalar(start, style, singleLine, indent);
    }

    /** YAML 1.1 scalars as SnakeYAML resolves them; anything unusual stays text. */
    private static JsonNode scalar(ScalarNode scalar) {
      String text = scalar.getValue();
      Tag tag = scalar.getTag();
      if (Tag.NULL.equals(tag)) {
        return JSON.nullNode();
      }
      if (Tag.BOOL.equals(tag)) {
        String lower = text.toLowerCase(Locale.ROOT);
        return JSON.booleanNode(lower.equals("true") || lower.equals("yes") || lower.equals("on"));
      }
      if (Tag.INT.equals(tag)) {
        try {
          BigInteger value = new BigInteger(text.replace("_", ""));
          // the node types Jackson's own parser gives, so trees compare equal
          if (value.bitLength() < 32) {
            return JSON.numberNode(value.intValue());
          }
          return value.bitLength() < 64
              ? JSON.numberNode(value.longValue())
              : JSON.numberNode(value);
        } catch (NumberFormatException e) {
          // hexadecimal, octal or sexagesimal: rare in a playbook, kept as written
          return JSON.textNode(text);
        }
      }
      if (Tag.FLOAT.equals(tag)) {
        try {
          return JSON.numberNode(new BigDecimal(text.replace("_", "")));
        } catch (NumberFormatException e) {
          return JSON.textNode(text);
        }
      }
      return JSON.textNode(text);
    }

    private void problem(Mark mark, FieldPath path, String message) {
      Position at = position(mark);
      problems.add(new Problem(file, at.line(), at.column(), path.dotted(), message));
    }
  }
}
