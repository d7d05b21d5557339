package dev.quarry.app;

import dev.quarry.query.BoundQuery;
import dev.quarry.query.ObjectRow;
import dev.quarry.query.QueryEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** A query engine that returns given rows and remembers the queries it was asked. */
final class FakeQueryEngine implements QueryEngine {
  private final List<String> columns;
  private final List<ObjectRow> rows;
  final List<BoundQuery> queries = new ArrayList<>();

  FakeQueryEngine(List<String> columns, List<ObjectRow> rows) {
    this.columns = List.copyOf(columns);
    this.rows = List.copyOf(rows);
  }

  @Override
  public String name() {
    return "fake";
  }

  @Override
  public List<String> columns(BoundQuery query) {
    queries.add(query);
    return columns;
  }

  @Override
  public long objects(BoundQuery query, Consumer<ObjectRow> sink) {
    queries.add(query);
    rows.forEach(sink);
    return rows.size();
  }

  @Override
  public void rows(BoundQuery query, RowVisitor visitor) {
    throw new UnsupportedOperationException("plans stream objects, not rows");
  }

  @Override
  public void close() {}
}
