package dev.quarry.query;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What can be read from a query's text alone, without an engine: the S3 Metadata tables it names
 * and whether its result has a given column. Used where asking an engine would be a remote call
 * ({@code quarry iam-policy} runs nothing). It reads the query with Trino's grammar ({@link
 * TrinoSql}), as Athena does: every table of a FROM list or join counts, a WITH query's name does
 * not, and a text Athena cannot parse is refused with its line.
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
    Set<TableRef> found = new LinkedHashSet<>();
    for (List<String> name : TrinoSql.parseQuery(sql).tablesRead()) {
      String last = name.get(name.size() - 1);
      if (!METADATA_TABLES.contains(last)) {
        continue;
      }
      if (name.size() == 3 && name.get(0).equals(catalog.toLowerCase(Locale.ROOT))) {
        found.add(new TableRef(name.get(1), last));
      } else if (name.size() == 2 && name.get(0).startsWith("b_")) {
        found.add(new TableRef(name.get(0), last));
      } else if (name.size() == 1) {
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
    return TrinoSql.parseQuery(sql).returnsColumn(name);
  }
}
