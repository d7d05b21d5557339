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
