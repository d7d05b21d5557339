package dev.quarry.cost;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The prices a cost estimate uses, read from a YAML file the user can replace: the bundled {@code
 * prices/us-east-1.yaml}, or the file {@code QUARRY_PRICES_FILE} names. Every figure must be there:
 * an estimate from a half-filled file would look exact and be wrong.
 *
 * @param file where the prices came from (a path, or the bundled resource's name)
 * @param asOf the date the prices were read, as the file says
 * @param restore by archive storage class ({@code GLACIER}, {@code DEEP_ARCHIVE}), then by tier
 */
public record PriceList(
    String file,
    String region,
    String currency,
    String asOf,
    String source,
    BigDecimal batchPerJob,
    BigDecimal batchPerMillionObjects,
    BigDecimal putPerThousand,
    BigDecimal getPerThousand,
    BigDecimal deletePerThousand,
    Map<String, Map<String, Retrieval>> restore,
    BigDecimal standardPerGbMonth,
    BigDecimal lambdaPerMillionRequests,
    BigDecimal athenaPerTbScanned,
    long athenaMinimumBytesPerQuery) {
  public static final String BUNDLED = "prices/us-east-1.yaml";
  public static final String ENVIRONMENT = "QUARRY_PRICES_FILE";

  public PriceList {
    requireNonNull(file, "file is null");
    requireNonNull(region, "region is null");
    requireNonNull(currency, "currency is null");
    requireNonNull(asOf, "asOf is null");
    requireNonNull(source, "source is null");
    requireNonNull(batchPerJob, "batchPerJob is null");
    requireNonNull(batchPerMillionObjects, "batchPerMillionObjects is null");
    requireNonNull(putPerThousand, "putPerThousand is null");
    requireNonNull(getPerThousand, "getPerThousand is null");
    requireNonNull(deletePerThousand, "deletePerThousand is null");
    restore = Map.copyOf(restore);
    requireNonNull(standardPerGbMonth, "standardPerGbMonth is null");
    requireNonNull(lambdaPerMillionRequests, "lambdaPerMillionRequests is null");
    requireNonNull(athenaPerTbScanned, "athenaPerTbScanned is null");
  }

  /** One archive tier's restore prices. */
  public record Retrieval(BigDecimal perThousandRequests, BigDecimal perGb) {
    public Retrieval {
      requireNonNull(perThousandRequests, "perThousandRequests is null");
      requireNonNull(perGb, "perGb is null");
    }
  }

  /** The prices in force: the file the environment names, or the bundled ones. */
  public static PriceList forEnvironment(Map<String, String> environment) {
    String override = environment.get(ENVIRONMENT);
    return override == null || override.isBlank() ? bundled() : load(Path.of(override));
  }

  public static PriceList bundled() {
    try (InputStream in = PriceList.class.getClassLoader().getResourceAsStream(BUNDLED)) {
      if (in == null) {
        throw new IllegalStateException("the bundled " + BUNDLED + " is missing from the jar");
      }
      return parse("(bundled) " + BUNDLED, in.readAllBytes());
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the bundled " + BUNDLED, e);
    }
  }

  public static PriceList load(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw QuarryException.user(
          ErrorCode.CONFIG_INVALID,
          "cannot read the price file " + file + " (" + ENVIRONMENT + "): " + e.getMessage());
    }
    return parse(file.toString(), bytes);
  }

  static PriceList parse(String file, byte[] yaml) {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
    } catch (IOException e) {
      throw QuarryException.user(
          ErrorCode.CONFIG_INVALID, file + ": not a YAML price file: " + e.getMessage());
    }
    Reader r =
        new Reader(
            file,
            root == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : root);
    Map<String, Map<String, Retrieval>> restore = new LinkedHashMap<>();
    JsonNode classes = root == null ? null : root.get("restore");
    if (classes == null || !classes.isObject()) {
      r.problems.add("restore: missing (by storage class, then tier)");
    } else {
      for (Map.Entry<String, JsonNode> c : classes.properties()) {
        Map<String, Retrieval> tiers = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> t : c.getValue().properties()) {
          String at = "restore." + c.getKey() + "." + t.getKey();
          tiers.put(
              t.getKey(),
              new Retrieval(r.money(at + ".per-thousand-requests"), r.money(at + ".per-gb")));
        }
        restore.put(c.getKey(), Map.copyOf(tiers));
      }
    }
    PriceList prices =
        new PriceList(
            file,
            r.text("region"),
            r.text("currency"),
            r.text("as-of"),
            r.text("source"),
            r.money("batch-operations.per-job"),
            r.money("batch-operations.per-million-objects"),
            r.money("requests.put-copy-post-list"),
            r.money("requests.get-and-other"),
            r.money("requests.delete"),
            restore,
            r.money("storage.standard-per-gb-month"),
            r.money("lambda.per-million-requests"),
            r.money("athena.per-tb-scanned"),
            r.money("athena.minimum-bytes-per-query").longValue());
    if (!r.problems.isEmpty()) {
      throw QuarryException.user(
          ErrorCode.CONFIG_INVALID, file + ": " + String.join("; ", r.problems));
    }
    return prices;
  }

  /** Reads dotted paths, collecting every missing or malformed one before failing. */
  private static final class Reader {
    private final String file;
    private final JsonNode root;
    private final List<String> problems = new ArrayList<>();

    Reader(String file, JsonNode root) {
      this.file = file;
      this.root = root;
    }

    private JsonNode at(String path) {
      JsonNode node = root;
      for (String part : path.split("\\.")) {
        node = node == null ? null : node.get(part);
      }
      return node;
    }

    String text(String path) {
      JsonNode node = at(path);
      if (node == null || !node.isValueNode() || node.asText().isBlank()) {
        problems.add(path + ": missing");
        return "";
      }
      return node.asText();
    }

    BigDecimal money(String path) {
      JsonNode node = at(path);
      if (node == null || !node.isNumber() || node.decimalValue().signum() < 0) {
        problems.add(path + ": " + (node == null ? "missing" : "not a number >= 0"));
        return BigDecimal.ZERO;
      }
      return new BigDecimal(node.asText());
    }

    @Override
    public String toString() {
      return file;
    }
  }
}
