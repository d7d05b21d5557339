package dev.quarry.query;

import dev.quarry.query.SqlToken.Kind;
import java.util.List;
import java.util.Locale;

/**
 * The plain name {@code current_state}: every object version's state as fresh as the journal, for
 * playbooks on both engines. It is the inventory merged with the journal rows newer than the
 * inventory's snapshot, one row per bucket, key and version (the highest sequence number wins),
 * permanently deleted versions left out; delete markers stay, with {@code is_delete_marker}.
 *
 * <p>The snapshot's time is the journal's Iceberg property {@code
 * aws.s3metadata.oldest-uncoalesced-record-timestamp} (epoch milliseconds, as AWS's own
 * reconciliation query reads it from {@code "journal$properties"}); the embedded engine gives its
 * properties table the warehouse's refresh time. One hour is taken off, as AWS's tools do, because
 * the journal is eventually consistent; rows already in the inventory are de-duplicated by sequence
 * number. Without the property the whole journal is merged, which is slower but never wrong.
 *
 * <p>Neither engine has such a table: both expand the name into a common table expression of plain
 * Trino SQL over {@code journal} and {@code inventory} ({@link #expand}), so Athena gets exactly
 * the SQL the embedded engine runs through its Trino compatibility layer. Only the plain name is
 * expanded; {@code "b_photos"."current_state"} names nothing on either engine.
 */
public final class CurrentState {
  /** The name playbooks query. */
  public static final String NAME = "current_state";

  /** The journal's table property holding the inventory snapshot's time. */
  public static final String SNAPSHOT_PROPERTY =
      "aws.s3metadata.oldest-uncoalesced-record-timestamp";

  /** The columns of {@code current_state}: the inventory's, in the inventory's order. */
  public static final List<String> COLUMNS =
      List.of(
          "bucket",
          "key",
          "sequence_number",
          "version_id",
          "is_delete_marker",
          "size",
          "last_modified_date",
          "e_tag",
          "storage_class",
          "is_multipart",
          "encryption_status",
          "is_bucket_key_enabled",
          "kms_key_arn",
          "checksum_algorithm",
          "object_tags",
          "user_metadata");

  private CurrentState() {}

  /**
   * The view's SELECT over plain {@code journal} and {@code inventory}, on one line so that the
   * query it is put in front of keeps its line numbers.
   *
   * @param journalTable the journal's table name (its properties table is {@code
   *     "<name>$properties"}, as Iceberg names metadata tables)
   */
  public static String select(String journalTable) {
    String columns = String.join(", ", COLUMNS);
    String journalColumns =
        String.join(", ", COLUMNS)
            .replace(
                "last_modified_date",
                "COALESCE(last_modified_date," + " record_timestamp) AS last_modified_date");
    String properties = '"' + (journalTable + "$properties").replace("\"", "\"\"") + '"';
    String snapshot =
        "(SELECT COALESCE(max(from_unixtime(CAST(value AS BIGINT) / 1000.0)), TIMESTAMP"
            + " '1970-01-01 00:00:00') FROM "
            + properties
            + " WHERE key = '"
            + SNAPSHOT_PROPERTY
            + "')";
    return "SELECT "
        + columns
        + " FROM (SELECT quarry_w.*, row_number() OVER (PARTITION BY bucket, key, version_id"
        + " ORDER BY sequence_number DESC, quarry_source ASC) AS quarry_rank FROM (SELECT "
        + journalColumns
        + ", (record_type = 'DELETE' AND NOT COALESCE(is_delete_marker, FALSE)) AS quarry_gone,"
        + " 0 AS quarry_source FROM journal WHERE record_timestamp > "
        + snapshot
        + " - INTERVAL '1' HOUR UNION ALL SELECT "
        + columns
        + ", FALSE AS quarry_gone, 1 AS quarry_source FROM inventory) quarry_w) quarry_r"
        + " WHERE quarry_rank = 1 AND NOT quarry_gone";
  }

  /**
   * Whether the query names {@code current_state} plainly (not qualified) and does not define it
   * itself as a common table expression.
   */
  public static boolean referenced(String sql) {
    List<SqlToken> tokens = SqlTokenizer.tokenize(sql);
    boolean named = false;
    for (int i = 0; i < tokens.size(); i++) {
      if (isPlainName(tokens, i)) {
        if (definesTable(tokens, i)) {
          // the query's own current_state (or one already expanded) wins
          return false;
        }
        named = true;
      }
    }
    return named;
  }

  /** Whether the name at {@code i} starts a common table expression: {@code name AS (}. */
  private static boolean definesTable(List<SqlToken> tokens, int i) {
    int as = nextWord(tokens, i + 1);
    if (as < 0 || !word(tokens.get(as)).equals("as")) {
      return false;
    }
    int open = nextWord(tokens, as + 1);
    return open >= 0 && tokens.get(open).isSymbol("(");
  }

  /**
   * The query with {@code current_state} defined in front of it as a common table expression, or
   * the query unchanged when it does not name it. The definition goes on the query's first line,
   * after its own {@code WITH} if it has one.
   */
  public static String expand(String sql, String journalTable) {
    if (!referenced(sql)) {
      return sql;
    }
    String definition = NAME + " AS (" + select(journalTable) + ")";
    List<SqlToken> tokens = SqlTokenizer.tokenize(sql);
    int first = nextWord(tokens, 0);
    if (first >= 0 && word(tokens.get(first)).equals("with")) {
      int insertAfter = first;
      int next = nextWord(tokens, first + 1);
      if (next >= 0 && word(tokens.get(next)).equals("recursive")) {
        insertAfter = next;
      }
      SqlToken at = tokens.get(insertAfter);
      int offset = at.offset() + at.text().length();
      return sql.substring(0, offset) + " " + definition + "," + sql.substring(offset);
    }
    return "WITH " + definition + " " + sql;
  }

  private static int nextWord(List<SqlToken> tokens, int from) {
    for (int i = from; i < tokens.size(); i++) {
      if (!tokens.get(i).isTrivia()) {
        return i;
      }
    }
    return -1;
  }

  private static String word(SqlToken token) {
    return token.is(Kind.WORD) ? token.text().toLowerCase(Locale.ROOT) : "";
  }

  private static boolean isPlainName(List<SqlToken> tokens, int i) {
    SqlToken token = tokens.get(i);
    String name;
    if (token.is(Kind.WORD)) {
      name = token.text().toLowerCase(Locale.ROOT);
    } else if (token.is(Kind.QUOTED_IDENTIFIER) && token.text().length() >= 2) {
      name = token.text().substring(1, token.text().length() - 1);
    } else {
      return false;
    }
    return name.equals(NAME) && !neighbourIsDot(tokens, i, -1) && !neighbourIsDot(tokens, i, 1);
  }

  private static boolean neighbourIsDot(List<SqlToken> tokens, int i, int step) {
    for (int j = i + step; j >= 0 && j < tokens.size(); j += step) {
      SqlToken t = tokens.get(j);
      if (!t.isTrivia()) {
        return t.isSymbol(".");
      }
    }
    return false;
  }
}
