package dev.quarry.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.ObjectVersion;

/** {@link PreviousVersions} over real Parquet files written by DuckDB. */
class PreviousVersionsTest {
  private static final Instant TIME = Instant.parse("2026-11-30T10:15:30.123Z");

  @TempDir Path dir;

  @Test
  void aVersionRecordedOnceIsKnownAndMatchesOnlyTheSameListing() throws Exception {
    // given
    Path file = inventory("a.parquet", "('a', 'v1', 1, false)", "('b', 'v1', 2, false)");

    // when
    try (PreviousVersions previous = PreviousVersions.open(List.of(file))) {
      PreviousVersions.Known a = previous.find("a", "v1");
      PreviousVersions.Known unknownVersion = previous.find("b", "v9");

      // then
      assertThat(a).isNotNull();
      assertThat(a.matches(listed("a", "v1", 1, "STANDARD"))).isTrue();
      assertThat(a.matches(listed("a", "v1", 1, "GLACIER"))).isFalse();
      assertThat(a.matches(listed("a", "v1", 7, "STANDARD"))).isFalse();
      assertThat(unknownVersion).isNull();
    }
  }

  @Test
  void theNullVersionADuplicateAndADeleteMarkerAreNeverKnown() throws Exception {
    // given: a key recorded twice for one version, a marker, and a null version
    Path file =
        inventory(
            "b.parquet",
            "('a', 'v1', 1, false)",
            "('a', 'v1', 1, false)",
            "('b', 'm1', 0, true)",
            "('c', NULL, 3, false)");

    // when / then
    try (PreviousVersions previous = PreviousVersions.open(List.of(file))) {
      assertThat(previous.find("a", "v1")).isNull();
      assertThat(previous.find("b", "m1")).isNull();
      assertThat(previous.find("c", "null")).isNull();
    }
  }

  @Test
  void aFileOutOfKeyOrderMakesTheRestUnknown() throws Exception {
    // given: keys not in UTF-8 byte order after 'a'
    Path file =
        inventory(
            "c.parquet", "('a', 'v1', 1, false)", "('c', 'v1', 1, false)", "('b', 'v1', 1, false)");

    // when / then: 'a' was read before the disorder; 'b' and 'c' are read in full
    try (PreviousVersions previous = PreviousVersions.open(List.of(file))) {
      assertThat(previous.find("a", "v1")).isNotNull();
      assertThat(previous.find("b", "v1")).isNull();
      assertThat(previous.find("c", "v1")).isNull();
    }
  }

  @Test
  void aKeyAskedForOutOfOrderIsUnknownAndTheReaderGoesOn() throws Exception {
    // given
    Path file =
        inventory(
            "d.parquet", "('a', 'v1', 1, false)", "('b', 'v1', 1, false)", "('c', 'v1', 1, false)");

    // when / then: the reader never rewinds
    try (PreviousVersions previous = PreviousVersions.open(List.of(file))) {
      assertThat(previous.find("b", "v1")).isNotNull();
      assertThat(previous.find("a", "v1")).isNull();
      assertThat(previous.find("c", "v1")).isNotNull();
    }
  }

  @Test
  void everyVersionOfTwoFilesOfManyVectorsIsKnownInOrder() throws Exception {
    // given: 30,000 versions (DuckDB hands rows over in vectors of 2,048), in two files, the last
    // key of the first file also the first key of the second (its two versions split by the files)
    int keys = 15_000;
    Path first =
        generated(
            "e.parquet",
            "SELECT printf('k%06d', i), 'v' || j, 1, false FROM range(0, 7500) r(i),"
                + " range(2) s(j) UNION ALL SELECT 'k007500', 'v0', 1, false ORDER BY 1, 2");
    Path second =
        generated(
            "f.parquet",
            "SELECT printf('k%06d', i), 'v' || j, 1, false FROM range(7500, "
                + keys
                + ") r(i), range(2) s(j) WHERE NOT (i = 7500 AND j = 0) ORDER BY 1, 2");

    // when / then: every version, asked in the listing's order, is known; one not recorded is not
    try (PreviousVersions previous = PreviousVersions.open(List.of(first, second))) {
      int known = 0;
      for (int i = 0; i < keys; i++) {
        String key = String.format(java.util.Locale.ROOT, "k%06d", i);
        for (String version : List.of("v0", "v1")) {
          if (previous.find(key, version) != null) {
            known++;
          }
        }
        if (i == 9_999) {
          assertThat(previous.find(key, "v2")).isNull();
        }
      }
      assertThat(known).isEqualTo(2 * keys);
    }
  }

  @Test
  void noFilesKnowNothing() throws Exception {
    try (PreviousVersions previous = PreviousVersions.open(List.of())) {
      assertThat(previous.find("a", "v1")).isNull();
    }
  }

  /** Rows of (key, version_id, size, is_delete_marker), the rest fixed, in the order given. */
  private Path inventory(String name, String... rows) throws Exception {
    return generated(name, "VALUES " + String.join(", ", rows));
  }

  /**
   * Rows of (key, version_id, size, is_delete_marker) from {@code select}, the rest fixed, in the
   * order it gives.
   */
  private Path generated(String name, String select) throws Exception {
    Path file = dir.resolve(name);
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = connection.createStatement()) {
      statement.execute(
          "COPY (SELECT key, version_id, size, TIMESTAMP '2026-11-30 10:15:30.123' AS"
              + " last_modified_date, 'etag1' AS e_tag, 'STANDARD' AS storage_class,"
              + " is_delete_marker FROM ("
              + select
              + ") t(key, version_id, size, is_delete_marker)) TO '"
              + file
              + "' (FORMAT parquet)");
    }
    return file;
  }

  private static ObjectVersion listed(
      String key, String versionId, long size, String storageClass) {
    return ObjectVersion.builder()
        .key(key)
        .versionId(versionId)
        .size(size)
        .lastModified(TIME)
        .eTag("\"etag1\"")
        .storageClass(storageClass)
        .build();
  }
}
