package dev.quarry.playbook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quarry.action.ActionRegistry;
import dev.quarry.testing.S3ControlModel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlaybookSchemaTest {
  @Test
  void theActionTypeEnumIsTheRegistry() {
    // given
    ObjectNode composed = PlaybookSchema.get().composed();

    // when
    List<String> types = new ArrayList<>();
    composed.at("/properties/action/properties/type/enum").forEach(t -> types.add(t.asText()));

    // then
    assertThat(types).containsExactlyElementsOf(ActionRegistry.types());
  }

  @Test
  void everyActionsFragmentIsComposedInAndReferencedWhenItsTypeIsChosen() {
    // given
    ObjectNode composed = PlaybookSchema.get().composed();

    // when
    JsonNode cases = composed.at("/properties/action/allOf");

    // then
    assertThat(cases).hasSize(ActionRegistry.types().size());
    for (String type : ActionRegistry.types()) {
      assertThat(composed.at("/$defs/action-" + type + "/properties/type/const").asText())
          .isEqualTo(type);
    }
    assertThat(cases.get(0).at("/then/$ref").asText()).isEqualTo("#/$defs/action-restore");
  }

  @Test
  void theComposedSchemaIsValidJsonThatRoundTrips() throws Exception {
    // given
    ObjectNode composed = PlaybookSchema.get().composed();

    // when
    JsonNode reread = new ObjectMapper().readTree(composed.toString());

    // then
    assertThat(reread).isEqualTo(composed);
    assertThat(reread.path("$schema").asText())
        .isEqualTo("https://json-schema.org/draft/2020-12/schema");
  }

  @Test
  void aTagSetOverS3sLimitsIsRefused() {
    // given eleven tags
    StringBuilder tags = new StringBuilder();
    for (int i = 0; i < 11; i++) {
      tags.append(i == 0 ? "" : ", ").append("t").append(i).append(": v");
    }
    String yaml =
        "name: tags\nquery: SELECT bucket, key FROM t\naction: { type: put-tags, tags: { "
            + tags
            + " } }\n";

    // when
    LoadResult result = new PlaybookLoader().load(java.nio.file.Path.of("t.yaml"), yaml);

    // then
    assertThat(result.problems())
        .extracting(p -> p.path() + ": " + p.message())
        .containsExactly("action.tags: has 11 entries; at most 10 allowed");
  }

  @Test
  void tagKeysAndValuesFollowTheS3ControlModelsTagStrings() {
    for (String text : S3ControlModel.TAG_SAMPLES) {
      // given a put-tags action with the text as a key, then as a value
      String asKey = "action: { type: put-tags, tags: { " + json(text) + ": v } }";
      String asValue = "action: { type: put-tags, tags: { k: " + json(text) + " } }";

      // when
      List<String> keyProblems = problems(asKey);
      List<String> valueProblems = problems(asValue);

      // then each is refused exactly when AWS's model refuses it, at the tag's field path
      assertThat(keyProblems.isEmpty())
          .as("key %s", text)
          .isEqualTo(S3ControlModel.accepts("TagKeyString", text));
      assertThat(valueProblems.isEmpty())
          .as("value %s", text)
          .isEqualTo(S3ControlModel.accepts("TagValueString", text));
      valueProblems.forEach(p -> assertThat(p).startsWith("action.tags.k: "));
    }
  }

  @Test
  void aRefusedTagSaysWhatS3Allows() {
    // when
    List<String> problems = problems("action: { type: put-tags, tags: { k: \"a*b\" } }");

    // then
    assertThat(problems).hasSize(1);
    assertThat(problems.get(0))
        .startsWith("action.tags.k: ")
        .contains("letters, digits, spaces and _ . : / = + - @");
  }

  private static List<String> problems(String actionLine) {
    LoadResult result =
        new PlaybookLoader()
            .load(
                java.nio.file.Path.of("t.yaml"),
                "name: tags\nquery: SELECT bucket, key FROM t\n" + actionLine + "\n");
    return result.problems().stream().map(p -> p.path() + ": " + p.message()).toList();
  }

  private static String json(String text) {
    try {
      return new ObjectMapper().writeValueAsString(text);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
