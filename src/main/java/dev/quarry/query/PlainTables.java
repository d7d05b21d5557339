package dev.quarry.query;

import io.trino.grammar.sql.SqlBaseParser;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.antlr.v4.runtime.tree.ParseTree;

/**
 * The plain (unqualified) references to {@code journal} and {@code inventory} in a query: the names
 * that resolve in the engine's default namespace rather than naming one themselves, as in {@code
 * FROM inventory} but not {@code FROM "b_photos"."inventory"}.
 *
 * <p>Read with Trino's grammar ({@link TrinoSql}): only a one-part table name in a FROM list or a
 * join counts, and a WITH query of that name shadows the table as it does in Athena.
 */
public final class PlainTables {
  private PlainTables() {}

  /**
   * Which metadata tables the query names plainly, {@link CurrentState#NAME} counting as both.
   *
   * @throws dev.quarry.error.QuarryException (user) if Athena could not parse the query
   */
  public static Set<MetadataTable> referenced(String sql) {
    Set<MetadataTable> tables = EnumSet.noneOf(MetadataTable.class);
    for (List<String> name : TrinoSql.parseQuery(sql).tablesRead()) {
      if (name.size() == 1) {
        MetadataTable.ofPlainName(name.get(0)).ifPresent(tables::add);
      }
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
    TrinoSql parsed = TrinoSql.parseQuery(sql);
    Set<String> ctes = Set.copyOf(withNames(parsed.tree(), new ArrayList<>()));
    TrinoSql.Rewriter rewriter = parsed.rewriter();
    renameIn(parsed.tree(), names, ctes, rewriter);
    return rewriter.text();
  }

  private static void renameIn(
      ParseTree node,
      Map<MetadataTable, String> names,
      Set<String> ctes,
      TrinoSql.Rewriter rewriter) {
    if (node instanceof SqlBaseParser.TableNameContext table
        && table.qualifiedName().identifier().size() == 1) {
      SqlBaseParser.IdentifierContext id = table.qualifiedName().identifier(0);
      String plain = TrinoSql.identifier(id);
      Optional<MetadataTable> which = MetadataTable.ofPlainName(plain);
      String name = which.map(names::get).orElse(null);
      if (name != null && !ctes.contains(plain) && !name.equals(which.get().plainName())) {
        rewriter.replace(id.getStart(), '"' + name.replace("\"", "\"\"") + '"');
      }
    }
    for (int i = 0; i < node.getChildCount(); i++) {
      renameIn(node.getChild(i), names, ctes, rewriter);
    }
  }

  private static List<String> withNames(ParseTree node, List<String> names) {
    if (node instanceof SqlBaseParser.NamedQueryContext named) {
      names.add(TrinoSql.identifier(named.name));
    }
    for (int i = 0; i < node.getChildCount(); i++) {
      withNames(node.getChild(i), names);
    }
    return names;
  }
}
