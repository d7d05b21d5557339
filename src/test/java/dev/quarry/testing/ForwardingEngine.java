package dev.quarry.testing;

import static java.util.Objects.requireNonNull;

import dev.quarry.query.BoundQuery;
import dev.quarry.query.ManifestRequest;
import dev.quarry.query.ObjectRow;
import dev.quarry.query.QueryEngine;
import dev.quarry.query.Selection;
import dev.quarry.query.SelectionSummary;
import dev.quarry.query.TaskIdentity;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A query engine that hands each call to another, for tests that change one call of a real engine.
 * Its statistics are the interface's default (none), as a plan sees them from any wrapped engine.
 */
public class ForwardingEngine implements QueryEngine {
  private final QueryEngine engine;

  public ForwardingEngine(QueryEngine engine) {
    this.engine = requireNonNull(engine, "engine is null");
  }

  /** The same engine without its own manifest writer: the rows cross JDBC one by one. */
  public static QueryEngine streamingOnly(QueryEngine engine) {
    return new ForwardingEngine(engine) {
      @Override
      public Optional<SelectionSummary> writeManifest(BoundQuery query, ManifestRequest request) {
        return Optional.empty();
      }
    };
  }

  @Override
  public String name() {
    return engine.name();
  }

  @Override
  public List<String> columns(BoundQuery query) {
    return engine.columns(query);
  }

  @Override
  public Selection objects(BoundQuery query, TaskIdentity identity, Consumer<ObjectRow> sink) {
    return engine.objects(query, identity, sink);
  }

  @Override
  public Optional<SelectionSummary> writeManifest(BoundQuery query, ManifestRequest request) {
    return engine.writeManifest(query, request);
  }

  @Override
  public void rows(BoundQuery query, RowVisitor visitor) {
    engine.rows(query, visitor);
  }

  @Override
  public void close() {
    engine.close();
  }
}
