package dev.quarry.query.athena;

import static java.util.Objects.requireNonNull;

import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DestinationResult;
import software.amazon.awssdk.services.s3.model.ErrorDetails;
import software.amazon.awssdk.services.s3.model.GetBucketMetadataConfigurationResponse;
import software.amazon.awssdk.services.s3.model.InventoryTableConfigurationResult;
import software.amazon.awssdk.services.s3.model.JournalTableConfigurationResult;
import software.amazon.awssdk.services.s3.model.MetadataConfigurationResult;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Reads a bucket's S3 Metadata configuration with GetBucketMetadataConfiguration ({@code GET
 * /?metadataConfiguration}), which answers for V1 and V2 configurations alike. The namespace and
 * table names are read from it rather than derived from the bucket's name, as AWS asks.
 *
 * <p>A bucket without a configuration answers 404 {@code MetadataConfigurationNotFound}; a bucket
 * that does not exist, 404 {@code NoSuchBucket}. Both are the user's to fix (a user error); access
 * refused and an unreachable S3 are external.
 */
public final class BucketMetadataLookup {
  static final String NOT_CONFIGURED = "MetadataConfigurationNotFound";

  private final S3Client s3;

  /** A lookup that uses, and never closes, the given client. */
  public BucketMetadataLookup(S3Client s3) {
    this.s3 = requireNonNull(s3, "s3 is null");
  }

  /**
   * @throws QuarryException (user) when the bucket has no metadata configuration or does not exist;
   *     (external) when S3 refuses or cannot be reached
   */
  public BucketMetadata lookup(String bucket) {
    requireNonNull(bucket, "bucket is null");
    GetBucketMetadataConfigurationResponse response;
    try {
      response = s3.getBucketMetadataConfiguration(r -> r.bucket(bucket));
    } catch (S3Exception e) {
      throw failure(bucket, e);
    } catch (SdkException e) {
      throw QuarryException.external(
          ErrorCode.S3_UNREACHABLE,
          "cannot reach S3 to read the S3 Metadata configuration of bucket "
              + bucket
              + ": "
              + e.getMessage(),
          e);
    }
    MetadataConfigurationResult result =
        response.getBucketMetadataConfigurationResult() == null
            ? null
            : response.getBucketMetadataConfigurationResult().metadataConfigurationResult();
    DestinationResult destination = result == null ? null : result.destinationResult();
    if (destination == null || blank(destination.tableNamespace())) {
      throw QuarryException.external(
          ErrorCode.S3_REQUEST_FAILED,
          "S3 answered GetBucketMetadataConfiguration for bucket "
              + bucket
              + " without a destination namespace",
          null);
    }
    return new BucketMetadata(
        bucket,
        text(destination.tableBucketTypeAsString()),
        text(destination.tableBucketArn()),
        destination.tableNamespace(),
        Optional.ofNullable(result.journalTableConfigurationResult()).map(BucketMetadataLookup::of),
        Optional.ofNullable(result.inventoryTableConfigurationResult())
            .map(BucketMetadataLookup::of));
  }

  private static QuarryException failure(String bucket, S3Exception e) {
    String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    if (NOT_CONFIGURED.equals(code)) {
      return QuarryException.user(
          ErrorCode.METADATA_MISSING,
          "bucket "
              + bucket
              + " has no S3 Metadata configuration ("
              + NOT_CONFIGURED
              + "): create one (aws s3api create-bucket-metadata-configuration), or name the"
              + " namespace yourself (metadata.namespace in the playbook, or athena-database in"
              + " the profile)");
    }
    if ("NoSuchBucket".equals(code) || (code == null && e.statusCode() == 404)) {
      return QuarryException.user(
          ErrorCode.BUCKET_NOT_FOUND, "there is no bucket " + bucket + " (NoSuchBucket)");
    }
    if (e.statusCode() == 403) {
      return QuarryException.external(
          ErrorCode.S3_ACCESS_DENIED,
          "S3 refused to show the S3 Metadata configuration of bucket "
              + bucket
              + " (403"
              + (code == null ? "" : " " + code)
              + "): it needs s3:GetBucketMetadataTableConfiguration",
          e);
    }
    return QuarryException.external(
        ErrorCode.S3_REQUEST_FAILED,
        "S3 failed to read the S3 Metadata configuration of bucket "
            + bucket
            + " ("
            + e.statusCode()
            + (code == null ? "" : " " + code)
            + "): "
            + (e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage()),
        e);
  }

  private static BucketMetadata.Table of(JournalTableConfigurationResult journal) {
    return new BucketMetadata.Table(
        text(journal.tableName()), "ENABLED", text(journal.tableStatus()), error(journal.error()));
  }

  private static BucketMetadata.Table of(InventoryTableConfigurationResult inventory) {
    return new BucketMetadata.Table(
        text(inventory.tableName()),
        text(inventory.configurationStateAsString()),
        text(inventory.tableStatus()),
        error(inventory.error()));
  }

  private static Optional<String> error(ErrorDetails error) {
    if (error == null || (blank(error.errorCode()) && blank(error.errorMessage()))) {
      return Optional.empty();
    }
    return Optional.of(text(error.errorCode()) + ": " + text(error.errorMessage()));
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  private static String text(String s) {
    return s == null ? "" : s;
  }
}
