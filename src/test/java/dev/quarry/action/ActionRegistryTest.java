package dev.quarry.action;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quarry.playbook.LoadResult;
import dev.quarry.playbook.Playbook;
import dev.quarry.playbook.PlaybookLoader;
import dev.quarry.playbook.PlaybookSchema;
import java.lang.reflect.Executable;
import java.lang.reflect.Parameter;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.services.s3control.model.JobOperation;
import software.amazon.awssdk.services.s3control.model.S3StorageClass;

/**
 * Meta-tests over the registry (house rule 12): what every action must come with, checked for every
 * action, so a new one cannot forget a part.
 */
class ActionRegistryTest {
  /** The CreateJob operation member each action sets: the test to extend with a new action. */
  private static final Map<String, String> OPERATION =
      map(
          "restore", "S3InitiateRestoreObject",
          "reencrypt", "S3PutObjectCopy",
          "rollback-deletes", "LambdaInvoke",
          "hide-keys", "LambdaInvoke",
          "revert-to-version", "S3PutObjectCopy",
          "put-tags", "S3PutObjectTagging",
          "delete-tags", "S3DeleteObjectTagging",
          "legal-hold", "S3PutObjectLegalHold",
          "retention", "S3PutObjectRetention",
          "compute-checksum", "S3ComputeObjectChecksum",
          "replicate", "S3ReplicateObject");

