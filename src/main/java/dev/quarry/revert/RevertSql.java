package dev.quarry.revert;

/**
 * The revert's queries, in Trino SQL over plain {@code journal} and {@code inventory}, so that
 * Athena runs them as written and the embedded engine through its Trino compatibility layer.
 * Parameters: {@code :bucket}, {@code :prefix} ('' for the whole bucket) and {@code :t} (a UTC
 * timestamp), each only in WHERE clauses, where Athena accepts execution parameters.
 *
 * <p>The history of every version is the whole journal and the inventory: per version, its newest
 * row that is not a permanent delete gives its attributes, its oldest its creation, and a permanent
 * delete row its end. Versions are ordered by creation time, then by their first sequence number.
 * The version current at T is the newest one created by T and not permanently deleted by T; the
 * version current now is the newest not permanently deleted. Journal records can arrive up to about
 * 15 minutes late, so a plan made right after a change may not see it yet.
 */
final class RevertSql {
  private RevertSql() {}

  private static final String SCOPE = "bucket = :bucket AND starts_with(key, :prefix)";

  private static final String HISTORY =
      "quarry_h AS (SELECT bucket, key, version_id, sequence_number, is_delete_marker,"
          + " COALESCE(last_modified_date, record_timestamp) AS created, e_tag, size,"
          + " storage_class, encryption_status, kms_key_arn, record_timestamp AS ended_at, (record_type"
          + " = 'DELETE' AND NOT COALESCE(is_delete_marker, FALSE)) AS gone FROM journal WHERE "
          + SCOPE
          + " UNION ALL SELECT bucket, key, version_id, sequence_number, is_delete_marker,"
          + " last_modified_date, e_tag, size, storage_class, encryption_status, kms_key_arn,"
          + " CAST(NULL AS TIMESTAMP), FALSE FROM inventory WHERE "
          + SCOPE
          + "),\n"
          + "quarry_v AS (SELECT l.bucket, l.key, l.version_id, l.is_delete_marker, l.first_created"
          + " AS created, l.first_seq, l.e_tag, l.size, l.storage_class, l.encryption_status,"
          + " l.kms_key_arn, g.gone_at FROM (SELECT quarry_h.*, row_number() OVER (PARTITION BY"
          + " bucket, key, version_id ORDER BY sequence_number DESC) AS rn, min(created) OVER"
          + " (PARTITION BY bucket, key, version_id) AS first_created, min(sequence_number) OVER"
          + " (PARTITION BY bucket, key, version_id) AS first_seq FROM quarry_h WHERE NOT gone) l"
          + " LEFT JOIN (SELECT bucket, key, version_id, min(ended_at) AS gone_at FROM quarry_h WHERE"
          + " gone GROUP BY bucket, key, version_id) g ON g.bucket = l.bucket AND g.key = l.key"
          + " AND (g.version_id = l.version_id OR (g.version_id IS NULL AND l.version_id IS"
          + " NULL)) WHERE l.rn = 1),\n"
          + "quarry_t AS (SELECT * FROM (SELECT quarry_v.*, row_number() OVER (PARTITION BY"
          + " bucket, key ORDER BY created DESC, first_seq DESC) AS pos FROM quarry_v WHERE"
          + " created <= :t AND (gone_at IS NULL OR gone_at > :t)) quarry_t1 WHERE pos = 1),\n"
          + "quarry_n AS (SELECT * FROM (SELECT quarry_v.*, row_number() OVER (PARTITION BY"
          + " bucket, key ORDER BY created DESC, first_seq DESC) AS pos FROM quarry_v WHERE"
          + " gone_at IS NULL) quarry_n1 WHERE pos = 1)";

