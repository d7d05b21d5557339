package dev.quarry.lambda;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;
import java.util.Map;

/**
 * The payload S3 Batch Operations sends a {@code LambdaInvoke} function, invocation schema 2.0:
 *
 * <pre>{@code
 * {"invocationSchemaVersion": "2.0",
 *  "invocationId": "YXNkbGZqYWRmaiBhc2RmdW9hZHNmZGpmaGFzbGtkaGZza2RmaAo",
 *  "job": {"id": "f3cc4f60-61f6-4a2b-8a21-d07600c373ce",
 *          "userArguments": {"action": "rollback-deletes"}},
 *  "tasks": [{"taskId": "dGFza2lkZ29lc2hlcmUK", "s3Bucket": "amzn-s3-demo-bucket",
 *             "s3Key": "photos/a%20b.jpg", "s3VersionId": "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY"}]}
 * }</pre>
 *
 * <p>Every field may be missing: the handler answers for what it can, and a value S3 does not send
 * is null here rather than a failure to read the event. Unknown fields are ignored.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record BatchEvent(
    String invocationSchemaVersion, String invocationId, Job job, List<Task> tasks) {

  /** The job; {@code userArguments} are the LambdaInvoke operation's UserArguments. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Job(String id, Map<String, String> userArguments) {}

  /**
   * One object to act on.
   *
   * @param s3Bucket the bucket's name: schema 2.0 sends {@code s3Bucket} (aws-lambda-java-events
   *     3.13.0 called it {@code s3BucketName}, which is accepted too)
   * @param s3Key the key, URL-encoded as in the job's manifest
   * @param s3VersionId the version id, or null for a manifest without versions
   * @param s3BucketArn schema 1.0's bucket ARN, read only where no bucket name came
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Task(
      String taskId,
      @JsonAlias("s3BucketName") String s3Bucket,
      String s3Key,
      String s3VersionId,
      String s3BucketArn) {

    /** The bucket's name, from {@code s3Bucket} or else from the ARN; null when neither came. */
    public String bucket() {
      if (s3Bucket != null && !s3Bucket.isEmpty()) {
        return s3Bucket;
      }
      if (s3BucketArn != null) {
        int colons = s3BucketArn.lastIndexOf(":::");
        return colons >= 0 ? s3BucketArn.substring(colons + 3) : null;
      }
      return null;
    }
  }
}
