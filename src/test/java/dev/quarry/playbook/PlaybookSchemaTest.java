package dev.quarry.playbook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quarry.action.ActionRegistry;
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
}
