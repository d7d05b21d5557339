package dev.quarry.metadata;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ObjectVersion;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.Tag;

/**
 * Reads what the inventory knows about one object version: HeadObject (with checksums) and
 * GetObjectTagging, both for that exact version.
 */
final class VersionReader {
  /** An ETag of a multipart upload ends with {@code -<part count>}. */
  private static final Pattern MULTIPART_ETAG = Pattern.compile(".*-\\d+");

  private final S3Client s3;

  VersionReader(S3Client s3) {
    this.s3 = requireNonNull(s3, "s3 is null");
  }

  /**
   * @param listedVersionId the version id as listed ({@code "null"} for the null version)
   * @return empty when the version disappeared between listing and reading
   */
  Optional<InventoryRow> read(String bucket, ObjectVersion version, long order) {
    return read(bucket, version, order, false);
  }

  /**
   * @param keyAsInXml the listing was not URL-encoded, so an XML parser may have turned a CR (or CR
   *     LF) of the key into LF: a version not found under its listed key is looked for under the
   *     keys it may have been
   */
  Optional<InventoryRow> read(
      String bucket, ObjectVersion version, long order, boolean keyAsInXml) {
    String listedVersionId = version.versionId();
    Instant lastModified = version.lastModified();
    HeadObjectResponse head = null;
    String key = null;
    try {
      for (String candidate : keyAsInXml ? keysBeforeXml(version.key()) : List.of(version.key())) {
        try {
          head =
              s3.headObject(
                  b ->
                      b.bucket(bucket)
                          .key(candidate)
                          .versionId(listedVersionId)
                          .checksumMode(ChecksumMode.ENABLED));
          key = candidate;
          break;
        } catch (S3Exception e) {
          if (e.statusCode() != 404) {
            throw e;
          }
        }
      }
      if (head == null) {
        return Optional.empty();
      }
    } catch (S3Exception e) {
      key = version.key();
      if (e.statusCode() != 400) {
        throw e;
      }
      // S3 answers a HEAD without the customer key of an SSE-C object with a bare 400; the
      // listing still tells size, ETag and storage class
      head =
          HeadObjectResponse.builder()
              .contentLength(version.size())
              .eTag(version.eTag())
              .storageClass(version.storageClassAsString())
              .sseCustomerAlgorithm("AES256")
              .build();
    }
    Optional<Map<String, String>> tags = tags(bucket, key, listedVersionId);
    if (tags.isEmpty()) {
      return Optional.empty();
    }
    InventoryRow row =
        row(
            bucket,
            key,
            tableVersionId(listedVersionId),
            lastModified,
            head,
            tags.get() == NO_TAGS_READ ? null : tags.get(),
            order);
    if (row.checksumAlgorithm() == null && !version.checksumAlgorithmAsStrings().isEmpty()) {
      // some servers (S3Mock) list the algorithm but send no checksum header on HEAD
      row = row.withChecksumAlgorithm(version.checksumAlgorithmAsStrings().get(0));
    }
    return Optional.of(row);
  }

  /**
   * Reads only the tags of a version whose HeadObject fields the previous inventory holds (a
   * version id names immutable content, metadata, encryption and checksum; tags change in place).
   * The row carries the listing's size, ETag and storage class and nothing of HeadObject's: the
   * refresh takes those from the previous inventory.
   *
   * @return empty when the version disappeared between listing and reading
   */
  Optional<InventoryRow> readTags(String bucket, ObjectVersion version, long order) {
    String versionId = version.versionId();
    Optional<Map<String, String>> tags = tags(bucket, version.key(), versionId);
    if (tags.isEmpty()) {
      return Optional.empty();
    }
    String eTag = unquote(version.eTag());
    return Optional.of(
        new InventoryRow(
            bucket,
            version.key(),
            tableVersionId(versionId),
            false,
            version.size(),
            version.lastModified(),
            eTag,
            version.storageClassAsString(),
            null,
            null,
            null,
            null,
            null,
            tags.get() == NO_TAGS_READ ? null : InventoryRow.sorted(tags.get()),
            null,
            order));
  }

  /** Stands for tags a server would not tell (an empty optional means the version is gone). */
  private static final Map<String, String> NO_TAGS_READ =
      java.util.Collections.unmodifiableMap(new TreeMap<>());

