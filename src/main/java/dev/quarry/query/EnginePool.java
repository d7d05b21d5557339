package dev.quarry.query;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Query engines for several playbooks, one per place their plain table names resolve in (a
 * namespace, a bucket's metadata configuration), opened on first use and closed together.
 */
public interface EnginePool extends AutoCloseable {
  /**
   * The engine for a query aimed at {@code target}.
   *
   * @throws dev.quarry.error.QuarryException when the target cannot be resolved (a bucket without
   *     metadata configuration, a table that cannot be read yet)
   */
  QueryEngine engineFor(QueryTarget target);

  @Override
  void close();

  /** One engine for every target (tests, and commands that need no resolution); closes it. */
  static EnginePool of(QueryEngine engine) {
    requireNonNull(engine, "engine is null");
    return new EnginePool() {
      @Override
      public QueryEngine engineFor(QueryTarget target) {
        return engine;
      }

      @Override
      public void close() {
        engine.close();
      }
    };
  }

  /**
   * A pool that opens one engine per distinct key.
   *
   * @param keys what decides the engine for a target (equal keys share one engine)
   * @param engines opens the engine for a key
   * @param resources closed with the pool, after the engines
   */
  static <K> EnginePool keyed(
      Function<QueryTarget, K> keys,
      Function<K, QueryEngine> engines,
      List<? extends AutoCloseable> resources) {
    requireNonNull(keys, "keys is null");
    requireNonNull(engines, "engines is null");
    List<AutoCloseable> toClose = List.copyOf(resources);
    Map<K, QueryEngine> open = new LinkedHashMap<>();
    return new EnginePool() {
      @Override
      public QueryEngine engineFor(QueryTarget target) {
        return open.computeIfAbsent(keys.apply(target), engines);
      }

      @Override
      public void close() {
        List<AutoCloseable> all = new ArrayList<>(open.values());
        all.addAll(toClose);
        open.clear();
        RuntimeException first = null;
        for (AutoCloseable c : all) {
          try {
            c.close();
          } catch (Exception e) {
            if (first == null) {
              first = e instanceof RuntimeException r ? r : new IllegalStateException(e);
            } else {
              first.addSuppressed(e);
            }
          }
        }
        if (first != null) {
          throw first;
        }
      }
    };
  }
}
