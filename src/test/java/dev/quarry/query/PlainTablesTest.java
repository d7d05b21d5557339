package dev.quarry.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PlainTablesTest {
  @Test
  void plainNamesAreFoundQualifiedOnesAreNot() {
    // given
    String sql =
        """
        SELECT i.key FROM inventory i
        JOIN "JOURNAL" j ON j.key = i.key
        WHERE inventory.size > 0 AND NOT EXISTS (SELECT 1 FROM "b_x"."journal")
        """;

    // when / then
    assertThat(PlainTables.referenced(sql))
        .containsExactlyInAnyOrder(MetadataTable.INVENTORY, MetadataTable.JOURNAL);
    assertThat(PlainTables.referenced("SELECT * FROM \"s3tablescatalog/aws-s3\".\"b_x\".inventory"))
        .isEmpty();
    assertThat(PlainTables.referenced("SELECT 'inventory' AS journal_name -- from journal"))
        .isEmpty();
  }

  @Test
  void renamingChangesOnlyPlainReferencesAndKeepsLines() {
    // given
    String sql = "SELECT key\nFROM journal\nWHERE key IN (SELECT key FROM b_x.journal)";

    // when
    String renamed = PlainTables.rename(sql, Map.of(MetadataTable.JOURNAL, "starwatcher_journal"));

    // then
    assertThat(renamed)
        .isEqualTo(
            "SELECT key\nFROM \"starwatcher_journal\"\nWHERE key IN (SELECT key FROM b_x.journal)");
  }

  @Test
  void aNameEqualToThePlainOneChangesNothing() {
    // given
    String sql = "SELECT key FROM Inventory";

    // when / then
    assertThat(PlainTables.rename(sql, Map.of(MetadataTable.INVENTORY, "inventory")))
        .isEqualTo(sql);
  }
}
