package dev.quarry.action;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.playbook.ActionSpec;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Every action Quarry knows, by name. */
public final class ActionRegistry {
  private static final ObjectMapper OPTIONS =
      new ObjectMapper()
          .setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private static final List<ActionDefinition> DEFINITIONS =
      List.of(
          new ActionDefinition(
              "restore",
              "Initiate restores of archived objects (Glacier, Deep Archive, Intelligent-Tiering)",
              options(RestoreAction.class)),
          new ActionDefinition(
              "reencrypt",
              "Re-encrypt objects in place (SSE-KMS or SSE-S3), keeping metadata and tags",
              options(ReencryptAction.class)),
          new ActionDefinition(
              "rollback-deletes",
              "Remove delete markers so the previous version is current again",
              options(RollbackDeletesAction.class)),
          new ActionDefinition(
              "revert-to-version",
              "Copy an older version back in place (point-in-time revert of overwrites)",
              options(RevertToVersionAction.class)),
          new ActionDefinition(
              "hide-keys",
              "Add a delete marker on top of keys still at their planned version (revert of creates)",
              options(HideKeysAction.class)),
          new ActionDefinition(
              "put-tags",
              "Set object tags (replace the tag set, or merge into it)",
              options(PutTagsAction.class)),
          new ActionDefinition(
              "delete-tags", "Remove all tags from objects", options(DeleteTagsAction.class)),
          new ActionDefinition(
              "legal-hold",
              "Place or lift an Object Lock legal hold on objects",
              options(LegalHoldAction.class)),
          new ActionDefinition(
              "retention",
              "Set Object Lock retention (GOVERNANCE or COMPLIANCE) until a date",
              options(RetentionAction.class)),
          new ActionDefinition(
              ComputeChecksumAction.TYPE,
              "Compute each object's checksum at rest (CRC32, CRC32C, CRC64NVME, MD5, SHA1, SHA256)"
                  + " for an integrity audit; nothing is changed",
              options(ComputeChecksumAction.class)),
          new ActionDefinition(
              ReplicateAction.TYPE,
              "Replicate existing objects to the destinations of their bucket's replication"
                  + " configuration (Batch Replication)",
              options(ReplicateAction.class)));

  private ActionRegistry() {}

  public static List<ActionDefinition> definitions() {
    return DEFINITIONS;
  }

  public static List<String> types() {
    return DEFINITIONS.stream().map(ActionDefinition::type).toList();
  }

  public static Optional<ActionDefinition> find(String type) {
    return DEFINITIONS.stream().filter(d -> d.type().equals(type)).findFirst();
  }

  /**
   * The action a playbook's {@code action} block describes.
   *
   * @throws QuarryException (user) for an unknown action, listing the valid ones
   * @throws IllegalArgumentException when the action refuses its options, with a message fit for
   *     the user; never for a block that passed {@link dev.quarry.playbook.PlaybookLoader}
   */
  public static Action create(ActionSpec spec) {
    ActionDefinition definition =
        find(spec.type())
            .orElseThrow(
                () ->
                    QuarryException.user(
                        ErrorCode.ACTION_UNKNOWN,
                        "unknown action '"
                            + spec.type()
                            + "'; valid: "
                            + types().stream().collect(Collectors.joining(", "))));
    return definition.factory().apply(spec.options());
  }

  private static Function<ObjectNode, Action> options(Class<? extends Action> type) {
    return node -> {
      try {
        return OPTIONS.treeToValue(node, type);
      } catch (ValueInstantiationException e) {
        // the action's constructor refused the options: its message is meant for the user
        if (e.getCause() instanceof IllegalArgumentException refused) {
          throw refused;
        }
        throw new IllegalArgumentException("action options: " + e.getOriginalMessage(), e);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalArgumentException("action options: " + e.getOriginalMessage(), e);
      }
    };
  }
}
