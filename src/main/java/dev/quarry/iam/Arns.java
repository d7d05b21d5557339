package dev.quarry.iam;

import software.amazon.awssdk.regions.PartitionMetadata;
import software.amazon.awssdk.regions.Region;

/**
 * ARNs in the partition of a region: {@code arn:aws-cn:} in China, {@code arn:aws-us-gov:} in
 * GovCloud, {@code arn:aws:} elsewhere. The SDK's partition metadata decides (it matches regions it
 * does not list by its partitions' region patterns), so a new partition needs no table here.
 */
public final class Arns {
  private Arns() {}

  /** The partition of {@code region}, such as {@code aws-cn} for {@code cn-north-1}. */
  public static String partition(String region) {
    return PartitionMetadata.of(Region.of(region)).id();
  }

  /** {@code arn:<partition>:s3:::<bucket>}. */
  public static String s3Bucket(String region, String bucket) {
    return "arn:" + partition(region) + ":s3:::" + bucket;
  }

  /** {@code arn:<partition>:s3:::<bucket>/<key>}. */
  public static String s3Object(String region, String bucket, String key) {
    return s3Bucket(region, bucket) + "/" + key;
  }

  /** {@code arn:<partition>:<service>:<region>:<account>:<resource>}. */
  public static String of(String service, String region, String account, String resource) {
    return "arn:"
        + partition(region)
        + ":"
        + service
        + ":"
        + region
        + ":"
        + account
        + ":"
        + resource;
  }

  /**
   * {@code arn} moved into the partition of {@code region} when it is an {@code arn:aws:} ARN, as
   * the actions write their copy targets; any other text unchanged.
   */
  public static String inPartitionOf(String region, String arn) {
    return arn != null && arn.startsWith("arn:aws:")
        ? "arn:" + partition(region) + arn.substring("arn:aws".length())
        : arn;
  }
}
