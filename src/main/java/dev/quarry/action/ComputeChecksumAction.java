package dev.quarry.action;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quarry.action.ObjectChecksum.Algorithm;
import dev.quarry.query.ObjectRow;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.HexFormat;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3control.model.ComputeObjectChecksumAlgorithm;
import software.amazon.awssdk.services.s3control.model.ComputeObjectChecksumType;
import software.amazon.awssdk.services.s3control.model.JobOperation;
import software.amazon.awssdk.services.s3control.model.S3ComputeObjectChecksumOperation;

/**
 * Computes a checksum of each object at rest ({@code S3ComputeObjectChecksum}), for an integrity
 * audit: nothing is copied or changed, and the completion report carries each object's checksum.
 *
 * <pre>{@code
 * action:
 *   type: compute-checksum
 *   algorithm: SHA256          # CRC32, CRC32C, CRC64NVME, MD5, SHA1 or SHA256
 *   checksum-type: FULL_OBJECT # or COMPOSITE (not with CRC64NVME)
 * }</pre>
 *
 * <p>A full-object checksum covers the object's bytes in one pass. A composite checksum of an
 * object uploaded in N parts is the checksum of the concatenated part checksums, followed by {@code
 * -N} (as S3 shows multipart checksums, and as a multipart ETag is the MD5 of the part MD5s); for
 * an object of one part it is the full-object checksum.
 *
 * <p>A composite reads the object part by part (GetObject with partNumber); a server that does not
 * answer by part (moto 5.2.1) fails the task rather than give a wrong value.
 *
 * <p>Locally, the task reads the object (part by part for a composite) and writes, as the
 * completion report's result message, a JSON object with {@code checksum_base64}, {@code
 * checksum_hex}, {@code checksumAlgorithm}, {@code checksumType} and {@code etag}, the members
 * tools that read AWS's Compute checksum reports look for.
 */
public record ComputeChecksumAction(Algorithm algorithm, Type checksumType) implements Action {
  public static final String TYPE = "compute-checksum";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int BUFFER = 64 * 1024;

  @JsonCreator
  public static ComputeChecksumAction of(
      @JsonProperty("algorithm") Algorithm algorithm,
      @JsonProperty("checksum-type") Type checksumType) {
    if (algorithm == null) {
      throw new IllegalArgumentException(
          "compute-checksum needs algorithm CRC32, CRC32C, CRC64NVME, MD5, SHA1 or SHA256");
    }
    return new ComputeChecksumAction(
        algorithm, checksumType == null ? Type.FULL_OBJECT : checksumType);
  }

  public ComputeChecksumAction {
    requireNonNull(algorithm, "algorithm is null");
    requireNonNull(checksumType, "checksumType is null");
    if (checksumType == Type.COMPOSITE && !algorithm.allowsComposite()) {
      throw new IllegalArgumentException(
          "compute-checksum: "
              + algorithm
              + " has only FULL_OBJECT checksums; COMPOSITE takes CRC32, CRC32C, MD5, SHA1 or"
              + " SHA256");
    }
  }

  /** S3's checksum types. */
  public enum Type {
    FULL_OBJECT,
    COMPOSITE
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public boolean needsVersionId() {
    return false;
  }

  @Override
  public boolean destructive() {
    return false;
  }

  @Override
  public JobOperation jobOperation(String bucket) {
    return JobOperation.builder()
        .s3ComputeObjectChecksum(
            S3ComputeObjectChecksumOperation.builder()
                .checksumAlgorithm(ComputeObjectChecksumAlgorithm.fromValue(algorithm.name()))
                .checksumType(ComputeObjectChecksumType.fromValue(checksumType.name()))
                .build())
        .build();
  }

  @Override
  public RolePermissions rolePermissions(boolean versioned) {
    return versioned
        ? RolePermissions.onObjects(
            "S3ComputeObjectChecksum reads each named version (GetObjectVersion)",
            "s3:GetObjectVersion")
        : RolePermissions.onObjects(
            "S3ComputeObjectChecksum reads each current object (GetObject)", "s3:GetObject");
  }

  @Override
  public LocalTask localTask(S3Client s3) {
    requireNonNull(s3, "s3 is null");
    return row -> S3Errors.guard(() -> compute(s3, row));
  }

  private TaskOutcome compute(S3Client s3, ObjectRow row) {
    if (checksumType == Type.COMPOSITE) {
      HeadObjectResponse first =
          s3.headObject(
              b -> b.bucket(row.bucket()).key(row.key()).versionId(row.versionId()).partNumber(1));
      Integer parts = first.partsCount();
      if (parts != null && parts > 1) {
        ObjectChecksum.Running ofParts = algorithm.start();
        String etag = null;
        for (int part = 1; part <= parts; part++) {
          int number = part;
          try (ResponseInputStream<GetObjectResponse> in =
              s3.getObject(
                  b ->
                      b.bucket(row.bucket())
                          .key(row.key())
                          .versionId(row.versionId())
                          .partNumber(number))) {
            // a server that ignores partNumber (moto 5.2.1) answers the whole object, without
            // Content-Range: a checksum of those bytes would be a wrong composite
            if (in.response().contentRange() == null) {
              return TaskOutcome.failed(
                  "InvalidRequest",
                  400,
                  "this S3 server does not answer GetObject by part number, so the composite"
                      + " checksum of a multipart object cannot be computed here");
            }
            byte[] checksum = checksum(in);
            ofParts.update(checksum, 0, checksum.length);
            etag = in.response().eTag();
          } catch (IOException e) {
            throw SdkClientException.create("reading part " + number + ": " + e.getMessage(), e);
          }
        }
        return TaskOutcome.succeeded(message(ofParts.finish(), "-" + parts, etag));
      }
    }
    try (ResponseInputStream<GetObjectResponse> in =
        s3.getObject(b -> b.bucket(row.bucket()).key(row.key()).versionId(row.versionId()))) {
      return TaskOutcome.succeeded(message(checksum(in), "", in.response().eTag()));
    } catch (IOException e) {
      throw SdkClientException.create("reading the object: " + e.getMessage(), e);
    }
  }

  private byte[] checksum(InputStream in) throws IOException {
    ObjectChecksum.Running running = algorithm.start();
    byte[] buffer = new byte[BUFFER];
    for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
      running.update(buffer, 0, n);
    }
    return running.finish();
  }

  /** The result message: a JSON object, as AWS's Compute checksum report rows carry. */
  private String message(byte[] checksum, String suffix, String etag) {
    ObjectNode node = JSON.createObjectNode();
    node.put("checksum_base64", Base64.getEncoder().encodeToString(checksum) + suffix);
    node.put("checksum_hex", HexFormat.of().formatHex(checksum) + suffix);
    node.put("checksumAlgorithm", algorithm.name());
    node.put("checksumType", checksumType.name());
    if (etag != null) {
      node.put("etag", etag.replace("\"", ""));
    }
    try {
      return JSON.writeValueAsString(node);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