  /**
   * @return empty when the version is gone; {@link #NO_TAGS_READ} when the server refuses to tell
   */
  private Optional<Map<String, String>> tags(String bucket, String key, String versionId) {
    Map<String, String> tags = new TreeMap<>();
    try {
      for (Tag tag :
          s3.getObjectTagging(b -> b.bucket(bucket).key(key).versionId(versionId)).tagSet()) {
        tags.put(tag.key(), tag.value());
      }
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return Optional.empty();
      }
      if (!"InvalidObjectState".equals(errorCode(e))) {
        throw e;
      }
      // moto refuses tagging reads of archived objects (AWS answers them): tags unknown
      return Optional.of(NO_TAGS_READ);
    }
    return Optional.of(tags);
  }

  /** At most 3^4 keys are tried: beyond, the version is reported as gone. */
  private static final int MAX_AMBIGUOUS_LINE_FEEDS = 4;

  /**
   * The keys whose XML text parses as {@code parsed}: the listed key first, then each LF as CR or
   * CR LF (XML parsers normalize both to LF).
   */
  static List<String> keysBeforeXml(String parsed) {
    List<String> keys = new ArrayList<>(List.of(""));
    int lineFeeds = 0;
    for (int i = 0; i < parsed.length(); i++) {
      char c = parsed.charAt(i);
      if (c != '\n') {
        for (int k = 0; k < keys.size(); k++) {
          keys.set(k, keys.get(k) + c);
        }
        continue;
      }
      if (++lineFeeds > MAX_AMBIGUOUS_LINE_FEEDS) {
        return List.of(parsed);
      }
      List<String> next = new ArrayList<>();
      for (String prefix : keys) {
        next.add(prefix + "\n");
        next.add(prefix + "\r");
        next.add(prefix + "\r\n");
      }
      keys = next;
    }
    return keys;
  }

  private static String errorCode(S3Exception e) {
    return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
  }

  /** The tables hold NULL for the null version; S3 APIs spell it {@code "null"}. */
  static String tableVersionId(String listedVersionId) {
    return listedVersionId == null || listedVersionId.equals("null") ? null : listedVersionId;
  }

  static InventoryRow row(
      String bucket,
      String key,
      String versionId,
      Instant lastModified,
      HeadObjectResponse head,
      Map<String, String> tags,
      long order) {
    String eTag = unquote(head.eTag());
    return new InventoryRow(
        bucket,
        key,
        versionId,
        false,
        head.contentLength(),
        lastModified,
        eTag,
        // HeadObject leaves the storage class out for STANDARD
        head.storageClassAsString() == null ? "STANDARD" : head.storageClassAsString(),
        eTag != null && MULTIPART_ETAG.matcher(eTag).matches(),
        encryptionStatus(head.serverSideEncryptionAsString(), head.sseCustomerAlgorithm()),
        Boolean.TRUE.equals(head.bucketKeyEnabled()),
        head.ssekmsKeyId(),
        checksumAlgorithm(head),
        InventoryRow.sorted(tags),
        InventoryRow.sorted(head.metadata()),
        order);
  }

  static String encryptionStatus(String serverSideEncryption, String customerAlgorithm) {
    if (serverSideEncryption != null) {
      switch (serverSideEncryption) {
        case "AES256":
          return "SSE-S3";
        case "aws:kms":
          return "SSE-KMS";
        case "aws:kms:dsse":
          return "DSSE-KMS";
        default:
          return serverSideEncryption;
      }
    }
    return customerAlgorithm != null ? "SSE-C" : null;
  }

  static String checksumAlgorithm(HeadObjectResponse head) {
    if (head.checksumCRC64NVME() != null) {
      return "CRC64NVME";
    }
    if (head.checksumCRC32C() != null) {
      return "CRC32C";
    }
    if (head.checksumCRC32() != null) {
      return "CRC32";
    }
    if (head.checksumSHA256() != null) {
      return "SHA256";
    }
    if (head.checksumSHA1() != null) {
      return "SHA1";
    }
    return null;
  }

  static String unquote(String eTag) {
    if (eTag != null && eTag.length() >= 2 && eTag.startsWith("\"") && eTag.endsWith("\"")) {
      return eTag.substring(1, eTag.length() - 1);
    }
    return eTag;
  }
}
