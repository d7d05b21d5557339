package dev.quarry.revert;

import static java.util.Objects.requireNonNull;

import dev.quarry.query.BoundQuery;
import dev.quarry.query.QueryEngine;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteMarkerEntry;
import software.amazon.awssdk.services.s3.model.ObjectVersion;

/**
 * Checks a revert: the bucket's current state, listed from the server (ListObjectVersions), against
 * the state at T from the metadata tables, key by key under the prefix. Content is compared by
 * ETag, which is the content's MD5 for single-part objects without SSE-KMS, DSSE-KMS or SSE-C, and
 * which a copy in place keeps for those. For the others (a multipart upload's ETag is an MD5 of its
 * parts' MD5s, an SSE-KMS object's is not an MD5 of its content) a copy back changes the ETag of
 * equal content: when their ETags differ, the two versions' full-object checksums are compared
 * (HeadObject; exact, and kept by a copy), else only their sizes, and the key is listed as compared
 * by size only.
 */
public final class RevertVerifier {
  private RevertVerifier() {}

  /**
   * A key's live version at T: its version id and ETag (without quotes), and, from the tables, its
   * size and encryption status (SSE-S3, SSE-KMS, DSSE-KMS, SSE-C) where known.
   */
  public record Expected(String versionId, String eTag, Long size, String encryption) {
    public Expected {
      requireNonNull(eTag, "eTag is null");
    }

    public Expected(String versionId, String eTag) {
      this(versionId, eTag, null, null);
    }
  }

  /**
   * What the server says of one version beyond its listing (HeadObject): its encryption (null when
   * unknown) and its full-object checksums by algorithm (a multipart upload's composite checksum is
   * left out: a copy does not keep it).
   */
  public record Attributes(String encryption, Map<String, String> checksums) {
    public Attributes {
      checksums = Map.copyOf(checksums);
    }

    static final Attributes UNKNOWN = new Attributes(null, Map.of());
  }

  /** How a key's version at T and its current one compare. */
  public enum Match {
    /** Equal content: equal ETags, or equal full-object checksums. */
    SAME,
    /** Other content: other content MD5s, checksums or sizes. */
    DIFFERENT,
    /** Equal sizes; nothing else comparable (ETags that are not content MD5s, no checksums). */
    SAME_SIZE
  }

  /**
   * Compares the version of T with the current one: by ETag when both are content MD5s, else by a
   * full-object checksum both have, else by size.
   *
   * @param attributes the server's attributes of a version id of the key, asked only when the ETags
   *     differ
   */
  public static Match compare(
      Expected atT,
      String nowVersionId,
      String nowETag,
      long nowSize,
      java.util.function.Function<String, Attributes> attributes) {
    if (atT.eTag().equals(nowETag)) {
      return Match.SAME;
    }
    Attributes now = attributes.apply(nowVersionId);
    if (isContentMd5(atT.eTag(), atT.encryption())
        && now.encryption() != null
        && isContentMd5(nowETag, now.encryption())) {
      return Match.DIFFERENT;
    }
    Attributes then =
        atT.versionId() == null ? Attributes.UNKNOWN : attributes.apply(atT.versionId());
    for (Map.Entry<String, String> checksum : then.checksums().entrySet()) {
      String other = now.checksums().get(checksum.getKey());
      if (other != null) {
        return other.equals(checksum.getValue()) ? Match.SAME : Match.DIFFERENT;
      }
    }
    return atT.size() != null && atT.size() == nowSize ? Match.SAME_SIZE : Match.DIFFERENT;
  }

  /**
   * Whether an ETag is the content's MD5: one part (no "-N"), and neither SSE-KMS, DSSE-KMS nor
   * SSE-C, whose ETags are not (a null encryption is SSE-S3 or none).
   */
  static boolean isContentMd5(String eTag, String encryption) {
    if (eTag == null
        || eTag.length() != 32
        || !eTag.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
      return false;
    }
    if (encryption == null) {
      return true;
    }
    String e = encryption.toUpperCase(java.util.Locale.ROOT);
    return !(e.contains("KMS") || e.equals("SSE-C"));
  }

