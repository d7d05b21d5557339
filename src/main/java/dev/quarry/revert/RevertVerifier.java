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
 * ETag, which a copy in place keeps for single-part objects without SSE-KMS (for SSE-KMS, DSSE-KMS
 * and SSE-C objects the ETag is not the content's MD5 and a copy changes it).
 */
public final class RevertVerifier {
  private RevertVerifier() {}

  /** A key's live version at T: its version id and content ETag (without quotes). */
  public record Expected(String versionId, String eTag) {
    public Expected {
      requireNonNull(eTag, "eTag is null");
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
                new Expected((String) values.get(2), unquoted(String.valueOf(values.get(3)))));
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
      } else if (!expected.eTag().equals(unquoted(now.eTag()))) {
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
    return new Verification(bucket, prefix, keys.size(), differences);
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
   */
  public record Verification(
      String bucket, Optional<String> prefix, long keysCompared, List<Difference> differences) {
    public Verification {
      requireNonNull(bucket, "bucket is null");
      requireNonNull(prefix, "prefix is null");
      differences = List.copyOf(differences);
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
