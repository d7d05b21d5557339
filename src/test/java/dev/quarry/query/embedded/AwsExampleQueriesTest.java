package dev.quarry.query.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.error.ErrorKind;
import dev.quarry.error.QuarryException;
import dev.quarry.query.BoundQuery;
import dev.quarry.testing.TestWarehouse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every query of AWS's documentation (src/test/resources/aws/aws-example-queries.sql) runs
 * unchanged, or fails with the clear error stated here for it: each query has its own expectation.
 *
 * <p>The fixture gives every object the tags and user metadata the examples filter on ({@code
 * key1}, {@code key2}, {@code content-source}): Athena fails a map subscript on a missing key, and
 * so does the embedded engine, so on a bucket where some objects lack them these examples fail on
 * both (see {@code EmbeddedEngineTest} / {@code TrinoCompatibilityTest}).
 */
class AwsExampleQueriesTest {
  @TempDir static Path root;
  static TestWarehouse tables;
  static EmbeddedEngine engine;

  record Example(String name, String sql) {
    @Override
    public String toString() {
      return name;
    }
  }

  /** Rows the query returns, or a fragment of the error it fails with. */
  record Expectation(Integer rows, String failure) {
    static Expectation rows(int rows) {
      return new Expectation(rows, null);
    }

    static Expectation fails(String fragment) {
      return new Expectation(null, fragment);
    }
  }

  static final Map<String, Expectation> EXPECTED =
      new LinkedHashMap<>(
          Map.ofEntries(
              Map.entry("journal-objects-by-file-extension", Expectation.rows(2)),
              Map.entry("journal-object-deletions", Expectation.rows(2)),
              Map.entry("journal-kms-keys-used", Expectation.rows(3)),
              Map.entry("journal-objects-not-using-kms-keys", Expectation.rows(1)),
              Map.entry("journal-kms-keys-for-puts-last-7-days", Expectation.rows(1)),
              Map.entry("journal-lifecycle-deletes-last-24-hours", Expectation.rows(1)),
              Map.entry("journal-bedrock-metadata", Expectation.rows(1)),
              // 4 (bucket, key, version) stacks; photos/a.jpg v1 was permanently deleted
              Map.entry("journal-current-state-of-objects", Expectation.rows(3)),
              Map.entry("inventory-datasets-with-specific-tags", Expectation.rows(1)),
              // != drops the NULL status, in SQL as on Athena
              Map.entry("inventory-objects-not-sse-kms-encrypted", Expectation.rows(1)),
              Map.entry("inventory-objects-not-encrypted", Expectation.rows(1)),
              Map.entry("inventory-objects-generated-by-bedrock", Expectation.rows(1)),
              // journal$properties exists (empty), plain names use the default namespace; rows
              // that are both in the journal and the inventory come twice, as AWS's query does
              Map.entry("inventory-reconcile-with-journal", Expectation.rows(6)),
              // CREATE TABLE ... AS needs a writable table bucket: not a query
              Map.entry("inventory-current-versions-ctas", Expectation.fails("only queries")),
              // the annotation table is not part of the local warehouse
              Map.entry("annotation-list-for-object", Expectation.fails("annotation")),
              Map.entry("annotation-find-objects-with-annotation", Expectation.fails("annotation")),
              Map.entry("annotation-join-inventory", Expectation.fails("annotation")),
              // AWS's own errors (see the -- note: lines): key is neither grouped nor aggregated
              Map.entry("optimize-journal-sensitivity-full-scan", Expectation.fails("GROUP BY")),
              // ... and an unbalanced quote in the FROM clause
              Map.entry(
                  "optimize-journal-sensitivity-last-month", Expectation.fails("cannot parse")),
              // self-managed tables in other namespaces / table buckets
              Map.entry("join-custom-metadata-journal", Expectation.fails("my_namespace")),
              Map.entry("join-custom-metadata-inventory", Expectation.fails("my_namespace")),
              Map.entry("managed-bucket-inventory-limit-10", Expectation.rows(1)),
              Map.entry(
                  "managed-bucket-inventory-join-own-table",
                  Expectation.fails("s3tablescatalog/amzn-s3-demo-table-bucket")),
              Map.entry(
                  "managed-bucket-inventory-join-unqualified", Expectation.fails("my_table"))));