  /** Map.of for more than ten pairs: key, value, key, value ... */
  @SuppressWarnings("unchecked")
  private static <V> Map<String, V> map(Object... pairs) {
    Map<String, V> map = new java.util.LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      map.put((String) pairs[i], (V) pairs[i + 1]);
    }
    return Map.copyOf(map);
  }

  static Stream<ActionDefinition> definitions() {
    return ActionRegistry.definitions().stream();
  }

  @Test
  void everyActionHasAnExpectedOperationInThisTest() {
    // given
    List<String> types = ActionRegistry.types();

    // when / then
    assertThat(OPERATION.keySet()).containsExactlyInAnyOrderElementsOf(types);
    assertThat(new HashSet<>(types)).hasSameSizeAs(types);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("definitions")
  void hasASchemaFragmentThatParsesAndNamesItsType(ActionDefinition definition) {
    // given
    URL resource = getClass().getResource(definition.schemaResource());

    // when
    ObjectNode fragment = PlaybookSchema.fragment(definition.type()).orElseThrow();

    // then
    assertThat(resource).as(definition.schemaResource()).isNotNull();
    assertThat(fragment.path("$schema").asText())
        .isEqualTo("https://json-schema.org/draft/2020-12/schema");
    assertThat(fragment.path("title").asText()).isEqualTo(definition.type());
    assertThat(fragment.path("additionalProperties").asBoolean(true)).isFalse();
    assertThat(fragment.path("properties").path("type").path("const").asText())
        .isEqualTo(definition.type());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("definitions")
  void hasAnExamplePlaybookThatValidatesAndBuildsItsActionAndOperation(ActionDefinition definition)
      throws Exception {
    // given
    Path example = example(definition.type());

    // when
    LoadResult loaded = new PlaybookLoader().load(example);

    // then
    assertThat(loaded.problems()).isEmpty();
    Playbook playbook = loaded.orThrow();
    Action action = ActionRegistry.create(playbook.action().orElseThrow());
    assertThat(action.type()).isEqualTo(definition.type());
    JobOperation operation = action.jobOperation("bucket");
    assertThat(operation).isNotNull();
    assertThat(setMembers(operation)).containsExactly(OPERATION.get(definition.type()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("definitions")
  void theFragmentDescribesExactlyTheOptionsTheActionClassReads(ActionDefinition definition)
      throws Exception {
    // given
    Playbook playbook = new PlaybookLoader().load(example(definition.type())).orThrow();
    Class<?> actionClass = ActionRegistry.create(playbook.action().orElseThrow()).getClass();

    // when
    Set<String> read = jsonCreatorProperties(actionClass);

    // then
    ObjectNode fragment = PlaybookSchema.fragment(definition.type()).orElseThrow();
    List<String> described = new ArrayList<>();
    fragment.path("properties").fieldNames().forEachRemaining(described::add);
    described.remove("type");
    assertThat(described).containsExactlyInAnyOrderElementsOf(read);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("definitions")
  void declaresTheRolePermissionsItsOperationNeeds(ActionDefinition definition) throws Exception {
    // given
    Playbook playbook = new PlaybookLoader().load(example(definition.type())).orThrow();
    Action action = ActionRegistry.create(playbook.action().orElseThrow());

    // when
    RolePermissions plain = action.rolePermissions(false);
    RolePermissions versioned = action.rolePermissions(true);

    // then every action grants something, named as IAM spells actions, and says why
    for (RolePermissions permissions : List.of(plain, versioned)) {
      assertThat(permissions.why()).isNotBlank();
      assertThat(!permissions.objectActions().isEmpty() || permissions.function().isPresent())
          .as("grants its operation something")
          .isTrue();
      assertThat(permissions.objectActions())
          .allMatch(a -> a.matches("s3:[A-Z][A-Za-z]+"), "an s3 action");
      assertThat(permissions.bucketActions())
          .allMatch(a -> a.matches("s3:[A-Z][A-Za-z]+"), "an s3 action");
      permissions
          .kmsKey()
          .ifPresent(key -> assertThat(key.actions()).allMatch(a -> a.matches("kms:[A-Z]\\w+")));
    }
    // version-specific actions only for a manifest that names versions
    assertThat(plain.objectActions()).noneMatch(a -> a.contains("Version"));
    assertThat(plain.objectActions())
        .as("what the example's operation needs without version ids")
        .containsExactlyElementsOf(OBJECT_ACTIONS.get(definition.type()));
  }

  /** What each action's role needs on objects without version ids: extend with a new action. */
  private static final Map<String, List<String>> OBJECT_ACTIONS =
      map(
          "restore", List.of("s3:RestoreObject"),
          "reencrypt",
              List.of(
                  "s3:GetObject",
                  "s3:GetObjectAcl",
                  "s3:GetObjectTagging",
                  "s3:PutObject",
                  "s3:PutObjectAcl",
                  "s3:PutObjectTagging"),
          "rollback-deletes", List.of(),
          "hide-keys", List.of(),
          "revert-to-version",
              List.of(
                  "s3:GetObject",
                  "s3:GetObjectAcl",
                  "s3:GetObjectTagging",
                  "s3:PutObject",
                  "s3:PutObjectAcl",
                  "s3:PutObjectTagging"),
          "put-tags", List.of("s3:PutObjectTagging"),
          "delete-tags", List.of("s3:DeleteObjectTagging"),
          "legal-hold", List.of("s3:PutObjectLegalHold"),
          "retention", List.of("s3:PutObjectRetention"),
          "compute-checksum", List.of("s3:GetObject"),
          "replicate", List.of("s3:InitiateReplication"));

  @Test
  void everyActionHasExpectedObjectActionsInThisTest() {
    assertThat(OBJECT_ACTIONS.keySet()).containsExactlyInAnyOrderElementsOf(ActionRegistry.types());
  }

  @Test
  void reencryptOffersTheStorageClassesBatchOperationsKnows() {
    // given
    JsonNode storageClass =
        PlaybookSchema.fragment("reencrypt")
            .orElseThrow()
            .path("properties")
            .path("storage-class")
            .path("enum");

    // when
    List<String> offered = new ArrayList<>();
    storageClass.forEach(v -> offered.add(v.asText()));

    // then
    assertThat(offered)
        .containsExactlyInAnyOrderElementsOf(
            S3StorageClass.knownValues().stream().map(S3StorageClass::toString).toList());
  }

  @Test
  void optionsAnActionRefusesAreAnIllegalArgument() {
    // given restore options that skip the schema (days is required for glacier)
    ObjectNode options = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    options.put("type", "restore");

    // when
    Throwable thrown =
        org.assertj.core.api.Assertions.catchThrowable(
            () -> ActionRegistry.create(new dev.quarry.playbook.ActionSpec("restore", options)));

    // then
    assertThat(thrown)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("restore from glacier needs days >= 1");
  }

  private Path example(String type) throws Exception {
    URL url = getClass().getResource("examples/" + type + ".yaml");
    assertThat(url).as("example playbook for " + type).isNotNull();
    return Path.of(url.toURI());
  }

  private static List<String> setMembers(JobOperation operation) {
    List<String> set = new ArrayList<>();
    for (SdkField<?> field : operation.sdkFields()) {
      if (field.getValueOrDefault(operation) != null) {
        set.add(field.memberName());
      }
    }
    return set;
  }

  /** The option names the action's {@code @JsonCreator} reads. */
  private static Set<String> jsonCreatorProperties(Class<?> type) {
    Executable creator =
        Stream.concat(
                Arrays.stream(type.getDeclaredConstructors()),
                Arrays.stream(type.getDeclaredMethods()))
            .filter(e -> e.isAnnotationPresent(JsonCreator.class))
            .findFirst()
            .orElseThrow(() -> new AssertionError(type + " has no @JsonCreator"));
    Set<String> names = new HashSet<>();
    for (Parameter parameter : creator.getParameters()) {
      JsonProperty property = parameter.getAnnotation(JsonProperty.class);
      assertThat(property).as(creator + " parameter " + parameter).isNotNull();
      names.add(property.value());
    }
    return names;
  }
}
