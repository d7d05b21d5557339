package dev.quarry.query;

import static java.util.Objects.requireNonNull;

import dev.quarry.query.SqlToken.Kind;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What can be read from a query's text alone, without an engine: the S3 Metadata tables it names
 * and whether its result has a given column. Used where asking an engine would be a remote call
 * ({@code quarry iam-policy} runs nothing). It tokenizes with {@link SqlTokenizer}, so string
 * literals, comments and quoted identifiers never fool it, but it does not parse: a query it cannot
 * read says so ({@link #returnsColumn} is empty) rather than guessing.
 */
public final class QueryOutline {
  /** The S3 Metadata tables of one bucket's namespace. */
  public static final Set<String> METADATA_TABLES = Set.of("inventory", "journal");

  private QueryOutline() {}

  /**
   * A metadata table a query names.
   *
   * @param namespace such as {@code b_starwatcher}
   * @param table {@code inventory} or {@code journal}
   */
  public record TableRef(String namespace, String table) {
    public TableRef {
      requireNonNull(namespace, "namespace is null");
      requireNonNull(table, "table is null");
    }
  }

  /**
   * The metadata tables the query names, in order of first mention: {@code
   * "<catalog>"."<namespace>"."inventory"} (or {@code journal}), the two-part {@code
   * "b_<bucket>".inventory}, and a plain {@code inventory} after FROM or JOIN when {@code
   * defaultNamespace} (the engine's database) is given.
   *
   * @param catalog the catalog three-part names must start with, such as {@code
   *     s3tablescatalog/aws-s3}
   */
  public static List<TableRef> metadataTables(
      String sql, String catalog, Optional<String> defaultNamespace) {
    requireNonNull(sql, "sql is null");
    requireNonNull(catalog, "catalog is null");
    requireNonNull(defaultNamespace, "defaultNamespace is null");
    List<SqlToken> s = significant(sql);
    Set<TableRef> found = new LinkedHashSet<>();
    for (int i = 0; i < s.size(); i++) {
      if (i > 0 && s.get(i - 1).isSymbol(".")) {
        continue; // inside a chain that started earlier
      }
      List<String> chain = chainAt(s, i);
      if (chain.isEmpty()) {
        continue;
      }
      String last = chain.get(chain.size() - 1);
      if (!METADATA_TABLES.contains(last)) {
        continue;
      }
      if (chain.size() == 3 && chain.get(0).equals(catalog.toLowerCase(Locale.ROOT))) {
        found.add(new TableRef(chain.get(1), last));
      } else if (chain.size() == 2 && chain.get(0).startsWith("b_")) {
        found.add(new TableRef(chain.get(0), last));
      } else if (chain.size() == 1 && i > 0 && isTableKeyword(s.get(i - 1))) {
        defaultNamespace.ifPresent(ns -> found.add(new TableRef(ns, last)));
      }
    }
    return List.copyOf(found);
  }

  /**
   * Whether the query's result has the column {@code name}: present when its outermost SELECT list
   * names it (as a column, {@code alias.column}, or {@code AS name}), false when the list names
   * every column and not this one, empty when it cannot tell ({@code SELECT *}, or no SELECT).
   */
  public static Optional<Boolean> returnsColumn(String sql, String name) {
    requireNonNull(sql, "sql is null");
    requireNonNull(name, "name is null");
    List<SqlToken> s = significant(sql);
    int depth = 0;
    int start = -1;
    for (int i = 0; i < s.size(); i++) {
      SqlToken t = s.get(i);
      if (t.isSymbol("(")) {
        depth++;
      } else if (t.isSymbol(")")) {
        depth--;
      } else if (depth == 0 && t.isWord("select")) {
        start = i + 1;
        break;
      }
    }
    if (start < 0) {
      return Optional.empty();
    }
    List<List<SqlToken>> items = new ArrayList<>();
    List<SqlToken> item = new ArrayList<>();
    depth = 0;
    for (int i = start; i < s.size(); i++) {
      SqlToken t = s.get(i);
      if (depth == 0 && (t.isWord("from") || t.isSymbol(";") || endsSelectList(t))) {
        break;
      }
      if (t.isSymbol("(")) {
        depth++;
      } else if (t.isSymbol(")")) {
        depth--;
      }
      if (depth == 0 && t.isSymbol(",")) {
        items.add(item);
        item = new ArrayList<>();
      } else {
        item.add(t);
      }
    }
    items.add(item);
    if (!items.get(0).isEmpty()
        && (items.get(0).get(0).isWord("distinct") || items.get(0).get(0).isWord("all"))) {
      items.get(0).remove(0);
    }
    boolean star = false;
    String wanted = name.toLowerCase(Locale.ROOT);
    for (List<SqlToken> column : items) {
      if (column.isEmpty()) {
        continue;
      }
      SqlToken last = column.get(column.size() - 1);
      if (last.isSymbol("*")) {
        star = true;
        continue;
      }
      String output = identifier(last);
      if (output != null && output.equals(wanted)) {
        return Optional.of(true);
      }
    }
    return star ? Optional.empty() : Optional.of(false);
  }

  private static boolean endsSelectList(SqlToken t) {
    return t.isWord("union")
        || t.isWord("intersect")
        || t.isWord("except")
        || t.isWord("order")
        || t.isWord("limit");
  }

  private static boolean isTableKeyword(SqlToken t) {
    return t.isWord("from") || t.isWord("join");
  }

  private static List<SqlToken> significant(String sql) {
    return SqlTokenizer.tokenize(sql).stream().filter(t -> !t.isTrivia()).toList();
  }

  /** The identifiers of {@code a.b.c} starting at {@code i}, normalized; empty if none starts. */
  private static List<String> chainAt(List<SqlToken> s, int i) {
    List<String> chain = new ArrayList<>();
    int j = i;
    while (j < s.size()) {
      String part = identifier(s.get(j));
      if (part == null) {
        return List.of(); // a chain ending in '.' or a non-identifier is not a table name
      }
      chain.add(part);
      if (j + 2 < s.size() && s.get(j + 1).isSymbol(".")) {
        j += 2;
      } else {
        return chain;
      }
    }
    return chain;
  }

  /** A quoted identifier's text, or a word lower-cased (SQL folds unquoted names); else null. */
  private static String identifier(SqlToken token) {
    if (token.is(Kind.QUOTED_IDENTIFIER)) {
      String t = token.text();
      return t.substring(1, t.length() - (t.length() > 1 && t.endsWith("\"") ? 1 : 0))
          .replace("\"\"", "\"");
    }
    if (token.is(Kind.WORD)) {
      return token.text().toLowerCase(Locale.ROOT);
    }
    return null;
  }
}