  /** A version's encryption and full-object checksums, from HeadObject; unknown when refused. */
  static Attributes attributes(S3Client s3, String bucket, String key, String versionId) {
    software.amazon.awssdk.services.s3.model.HeadObjectResponse head;
    try {
      head =
          s3.headObject(
              b ->
                  b.bucket(bucket)
                      .key(key)
                      .versionId(versionId)
                      .checksumMode(software.amazon.awssdk.services.s3.model.ChecksumMode.ENABLED));
    } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
      // an SSE-C object answers 400 without its key: nothing but its listing is known
      return Attributes.UNKNOWN;
    }
    String encryption =
        head.sseCustomerAlgorithm() != null
            ? "SSE-C"
            : head.serverSideEncryption() == null
                ? "none"
                : switch (head.serverSideEncryptionAsString()) {
                  case "aws:kms" -> "SSE-KMS";
                  case "aws:kms:dsse" -> "DSSE-KMS";
                  default -> "SSE-S3";
                };
    Map<String, String> checksums = new TreeMap<>();
    boolean composite = "COMPOSITE".equals(head.checksumTypeAsString());
    putChecksum(checksums, "CRC64NVME", head.checksumCRC64NVME(), composite);
    putChecksum(checksums, "CRC32", head.checksumCRC32(), composite);
    putChecksum(checksums, "CRC32C", head.checksumCRC32C(), composite);
    putChecksum(checksums, "SHA1", head.checksumSHA1(), composite);
    putChecksum(checksums, "SHA256", head.checksumSHA256(), composite);
    return new Attributes(encryption, checksums);
  }

  private static void putChecksum(
      Map<String, String> checksums, String algorithm, String value, boolean composite) {
    // a composite checksum ends in -<parts>: a checksum of the parts' checksums, not of the content
    if (value != null && !composite && !value.contains("-")) {
      checksums.put(algorithm, value);
    }
  }

  /** The state at T from the tables: every key live at T under the prefix. */
  public static Map<String, Expected> stateAt(
      QueryEngine engine, String bucket, Instant t, Optional<String> prefix) {
    Map<String, Expected> state = new TreeMap<>();
    engine.rows(
        new BoundQuery(RevertSql.STATE_AT_T, RevertPlanner.parameters(bucket, t, prefix)),
        new QueryEngine.RowVisitor() {
          @Override
          public void columns(List<String> names) {}

          @Override
          public void row(List<Object> values) {
            state.put(
                (String) values.get(1),
                new Expected(
                    (String) values.get(2),
                    unquoted(String.valueOf(values.get(3))),
                    values.get(4) == null ? null : ((Number) values.get(4)).longValue(),
                    (String) values.get(6)));
          }
        });
    return state;
  }

  /** What differs between the server now and the state at T. */
  public static Verification verify(
      S3Client s3, String bucket, Optional<String> prefix, Map<String, Expected> atT) {
    requireNonNull(s3, "s3 is null");
    Map<String, ObjectVersion> live = new TreeMap<>();
    s3.listObjectVersionsPaginator(b -> b.bucket(bucket).prefix(prefix.orElse(null)))
        .forEach(
            page -> {
              for (ObjectVersion v : page.versions()) {
                if (Boolean.TRUE.equals(v.isLatest())) {
                  live.put(v.key(), v);
                }
              }
            });
    List<Difference> differences = new ArrayList<>();
    List<String> bySize = new ArrayList<>();
    TreeSet<String> keys = new TreeSet<>(atT.keySet());
    keys.addAll(live.keySet());
    for (String key : keys) {
      Expected expected = atT.get(key);
      ObjectVersion now = live.get(key);
      if (now == null) {
        differences.add(
            new Difference(
                key, Difference.Kind.MISSING, expected.versionId(), expected.eTag(), null, null));
      } else if (expected == null) {
        differences.add(
            new Difference(
                key, Difference.Kind.EXTRA, null, null, now.versionId(), unquoted(now.eTag())));
      } else {
        Match match =
            compare(
                expected,
                now.versionId(),
                unquoted(now.eTag()),
                now.size() == null ? -1 : now.size(),
                id -> attributes(s3, bucket, key, id));
        switch (match) {
          case SAME -> {}
          case SAME_SIZE -> bySize.add(key);
          case DIFFERENT ->
              differences.add(
                  new Difference(
                      key,
                      Difference.Kind.CONTENT,
                      expected.versionId(),
                      expected.eTag(),
                      now.versionId(),
                      unquoted(now.eTag())));
        }
      }
    }
    return new Verification(bucket, prefix, keys.size(), differences, bySize);
  }

  /**
   * The delete markers a {@link RevertSet#HIDE} step put on its keys, for its undo manifest: each
   * key's newest version, when it is a delete marker written at or after {@code runStarted}.
   *
   * @return key to the marker's version id
   */
  public static Map<String, String> newMarkers(
      S3Client s3, String bucket, Iterable<String> keys, Instant runStarted) {
    Map<String, String> markers = new TreeMap<>();
    for (String key : keys) {
      s3.listObjectVersionsPaginator(b -> b.bucket(bucket).prefix(key))
          .forEach(
              page -> {
                for (DeleteMarkerEntry m : page.deleteMarkers()) {
                  if (m.key().equals(key)
                      && Boolean.TRUE.equals(m.isLatest())
                      && !m.lastModified().isBefore(runStarted)) {
                    markers.put(key, m.versionId());
                  }
                }
              });
    }
    return markers;
  }

  static String unquoted(String eTag) {
    return eTag != null && eTag.length() >= 2 && eTag.startsWith("\"") && eTag.endsWith("\"")
        ? eTag.substring(1, eTag.length() - 1)
        : eTag;
  }

  /**
   * A verification's outcome, for the CLI to print as text or JSON.
   *
   * @param keysCompared keys live at T or now under the prefix
   * @param comparedBySizeOnly keys live at both whose content could be compared only by size (not
   *     counted as differences): ETags that are not content MD5s, and no full-object checksum on
   *     both versions
   */
  public record Verification(
      String bucket,
      Optional<String> prefix,
      long keysCompared,
      List<Difference> differences,
      List<String> comparedBySizeOnly) {
    public Verification {
      requireNonNull(bucket, "bucket is null");
      requireNonNull(prefix, "prefix is null");
      differences = List.copyOf(differences);
      comparedBySizeOnly = List.copyOf(comparedBySizeOnly);
    }

    public boolean matches() {
      return differences.isEmpty();
    }
  }

  /**
   * One key that is not as it was at T.
   *
   * @param expectedVersionId null unless the key was live at T
   * @param actualVersionId null unless the key is live now
   */
  public record Difference(
      String key,
      Kind kind,
      String expectedVersionId,
      String expectedETag,
      String actualVersionId,
      String actualETag) {
    public Difference {
      requireNonNull(key, "key is null");
      requireNonNull(kind, "kind is null");
    }

    /** How the key differs. */
    public enum Kind {
      /** Live at T, not live now (deleted, or hidden by a delete marker). */
      MISSING,
      /** Not live at T, live now. */
      EXTRA,
      /** Live at both, with other content. */
      CONTENT
    }
  }
}
