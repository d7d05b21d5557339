package dev.quarry.sandbox.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.quarry.action.Action;
import dev.quarry.action.ActionDefinition;
import dev.quarry.action.ActionRegistry;
import dev.quarry.playbook.ActionSpec;
import dev.quarry.playbook.PlaybookLoader;
import java.net.URL;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.s3control.model.JobOperation;
import software.amazon.awssdk.services.s3control.model.LambdaInvokeOperation;
import software.amazon.awssdk.services.s3control.model.S3CopyObjectOperation;
import software.amazon.awssdk.services.s3control.model.S3SetObjectAclOperation;
import software.amazon.awssdk.services.s3control.model.S3SetObjectTaggingOperation;
import software.amazon.awssdk.services.s3control.model.S3Tag;

/**
 * The reverse mapping over the whole registry (house rule 12): every action's operation maps back
 * to an action that builds the same operation, so a new action cannot be left out of the sandbox's
 * S3 Control endpoint unnoticed.
 */
class OperationMappingTest {
  static Stream<ActionDefinition> definitions() {
    return ActionRegistry.definitions().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("definitions")
  void everyRegisteredActionsOperationMapsBackToAnActionWithAnEqualOperation(
      ActionDefinition definition) throws Exception {
    // given the action of the example playbook
    Action action = ActionRegistry.create(example(definition.type()));
    JobOperation operation = action.jobOperation("bucket");

    // when
    ActionSpec back = OperationMapping.actionFor(operation, action.needsVersionId());

    // then
    Action mapped = ActionRegistry.create(back);
    assertThat(mapped.type()).isEqualTo(definition.type());
    assertThat(mapped.jobOperation("bucket")).isEqualTo(operation);
  }

  @Test
  void reencryptWithSseS3AndAStorageClassMapsBack() {
    // given
    Action action =
        ActionRegistry.create(
            spec("reencrypt", Map.of("sse", "AES256", "storage-class", "STANDARD_IA")));

    // when
    ActionSpec back =
        OperationMapping.actionFor(action.jobOperation("photos"), action.needsVersionId());

    // then
    assertThat(ActionRegistry.create(back)).isEqualTo(action);
  }

  @Test
  void updateObjectEncryptionIsAReencryptWithThatMethod() {
    // given
    Action action =
        ActionRegistry.create(
            spec(
                "reencrypt",
                Map.of(
                    "sse",
                    "aws:kms",
                    "kms-key",
                    "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                    "bucket-key",
                    true,
                    "method",
                    "update-encryption")));

    // when
    ActionSpec back =
        OperationMapping.actionFor(action.jobOperation("photos"), action.needsVersionId());

    // then
    assertThat(ActionRegistry.create(back)).isEqualTo(action);
    assertThat(back.options().path("method").asText()).isEqualTo("update-encryption");
  }

  @Test
  void tagOrderDoesNotMatter() {
    // given tags not in key order
    JobOperation operation =
        JobOperation.builder()
            .s3PutObjectTagging(
                S3SetObjectTaggingOperation.builder().tagSet(tag("z", "1"), tag("a", "2")).build())
            .build();

    // when
    ActionSpec spec = OperationMapping.actionFor(operation, false);

    // then
    assertThat(spec.type()).isEqualTo("put-tags");
    assertThat(spec.options().path("tags").path("z").asText()).isEqualTo("1");
  }

  @Test
  void aLegalHoldIsTheLegalHoldActionWithItsStatus() {
    // given
    JobOperation operation =
        JobOperation.builder().s3PutObjectLegalHold(h -> h.legalHold(l -> l.status("OFF"))).build();

    // when
    ActionSpec spec = OperationMapping.actionFor(operation, true);

    // then
    assertThat(spec.type()).isEqualTo("legal-hold");
    assertThat(spec.options().path("status").asText()).isEqualTo("OFF");
  }

  @Test
  void anOperationNoActionRunsIsRefusedByName() {
    // given
    JobOperation acl =
        JobOperation.builder().s3PutObjectAcl(S3SetObjectAclOperation.builder().build()).build();

    // when
    ControlError error =
        catchThrowableOfType(ControlError.class, () -> OperationMapping.actionFor(acl, false));

    // then
    assertThat(error.status()).isEqualTo(400);
    assertThat(error.code()).isEqualTo("BadRequestException");
    assertThat(error).hasMessageContaining("does not run the operation S3PutObjectAcl");
  }

  @Test
  void aLambdaOtherThanTheRollbackFunctionIsRefused() {
    // given
    JobOperation lambda =
        JobOperation.builder()
            .lambdaInvoke(
                LambdaInvokeOperation.builder()
                    .functionArn("arn:aws:lambda:us-east-1:111122223333:function:other")
                    .build())
            .build();

    // when
    ControlError error =
        catchThrowableOfType(ControlError.class, () -> OperationMapping.actionFor(lambda, false));

    // then
    assertThat(error).hasMessageContaining("LambdaInvoke").hasMessageContaining("no Lambda");
  }

  @Test
  void aCopyWithParametersTheActionWouldNotSendIsRefused() {
    // given a re-encrypting copy that also sets an ACL
    JobOperation copy =
        JobOperation.builder()
            .s3PutObjectCopy(
                S3CopyObjectOperation.builder()
                    .targetResource("arn:aws:s3:::photos")
                    .metadataDirective("COPY")
                    .newObjectMetadata(m -> m.sseAlgorithm("AES256"))
                    .cannedAccessControlList("public-read")
                    .build())
            .build();

    // when
    ControlError error =
        catchThrowableOfType(ControlError.class, () -> OperationMapping.actionFor(copy, false));

    // then
    assertThat(error).hasMessageContaining("S3PutObjectCopy with these parameters");
  }

  @Test
  void aCopyWithoutVersionsOrEncryptionIsRefused() {
    // given
    JobOperation copy =
        JobOperation.builder()
            .s3PutObjectCopy(
                S3CopyObjectOperation.builder().targetResource("arn:aws:s3:::photos").build())
            .build();

    // when
    ControlError error =
        catchThrowableOfType(ControlError.class, () -> OperationMapping.actionFor(copy, false));

    // then
    assertThat(error).hasMessageContaining("SSEAlgorithm");
  }

  @Test
  void anOperationWithTwoMembersIsRefused() {
    // given
    JobOperation two =
        JobOperation.builder()
            .s3DeleteObjectTagging(b -> {})
            .s3PutObjectTagging(t -> t.tagSet(tag("a", "1")))
            .build();

    // when
    ControlError error =
        catchThrowableOfType(ControlError.class, () -> OperationMapping.actionFor(two, false));

    // then
    assertThat(error).hasMessageContaining("exactly one member");
  }

  private static S3Tag tag(String key, String value) {
    return S3Tag.builder().key(key).value(value).build();
  }

  private static ActionSpec spec(String type, Map<String, Object> options) {
    var node = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    node.put("type", type);
    options.forEach((k, v) -> node.put(k, String.valueOf(v)));
    return new ActionSpec(type, node);
  }

  private ActionSpec example(String type) throws Exception {
    URL url = getClass().getResource("/dev/quarry/action/examples/" + type + ".yaml");
    assertThat(url).as("example playbook for " + type).isNotNull();
    return new PlaybookLoader().load(Path.of(url.toURI())).orThrow().action().orElseThrow();
  }
}
