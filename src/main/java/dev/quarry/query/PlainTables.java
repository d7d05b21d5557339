package dev.quarry.query;

import dev.quarry.query.SqlToken.Kind;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The plain (unqualified) references to {@code journal} and {@code inventory} in a query: the names
 * that resolve in the engine's default namespace rather than naming one themselves, as in {@code
 * FROM inventory} but not {@code FROM "b_photos"."inventory"}.
 *
 * <p>A name counts as plain when it is neither preceded nor followed by a dot: qualified table
 * names and qualified column references ({@code inventory.key}) are left alone. No column of the
 * metadata tables is called journal or inventory, so a bare word with that name is a table.
 */
public final class PlainTables {
  private PlainTables() {}

  /** Which metadata tables the query names plainly, {@link CurrentState#NAME} counting as both. */
  public static Set<MetadataTable> referenced(String sql) {
    Set<MetadataTable> tables = EnumSet.noneOf(MetadataTable.class);
    List<SqlToken> tokens = SqlTokenizer.tokenize(sql);
    for (int i = 0; i < tokens.size(); i++) {
      plain(tokens, i).ifPresent(tables::add);
    }
    if (CurrentState.referenced(sql)) {
      // current_state is expanded into SQL over both tables, which must then resolve
      tables.add(MetadataTable.JOURNAL);
      tables.add(MetadataTable.INVENTORY);
    }
    return tables;
  }

  /**
   * The query with each plain reference to a table in {@code names} replaced by the given name,
   * quoted; every other character is kept, so line and column numbers in an engine's messages stay
   * the query's.
   */
  public static String rename(String sql, Map<MetadataTable, String> names) {
    List<SqlToken> tokens = SqlTokenizer.tokenize(sql);
    StringBuilder out = new StringBuilder(sql.length());
    for (int i = 0; i < tokens.size(); i++) {
      Optional<MetadataTable> table = plain(tokens, i);
      String name = table.map(names::get).orElse(null);
      if (name != null && !name.equals(table.get().plainName())) {
        out.append('"').append(name.replace("\"", "\"\"")).append('"');
      } else {
        out.append(tokens.get(i).text());
      }
    }
    return out.toString();
  }

  private static Optional<MetadataTable> plain(List<SqlToken> tokens, int i) {
    SqlToken token = tokens.get(i);
    String name;
    if (token.is(Kind.WORD)) {
      name = token.text();
    } else if (token.is(Kind.QUOTED_IDENTIFIER)
        && token.text().length() >= 2
        && token.text().endsWith("\"")) {
      String text = token.text();
      name = text.substring(1, text.length() - 1).replace("\"\"", "\"");
    } else {
      return Optional.empty();
    }
    Optional<MetadataTable> table = MetadataTable.ofPlainName(name);
    if (table.isEmpty() || neighbourIsDot(tokens, i, -1) || neighbourIsDot(tokens, i, 1)) {
      return Optional.empty();
    }
    return table;
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