  /**
   * One row per task of every set: {@code revert_set}, {@code bucket}, {@code key}, {@code
   * version_id} (the version the set acts on; for {@link RevertSet#HIDE} the current one, which
   * hide-keys checks is still current before it adds a marker), its {@code size}, {@code
   * storage_class}, {@code encryption_status}, {@code kms_key_arn}, and the key's current version
   * now ({@code now_version_id}, {@code now_is_delete_marker}, {@code now_size}, {@code
   * now_storage_class}) for the undo manifests.
   */
  static final String CLASSIFIED =
      "WITH "
          + HISTORY
          + ",\n"
          + "quarry_k AS (SELECT bucket, key, sum(CASE WHEN is_delete_marker THEN 0 ELSE 1 END) AS"
          + " objects_after, sum(CASE WHEN is_delete_marker THEN 1 ELSE 0 END) AS markers_after"
          + " FROM quarry_v WHERE gone_at IS NULL AND created > :t GROUP BY bucket, key),\n"
          + "quarry_tags AS (SELECT DISTINCT bucket, key, version_id FROM journal WHERE"
          + " record_type = 'UPDATE_METADATA' AND record_timestamp > :t AND "
          + SCOPE
          + "),\n"
          + "quarry_c AS (\n"
          // (a) nothing live at T, live now
          + "SELECT 'HIDE' AS revert_set, n.bucket, n.key, n.version_id AS version_id,"
          + " n.size, n.storage_class, n.encryption_status, n.kms_key_arn, n.version_id AS"
          + " now_version_id, n.is_delete_marker AS now_is_delete_marker, n.size AS now_size,"
          + " n.storage_class AS now_storage_class FROM quarry_n n LEFT JOIN quarry_t t ON"
          + " t.bucket = n.bucket AND t.key = n.key WHERE NOT n.is_delete_marker AND (t.key IS"
          + " NULL OR t.is_delete_marker)\n"
          // (b) live at T, only delete markers since: those markers
          + "UNION ALL SELECT 'REMOVE_MARKERS', a.bucket, a.key, a.version_id, a.size,"
          + " a.storage_class, a.encryption_status, a.kms_key_arn, n.version_id,"
          + " n.is_delete_marker, n.size, n.storage_class FROM quarry_v a JOIN quarry_t t ON"
          + " t.bucket = a.bucket AND t.key = a.key JOIN quarry_k k ON k.bucket = a.bucket AND"
          + " k.key = a.key JOIN quarry_n n ON n.bucket = a.bucket AND n.key = a.key WHERE"
          + " a.is_delete_marker AND a.gone_at IS NULL AND a.created > :t AND NOT"
          + " t.is_delete_marker AND t.gone_at IS NULL AND k.objects_after = 0\n"
          // (c) live at T, overwritten since: the version of T back in place
          + "UNION ALL SELECT CASE WHEN t.storage_class IN ('GLACIER', 'DEEP_ARCHIVE') THEN"
          + " 'RESTORE_FIRST' ELSE 'COPY_BACK' END, t.bucket, t.key, t.version_id, t.size,"
          + " t.storage_class, t.encryption_status, t.kms_key_arn, n.version_id,"
          + " n.is_delete_marker, n.size, n.storage_class FROM quarry_t t JOIN quarry_k k ON"
          + " k.bucket = t.bucket AND k.key = t.key JOIN quarry_n n ON n.bucket = t.bucket AND"
          + " n.key = t.key WHERE NOT t.is_delete_marker AND t.gone_at IS NULL AND"
          + " k.objects_after > 0\n"
          // (d) not touched
          + "UNION ALL SELECT 'PERMANENTLY_DELETED', t.bucket, t.key, t.version_id, t.size,"
          + " t.storage_class, t.encryption_status, t.kms_key_arn, n.version_id,"
          + " n.is_delete_marker, n.size, n.storage_class FROM quarry_t t LEFT JOIN quarry_n n ON"
          + " n.bucket = t.bucket AND n.key = t.key WHERE NOT t.is_delete_marker AND t.gone_at IS"
          + " NOT NULL\n"
          + "UNION ALL SELECT 'TAGS_CHANGED', t.bucket, t.key, t.version_id, t.size,"
          + " t.storage_class, t.encryption_status, t.kms_key_arn, t.version_id, FALSE, t.size,"
          + " t.storage_class FROM quarry_t t JOIN quarry_tags g ON g.bucket = t.bucket AND g.key"
          + " = t.key AND g.version_id = t.version_id LEFT JOIN quarry_k k ON k.bucket = t.bucket"
          + " AND k.key = t.key WHERE NOT t.is_delete_marker AND t.gone_at IS NULL AND k.key IS"
          + " NULL)\n";

  /** The rows of one set, as a manifest query (bucket, key, version_id, size, storage_class). */
  static String set(RevertSet set, boolean byGroup) {
    return CLASSIFIED
        + "SELECT bucket, key, version_id, size, storage_class FROM quarry_c WHERE revert_set = '"
        + set.name()
        + "'"
        + (byGroup ? GROUP_FILTER : "")
        + " ORDER BY key, version_id";
  }

  private static final String GROUP_FILTER =
      " AND COALESCE(storage_class, '') = :storage_class AND COALESCE(encryption_status, '') ="
          + " :encryption AND COALESCE(kms_key_arn, '') = :kms_key";

  /** The storage class and encryption groups of a copy set: one job each keeps them. */
  static String groups(RevertSet set) {
    return CLASSIFIED
        + "SELECT COALESCE(storage_class, '') AS storage_class, COALESCE(encryption_status, '')"
        + " AS encryption, COALESCE(kms_key_arn, '') AS kms_key, count(*) AS objects FROM"
        + " quarry_c WHERE revert_set = '"
        + set.name()
        + "' GROUP BY 1, 2, 3 ORDER BY 1, 2, 3";
  }

  /** The keys of a set (bucket, key), for undo manifests that add a delete marker again. */
  static String keys(RevertSet set, boolean onlyWhereNowIsAMarker) {
    return CLASSIFIED
        + "SELECT DISTINCT bucket, key, now_size AS size, now_storage_class AS storage_class FROM"
        + " quarry_c WHERE revert_set = '"
        + set.name()
        + "'"
        + (onlyWhereNowIsAMarker ? " AND now_is_delete_marker" : "")
        + " ORDER BY key";
  }

  /** The versions current before the revert of a copy set's keys, to copy back for an undo. */
  static String currentBefore(RevertSet set) {
    return CLASSIFIED
        + "SELECT bucket, key, now_version_id AS version_id, now_size AS size, now_storage_class AS"
        + " storage_class FROM quarry_c WHERE revert_set = '"
        + set.name()
        + "' AND NOT now_is_delete_marker ORDER BY key";
  }

  /** Versions under the prefix the tables know without a version id (an unversioned past). */
  static final String NULL_VERSIONS =
      "SELECT count(*) AS n FROM (SELECT key FROM inventory WHERE version_id IS NULL AND "
          + SCOPE
          + " UNION ALL SELECT key FROM journal WHERE version_id IS NULL AND "
          + SCOPE
          + ") quarry_nv";

  /**
   * Every key live at T: bucket, key, version_id, e_tag, size, storage_class, encryption_status.
   */
  static final String STATE_AT_T =
      "WITH "
          + HISTORY
          + "\nSELECT bucket, key, version_id, e_tag, size, storage_class, encryption_status FROM"
          + " quarry_t WHERE NOT is_delete_marker ORDER BY key";
}
