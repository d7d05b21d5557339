package dev.quarry.playbook;

import dev.quarry.error.QuarryException;
import dev.quarry.query.BoundQuery;
import dev.quarry.query.ObjectRow;
import dev.quarry.query.QueryEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A query engine that answers {@link #columns} with fixed names, or refuses the SQL like an engine
 * with a syntax error does; it remembers the queries it was asked. Only the column check needs it.
 */
final class FakeQueryEngine implements QueryEngine {
  private final List<String> columns;
  private final String sqlError;
  final List<BoundQuery> asked = new ArrayList<>();
  boolean closed;

  private FakeQueryEngine(List<String> columns, String sqlError) {
    this.columns = columns;
    this.sqlError = sqlError;
  }

  static FakeQueryEngine returning(String... columns) {
    return new FakeQueryEngine(List.of(columns), null);
  }

  static FakeQueryEngine refusing(String sqlError) {
    return new FakeQueryEngine(List.of(), sqlError);
  }

  @Override
  public String name() {
    return "fake";
  }

  @Override
  public List<String> columns(BoundQuery query) {
    asked.add(query);
    if (sqlError != null) {
      throw QuarryException.user(sqlError);
    }
    return columns;
  }

  @Override
  public long objects(BoundQuery query, Consumer<ObjectRow> sink) {
    throw new UnsupportedOperationException("the column check reads no rows");
  }

  @Override
  public void rows(BoundQuery query, RowVisitor visitor) {
    throw new UnsupportedOperationException("the column check reads no rows");
  }

  @Override
  public void close() {
    closed = true;
  }
}
