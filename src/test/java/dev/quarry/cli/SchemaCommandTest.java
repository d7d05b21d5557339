package dev.quarry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.playbook.PlaybookSchema;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SchemaCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private final CliContext context =
      new CliContext(Map.of(), new PrintWriter(out, true), new PrintWriter(err, true), false);

  @Test
  void printsTheComposedSchema() throws Exception {
    // when
    int code = QuarryCommand.execute(context, "schema");

    // then
    assertThat(code).isZero();
    assertThat(new ObjectMapper().readTree(out.toString()))
        .isEqualTo(PlaybookSchema.get().composed());
  }

  @Test
  void theSchemaDescribesTheBucketAndItsMetadataOverrides() throws Exception {
    // when
    int code = QuarryCommand.execute(context, "schema");

    // then
    assertThat(code).isZero();
    JsonNode schema = new ObjectMapper().readTree(out.toString());
    assertThat(schema.at("/properties/bucket/type").asText()).isEqualTo("string");
    assertThat(schema.at("/properties/bucket/description").asText())
        .contains("GetBucketMetadataConfiguration");
    assertThat(schema.at("/properties/metadata/additionalProperties").asBoolean(true)).isFalse();
    assertThat(schema.at("/properties/metadata/properties").fieldNames())
        .toIterable()
        .containsExactly("namespace", "journal-table", "inventory-table");
  }

  @Test
  void printsOneActionsFragment() throws Exception {
    // when
    int code = QuarryCommand.execute(context, "schema", "--action", "restore");

    // then
    assertThat(code).isZero();
    JsonNode fragment = new ObjectMapper().readTree(out.toString());
    assertThat(fragment.path("title").asText()).isEqualTo("restore");
    assertThat(fragment.path("properties").has("days")).isTrue();
  }

  @Test
  void anUnknownActionListsTheValidOnes() {
    // when
    int code = QuarryCommand.execute(context, "schema", "--action", "thaw");

    // then
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("[ACTION_UNKNOWN]");
    assertThat(err.toString())
        .contains(
            "unknown action 'thaw'; valid: restore, reencrypt, rollback-deletes,"
                + " revert-to-version, hide-keys, put-tags, delete-tags, legal-hold, retention,"
                + " compute-checksum, replicate");
  }
}