  @BeforeAll
  static void warehouse() throws Exception {
    String ns = "b_general-purpose-bucket-name";
    String b = "'general-purpose-bucket-name'";
    String tags = "MAP {'key1': 'value1', 'key2': 'value2', 'SensitivityLevel': 'high'}";
    String other = "MAP {'key1': 'value1', 'key2': 'other', 'SensitivityLevel': 'low'}";
    String bedrock = "MAP {'content-source': 'AmazonBedrock'}";
    String human = "MAP {'content-source': 'human'}";
    String kms = "'arn:aws:kms:us-east-1:111122223333:key/";
    LocalDateTime now = LocalDateTime.now(ZoneOffset.UTC).withNano(0);
    tables = new TestWarehouse(root);
    tables.inventory(
        ns,
        "SELECT * FROM (VALUES"
            + "("
            + b
            + ", 'photos/b.jpg', 'v1', '0002', 10, 'STANDARD', 'SSE-KMS', "
            + kms
            + "k1', "
            + tags
            + ", "
            + bedrock
            + "),"
            + "("
            + b
            + ", 'docs/c.txt', 'v1', '0003', 20, 'GLACIER', 'SSE-S3', NULL, "
            + other
            + ", "
            + human
            + "),"
            + "("
            + b
            + ", 'docs/d.txt', NULL, '0004', 30, 'STANDARD', NULL, NULL, "
            + other
            + ", "
            + human
            + ")) AS t(bucket, key, version_id, sequence_number, size, storage_class,"
            + " encryption_status, kms_key_arn, object_tags, user_metadata)");
    String ts = "TIMESTAMP '" + now.minusHours(2) + "'";
    String old = "TIMESTAMP '" + now.minusDays(30) + "'";
    tables.journal(
        ns,
        "SELECT * FROM (VALUES"
            + "("
            + b
            + ", 'photos/a.jpg', 'v1', '0001', 'CREATE', "
            + old
            + ", false, 'SSE-KMS', "
            + kms
            + "k0', "
            + tags
            + ", "
            + human
            + ", '111122223333'),"
            + "("
            + b
            + ", 'photos/b.jpg', 'v1', '0002', 'CREATE', "
            + ts
            + ", false, 'SSE-KMS', "
            + kms
            + "k1', "
            + tags
            + ", "
            + bedrock
            + ", '111122223333'),"
            + "("
            + b
            + ", 'docs/c.txt', 'v1', '0003', 'CREATE', "
            + old
            + ", false, 'SSE-S3', NULL, "
            + other
            + ", "
            + human
            + ", '111122223333'),"
            + "("
            + b
            + ", 'photos/a.jpg', 'v1', '0005', 'DELETE', "
            + ts
            + ", NULL, NULL, NULL, NULL, NULL, 's3.amazonaws.com'),"
            + "("
            + b
            + ", 'docs/d.txt', 'v9', '0006', 'DELETE', "
            + old
            + ", true, NULL, NULL, NULL, NULL, '111122223333')"
            + ") AS t(bucket, key, version_id, sequence_number, record_type, record_timestamp,"
            + " is_delete_marker, encryption_status, kms_key_arn, object_tags, user_metadata,"
            + " requester)");
    tables.inventory(
        "b_amzn-s3-demo-source-bucket",
        "SELECT 'amzn-s3-demo-source-bucket' AS bucket, 'x' AS key");
    tables.inventory("b_amzn-s3-demo-bucket", "SELECT 'amzn-s3-demo-bucket' AS bucket, 'y' AS key");
    engine = new EmbeddedEngine(tables.warehouse(), Optional.of(ns));
  }

  @AfterAll
  static void close() throws Exception {
    engine.close();
    tables.close();
  }

  static Stream<Example> examples() throws IOException {
    String text;
    try (InputStream in =
        AwsExampleQueriesTest.class.getResourceAsStream("/aws/aws-example-queries.sql")) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    List<Example> examples = new ArrayList<>();
    for (String entry : text.split("\n;;\n?")) {
      String name = null;
      StringBuilder sql = new StringBuilder();
      for (String line : entry.split("\n", -1)) {
        if (line.startsWith("-- name:")) {
          name = line.substring("-- name:".length()).strip();
        } else if (name != null
            && !(sql.length() == 0
                && (line.startsWith("-- source:")
                    || line.startsWith("-- needs:")
                    || line.startsWith("-- note:")))) {
          sql.append(line).append('\n');
        }
      }
      if (name != null) {
        String query = sql.toString().strip();
        // AWS's text ends with ';' (the engine accepts it too)
        while (query.endsWith(";")) {
          query = query.substring(0, query.length() - 1).strip();
        }
        examples.add(new Example(name, query));
      }
    }
    return examples.stream();
  }

  @Test
  void everyExampleHasItsOwnExpectation() throws IOException {
    assertThat(examples().map(Example::name))
        .containsExactlyInAnyOrderElementsOf(EXPECTED.keySet());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void runsUnchangedOrFailsClearly(Example example) {
    Expectation expected = EXPECTED.get(example.name());
    assertThat(expected).as("expectation for " + example.name()).isNotNull();
    BoundQuery query = BoundQuery.of(example.sql());
    if (expected.failure() == null) {
      assertThat(EmbeddedEngineTest.rows(engine, query)).hasSize(expected.rows());
      assertThat(engine.columns(query)).isNotEmpty();
    } else {
      assertThatThrownBy(() -> EmbeddedEngineTest.rows(engine, query))
          .isInstanceOfSatisfying(
              QuarryException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.USER))
          .hasMessageContaining(expected.failure());
    }
  }
}
