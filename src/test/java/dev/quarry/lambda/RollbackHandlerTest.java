package dev.quarry.lambda;

import static dev.quarry.lambda.LambdaFixtures.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.action.HideKeysAction;
import dev.quarry.action.RollbackDeletesAction;
import dev.quarry.lambda.BatchResponse.Result;
import dev.quarry.lambda.BatchResponse.ResultCode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.s3control.model.LambdaInvokeOperation;

/** The handler's wire contract, without S3: what it reads, what it writes, what jobs it accepts. */
class RollbackHandlerTest {
  @Test
  void acceptsExactlyTheOperationTheRollbackActionCreates() {
    // given
    LambdaInvokeOperation operation =
        new RollbackDeletesAction("arn:aws:lambda:us-east-1:111122223333:function:quarry-rollback")
            .jobOperation("bucket")
            .lambdaInvoke();

    // then
    assertThat(operation.invocationSchemaVersion()).isEqualTo(RollbackHandler.SCHEMA_VERSION);
    assertThat(operation.userArguments()).isEqualTo(RollbackHandler.USER_ARGUMENTS);
  }

  @Test
  void acceptsExactlyTheOperationTheHideKeysActionCreates() {
    // given
    LambdaInvokeOperation operation =
        new HideKeysAction("arn:aws:lambda:us-east-1:111122223333:function:quarry-rollback")
            .jobOperation("bucket")
            .lambdaInvoke();

    // then
    assertThat(operation.invocationSchemaVersion()).isEqualTo(RollbackHandler.SCHEMA_VERSION);
    assertThat(operation.userArguments()).isEqualTo(RollbackHandler.HIDE_KEYS_ARGUMENTS);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "\"s3Bucket\": \"amzn-s3-demo-bucket\"",
        "\"s3BucketName\": \"amzn-s3-demo-bucket\"",
        "\"s3BucketArn\": \"arn:aws:s3:::amzn-s3-demo-bucket\""
      })
  void readsTheBucketNameUnderEachSpellingItHasHad(String bucketField) throws Exception {
    // given a schema 2.0 event as AWS documents it, with a field it may add some day
    String json =
        """
        {"invocationSchemaVersion": "2.0",
         "invocationId": "YXNkbGZqYWRmaiBhc2RmdW9hZHNmZGpmaGFzbGtkaGZza2RmaAo",
         "job": {"id": "f3cc4f60-61f6-4a2b-8a21-d07600c373ce",
                 "userArguments": {"action": "rollback-deletes"}},
         "tasks": [{"taskId": "dGFza2lkZ29lc2hlcmUK", %s,
                    "s3Key": "a%%20b.jpg", "s3VersionId": "1", "someday": true}]}
        """
            .formatted(bucketField);

    // when
    BatchEvent event = JSON.readValue(json, BatchEvent.class);

    // then
    assertThat(event.job().userArguments()).isEqualTo(RollbackHandler.USER_ARGUMENTS);
    BatchEvent.Task task = event.tasks().get(0);
    assertThat(task.bucket()).isEqualTo("amzn-s3-demo-bucket");
    assertThat(task.s3Key()).isEqualTo("a%20b.jpg");
    assertThat(task.s3VersionId()).isEqualTo("1");
  }

  @Test
  void decodesAKeyAndTriesAPlusBothAsItselfAndAsASpace() {
    assertThat(RollbackHandler.candidateKeys("photos/a%20b%2Bc.jpg"))
        .containsExactly("photos/a b+c.jpg");
    assertThat(RollbackHandler.candidateKeys("Zo%C3%AB.txt")).containsExactly("Zoë.txt");
    assertThat(RollbackHandler.candidateKeys("a+b%2Bc")).containsExactly("a+b+c", "a b+c");
  }

  @Test
  void writesTheResponseFieldsBatchOperationsReads() throws Exception {
    // given
    BatchResponse response =
        new BatchResponse(
            "2.0",
            ResultCode.PermanentFailure,
            "inv-1",
            List.of(new Result("t1", ResultCode.TemporaryFailure, "SlowDown: Please reduce")));

    // when
    JsonNode json = JSON.readTree(JSON.writeValueAsString(response));

    // then
    assertThat(json)
        .isEqualTo(
            JSON.readTree(
                """
                {"invocationSchemaVersion": "2.0", "treatMissingKeysAs": "PermanentFailure",
                 "invocationId": "inv-1",
                 "results": [{"taskId": "t1", "resultCode": "TemporaryFailure",
                              "resultString": "SlowDown: Please reduce"}]}
                """));
  }
}
