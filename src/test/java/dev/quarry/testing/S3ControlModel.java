package dev.quarry.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * The S3 Control service model as botocore ships it ({@code data/s3control/2018-08-20/
 * service-2.json[.gz]}), so that tests check Quarry's rules against AWS's own model rather than
 * against a copy of its rules.
 */
public final class S3ControlModel {
  private static final class Holder {
    private static final JsonNode SHAPES = load().path("shapes");
  }

  /** Tag texts on both sides of the model's rule: letters, separators and digits of any script. */
  public static final java.util.List<String> TAG_SAMPLES =
      java.util.List.of(
          "retention",
          "a b",
          "Grüße",
          "日本語",
          "٣",
          "no\u00a0break",
          "_.:/=+-@",
          "a*b",
          "a#b",
          "a,b",
          "quote\"d",
          "tab\tbed",
          "smile😀",
          "a".repeat(128),
          "a".repeat(129),
          "v".repeat(256),
          "v".repeat(257));

  private S3ControlModel() {}

  /** The model's shape {@code name}; fails when the model has none of that name. */
  public static JsonNode shape(String name) {
    JsonNode shape = Holder.SHAPES.path(name);
    if (shape.isMissingNode()) {
      throw new IllegalArgumentException("the s3control model has no shape " + name);
    }
    return shape;
  }

  /** A string shape's {@code pattern}, compiled as Java reads it. */
  public static Pattern pattern(String name) {
    return Pattern.compile(shape(name).path("pattern").asText());
  }

  /** Whether {@code value} fits the string shape {@code name}: its length range and pattern. */
  public static boolean accepts(String name, String value) {
    JsonNode shape = shape(name);
    int length = value.codePointCount(0, value.length());
    return length >= shape.path("min").asInt(0)
        && length <= shape.path("max").asInt(Integer.MAX_VALUE)
        && (!shape.has("pattern") || pattern(name).matcher(value).find());
  }

  /**
   * Every way {@code value} breaks the model's shape {@code shapeName}, each with its member path
   * (e.g. {@code CreateJobRequest.Operation.S3PutObjectCopy.SSEAwsKmsKeyId: pattern ...}): required
   * members, members the model does not have, enums, patterns, lengths (in code points), ranges and
   * list or map sizes, walked through the SDK object's own fields ({@link SdkPojo#sdkFields()}).
   */
  public static java.util.List<String> violations(String shapeName, Object value) {
    java.util.List<String> found = new java.util.ArrayList<>();
    check(shapeName, value, shapeName, found);
    return found;
  }

  private static void check(
      String shapeName, Object value, String path, java.util.List<String> found) {
    JsonNode shape = shape(shapeName);
    String type = shape.path("type").asText();
    switch (type) {
      case "structure" -> checkStructure(shape, value, path, found);
      case "string" -> {
        String text = value.toString();
        int length = text.codePointCount(0, text.length());
        if (shape.has("enum")) {
          java.util.List<String> values = new java.util.ArrayList<>();
          shape.path("enum").forEach(v -> values.add(v.asText()));
          if (!values.contains(text)) {
            found.add(path + ": '" + text + "' is not one of " + values);
          }
        }
        if (length < shape.path("min").asInt(0) || length > shape.path("max").asInt(MAX)) {
          found.add(path + ": length " + length + " outside " + range(shape));
        }
        if (shape.has("pattern") && !pattern(shapeName).matcher(text).find()) {
          found.add(path + ": '" + text + "' does not match " + shape.path("pattern").asText());
        }
      }
      case "integer", "long", "double" -> {
        double number = ((Number) value).doubleValue();
        if ((shape.has("min") && number < shape.path("min").asDouble())
            || (shape.has("max") && number > shape.path("max").asDouble())) {
          found.add(path + ": " + value + " outside " + range(shape));
        }
      }
      case "list" -> {
        java.util.List<?> list = (java.util.List<?>) value;
        if (list.size() < shape.path("min").asInt(0)
            || list.size() > shape.path("max").asInt(MAX)) {
          found.add(path + ": " + list.size() + " members, outside " + range(shape));
        }
        String member = shape.path("member").path("shape").asText();
        for (int i = 0; i < list.size(); i++) {
          check(member, list.get(i), path + "[" + i + "]", found);
        }
      }
      case "map" -> {
        java.util.Map<?, ?> map = (java.util.Map<?, ?>) value;
        if (map.size() < shape.path("min").asInt(0) || map.size() > shape.path("max").asInt(MAX)) {
          found.add(path + ": " + map.size() + " entries, outside " + range(shape));
        }
        map.forEach(
            (k, v) -> {
              check(shape.path("key").path("shape").asText(), k, path + "{" + k + "}", found);
              check(shape.path("value").path("shape").asText(), v, path + "[" + k + "]", found);
            });
      }
      case "boolean", "timestamp", "blob" -> {
        // no constraints in the model beyond the type, which the SDK's own type already enforces
      }
      default -> found.add(path + ": the model's type '" + type + "' is not checked by this test");
    }
  }

  private static final int MAX = Integer.MAX_VALUE;

  private static String range(JsonNode shape) {
    return "[" + shape.path("min").asText("0") + ", " + shape.path("max").asText("∞") + "]";
  }

  private static void checkStructure(
      JsonNode shape, Object value, String path, java.util.List<String> found) {
    if (!(value instanceof software.amazon.awssdk.core.SdkPojo pojo)) {
      found.add(path + ": a structure in the model, but " + value.getClass().getName() + " here");
      return;
    }
    JsonNode members = shape.path("members");
    java.util.Set<String> required = new java.util.HashSet<>();
    shape.path("required").forEach(r -> required.add(r.asText()));
    java.util.Set<String> known = new java.util.HashSet<>();
    for (software.amazon.awssdk.core.SdkField<?> field : pojo.sdkFields()) {
      String name = field.memberName();
      known.add(name);
      Object member = field.getValueOrDefault(pojo);
      if (member instanceof software.amazon.awssdk.core.util.SdkAutoConstructList
          || member instanceof software.amazon.awssdk.core.util.SdkAutoConstructMap) {
        member = null; // never set: the SDK does not send it
      }
      if (!members.has(name)) {
        if (member != null) {
          found.add(path + "." + name + ": set, but the model has no such member");
        }
        continue;
      }
      if (member == null) {
        if (required.contains(name)) {
          found.add(path + "." + name + ": required by the model, missing");
        }
        continue;
      }
      check(members.path(name).path("shape").asText(), member, path + "." + name, found);
    }
    members
        .fieldNames()
        .forEachRemaining(
            name -> {
              if (required.contains(name) && !known.contains(name)) {
                found.add(path + "." + name + ": required by the model, unknown to the SDK");
              }
            });
  }

  private static JsonNode load() {
    Path dir = botocoreData().resolve("s3control").resolve("2018-08-20");
    try {
      Path plain = dir.resolve("service-2.json");
      if (Files.exists(plain)) {
        return new ObjectMapper().readTree(plain.toFile());
      }
      try (InputStream in =
          new GZIPInputStream(Files.newInputStream(dir.resolve("service-2.json.gz")))) {
        return new ObjectMapper().readTree(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** botocore's data directory, asked of the python3 that has boto3 installed. */
  private static Path botocoreData() {
    try {
      Process python =
          new ProcessBuilder(
                  "python3", "-c", "import botocore, os; print(os.path.dirname(botocore.__file__))")
              .redirectErrorStream(true)
              .start();
      String out =
          new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (python.waitFor() != 0) {
        throw new IllegalStateException("python3 cannot import botocore: " + out);
      }
      return Path.of(out, "data");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
