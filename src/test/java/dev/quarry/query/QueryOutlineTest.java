package dev.quarry.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.query.QueryOutline.TableRef;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class QueryOutlineTest {
  private static final String CATALOG = "s3tablescatalog/aws-s3";

  @Test
  void findsThreePartAndTwoPartMetadataTableNames() {
    // given
    String sql =
        """
        SELECT j.bucket, j.key FROM "s3tablescatalog/aws-s3"."b_photos"."journal" AS j
        JOIN b_logs.inventory i ON i.key = j.key
        JOIN "b_photos"."journal" again ON true
        """;

    // when
    List<TableRef> tables = QueryOutline.metadataTables(sql, CATALOG, Optional.empty());

    // then
    assertThat(tables)
        .containsExactly(new TableRef("b_photos", "journal"), new TableRef("b_logs", "inventory"));
  }

  @Test
  void ignoresNamesInStringsCommentsAndOtherCatalogs() {
    // given
    String sql =
        """
        -- FROM "s3tablescatalog/aws-s3"."b_secret"."inventory"
        SELECT bucket, key FROM other_catalog.b_x.inventory
        WHERE key <> 'b_quoted.inventory' /* b_block.journal */
        """;

    // when
    List<TableRef> tables = QueryOutline.metadataTables(sql, CATALOG, Optional.empty());

    // then
    assertThat(tables).isEmpty();
  }

  @Test
  void plainTableNamesResolveInTheDefaultNamespaceOnlyAfterFromOrJoin() {
    // given a column named journal, which is not a table
    String sql = "SELECT bucket, key, journal FROM inventory";

    // when
    List<TableRef> withDatabase =
        QueryOutline.metadataTables(sql, CATALOG, Optional.of("b_starwatcher"));
    List<TableRef> without = QueryOutline.metadataTables(sql, CATALOG, Optional.empty());

    // then
    assertThat(withDatabase).containsExactly(new TableRef("b_starwatcher", "inventory"));
    assertThat(without).isEmpty();
  }

  @Test
  void everyTableOfAFromListIsRead() {
    // given a comma join, the old spelling of a cross join
    String sql = "SELECT j.bucket, j.key FROM journal j, inventory i WHERE i.key = j.key";

    // when
    List<TableRef> tables = QueryOutline.metadataTables(sql, CATALOG, Optional.of("b_photos"));

    // then iam-policy grants both tables' reads
    assertThat(tables)
        .containsExactly(
            new TableRef("b_photos", "journal"), new TableRef("b_photos", "inventory"));
  }

  @Test
  void aWithQueryNamedLikeATableIsNotTheTable() {
    // given a CTE called inventory that reads the journal
    String sql =
        """
        WITH inventory AS (SELECT bucket, key FROM "b_photos"."journal")
        SELECT bucket, key FROM inventory
        """;

    // when
    List<TableRef> tables = QueryOutline.metadataTables(sql, CATALOG, Optional.of("b_photos"));

    // then
    assertThat(tables).containsExactly(new TableRef("b_photos", "journal"));
  }

  @Test
  void seesTheOutermostSelectListOnly() {
    // given a CTE selecting everything, and an outer list without version_id
    String sql =
        """
        WITH c AS (SELECT *, version_id AS v FROM inventory)
        SELECT bucket, key, cast(version_id AS varchar) AS vid FROM c
        """;

    // when / then
    assertThat(QueryOutline.returnsColumn(sql, "version_id")).contains(false);
    assertThat(QueryOutline.returnsColumn(sql, "vid")).contains(true);
  }

  @Test
  void namesAColumnByItsQualifiedNameOrAlias() {
    assertThat(
            QueryOutline.returnsColumn(
                "SELECT DISTINCT j.bucket, j.key, j.VERSION_ID", "version_id"))
        .contains(true);
    assertThat(
            QueryOutline.returnsColumn("SELECT bucket, key, vid AS \"version_id\"", "version_id"))
        .contains(true);
    assertThat(
            QueryOutline.returnsColumn(
                "SELECT bucket, key FROM t UNION SELECT a, b, version_id FROM u", "version_id"))
        .contains(false);
  }

  @Test
  void cannotTellThroughAStar() {
    assertThat(QueryOutline.returnsColumn("SELECT * FROM inventory", "version_id")).isEmpty();
    assertThat(QueryOutline.returnsColumn("SELECT i.* FROM inventory i", "version_id")).isEmpty();
    assertThat(QueryOutline.returnsColumn("SELECT *, version_id FROM inventory", "version_id"))
        .contains(true);
  }
}
