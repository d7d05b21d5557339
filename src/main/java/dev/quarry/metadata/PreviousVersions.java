package dev.quarry.metadata;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import software.amazon.awssdk.services.s3.model.ObjectVersion;

/**
 * The previous inventory's versions, streamed in key order beside the listing, so that a refresh
 * can tell which listed versions it already knows without holding the inventory in memory: one
 * key's versions at a time cross into the JVM, and only the columns that prove a version unchanged.
 *
 * <p>Asked in listing order (keys in UTF-8 byte order, as S3 lists and as every inventory file is
 * written). It never rewinds: a key asked for out of order, or a file found not to be in that
 * order, only makes versions unknown, so they are read in full. Every answer is an equality on
 * (key, version id), never a guess.
 */
final class PreviousVersions implements AutoCloseable {
  /** A key with more versions than this has the rest of them read in full. */
  private static final int MAX_VERSIONS_OF_A_KEY = 100_000;

  /** What the previous inventory recorded of one version (not a delete marker). */
  record Known(Long size, long lastModifiedMicros, String eTag, String storageClass) {
    /**
     * Whether the listed version shows what was recorded: then, a version id naming immutable
     * content, HeadObject would answer what it answered then. The storage class is compared too (a
     * lifecycle transition changes it in place): a changed class is read in full.
     */
    boolean matches(ObjectVersion listed) {
      return Objects.equals(size, listed.size())
          && lastModifiedMicros == micros(listed.lastModified())
          && eTag != null
          && eTag.equals(VersionReader.unquote(listed.eTag()))
          && storageClass != null
          && storageClass.equals(listed.storageClassAsString());
    }
  }

  private static final Known AMBIGUOUS = new Known(null, Long.MIN_VALUE, null, null);

  private final Connection connection;
  private final Statement statement;
  private final ResultSet rows;
  private boolean exhausted;
  private boolean outOfOrder;
  private String pendingKey;
  private String groupKey;
  private final Map<String, Known> group = new HashMap<>();

  private PreviousVersions(Connection connection, Statement statement, ResultSet rows)
      throws SQLException {
    this.connection = connection;
    this.statement = statement;
    this.rows = rows;
    advance();
  }

  /** Nothing known: every version is read in full. */
  static PreviousVersions none() {
    return new PreviousVersions();
  }

  private PreviousVersions() {
    this.connection = null;
    this.statement = null;
    this.rows = null;
    this.exhausted = true;
  }

  /**
   * @param files the state's committed inventory files, in their order
   */
  static PreviousVersions open(List<Path> files) throws SQLException {
    requireNonNull(files, "files is null");
    if (files.isEmpty()) {
      return none();
    }
    Properties properties = new Properties();
    properties.setProperty("autoinstall_known_extensions", "false");
    properties.setProperty("autoload_known_extensions", "false");
    // rows are fetched as they are read, never the whole result at once
    properties.setProperty("jdbc_stream_results", "true");
    Connection connection = dev.quarry.io.DuckDbDriver.connect("jdbc:duckdb:", properties);
    try {
      Statement statement = connection.createStatement();
      statement.execute("SET memory_limit = '256MB'");
      statement.execute("SET threads = 1");
      // the files' own order: a filter keeps it, no sort is needed (or paid for)
      ResultSet rows =
          statement.executeQuery(
              "SELECT key, version_id, size, epoch_us(last_modified_date), e_tag, storage_class"
                  + versionsOf(files));
      return new PreviousVersions(connection, statement, rows);
    } catch (SQLException | RuntimeException e) {
      connection.close();
      throw e;
    }
  }

  /**
   * {@code FROM ... WHERE ...} over the versions this reader knows: the files' rows that are not
   * delete markers and have a version id, in the files' order. The refresh fills the reused rows
   * from the same rows, so that what proved a version unchanged is what its fields come from.
   */
  static String versionsOf(List<Path> files) {
    return " FROM read_parquet(["
        + String.join(", ", files.stream().map(DuckDb::literal).toList())
        + "]) WHERE is_delete_marker IS NOT DISTINCT FROM FALSE AND version_id IS NOT NULL";
  }

  /**
   * What the previous inventory holds for this exact version, or null when it holds nothing (or
   * more than one row) for it, or cannot tell.
   *
   * @param versionId as listed; the null version is never known (an overwrite in an unversioned
   *     bucket keeps its id and may keep its ETag and size)
   */
  Known find(String key, String versionId) throws SQLException {
    requireNonNull(key, "key is null");
    if (versionId == null || versionId.equals("null") || outOfOrder) {
      return null;
    }
    while (true) {
      if (groupKey != null) {
        int c = MetadataRefresher.compareUtf8(groupKey, key);
        if (c == 0) {
          Known known = group.get(versionId);
          return known == AMBIGUOUS ? null : known;
        }
        if (c > 0) {
          // the listing has not reached the held key (or went back): not in the previous inventory
          return null;
        }
      }
      if (!nextGroup()) {
        return null;
      }
    }
  }

  /** Reads the next key's rows into {@link #group}; false at the end. */
  private boolean nextGroup() throws SQLException {
    group.clear();
    groupKey = null;
    if (exhausted || outOfOrder) {
      return false;
    }
    String key = pendingKey;
    groupKey = key;
    while (!exhausted && pendingKey.equals(key)) {
      String versionId = rows.getString(2);
      if (group.size() < MAX_VERSIONS_OF_A_KEY || group.containsKey(versionId)) {
        long size = rows.getLong(3);
        Long boxedSize = rows.wasNull() ? null : size;
        long micros = rows.getLong(4);
        boolean noTime = rows.wasNull();
        Known known =
            noTime ? AMBIGUOUS : new Known(boxedSize, micros, rows.getString(5), rows.getString(6));
        group.merge(versionId, known, (a, b) -> AMBIGUOUS);
      }
      advance();
    }
    if (!exhausted && MetadataRefresher.compareUtf8(pendingKey, key) < 0) {
      // not the order this reader relies on: what it holds may be part of a key's rows only
      outOfOrder = true;
      group.clear();
      groupKey = null;
      return false;
    }
    return true;
  }

  private void advance() throws SQLException {
    if (rows.next()) {
      pendingKey = rows.getString(1);
    } else {
      exhausted = true;
      pendingKey = null;
    }
  }

  static long micros(Instant instant) {
    return Math.addExact(
        Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
  }

  @Override
  public void close() throws SQLException {
    if (connection != null) {
      try {
        rows.close();
        statement.close();
      } finally {
        connection.close();
      }
    }
  }
}
