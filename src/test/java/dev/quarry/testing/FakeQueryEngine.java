package dev.quarry.testing;

import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.query.BoundQuery;
import dev.quarry.query.ObjectRow;
import dev.quarry.query.QueryEngine;
import dev.quarry.query.QueryStatistics;
import dev.quarry.query.Selection;
import dev.quarry.query.TaskIdentity;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A hand-written fake of our own {@link QueryEngine} port: it answers with given columns and rows
 * (or refuses the SQL), and remembers every query it was asked.
 */
public final class FakeQueryEngine implements QueryEngine {
  private final List<String> columns;
  private final List<ObjectRow> rows;
  private final String sqlError;
  public final List<BoundQuery> asked = new ArrayList<>();
  public final List<TaskIdentity> identities = new ArrayList<>();
  public boolean closed;

  /** Whether statistics() reports the queries asked, with ids q1, q2, ..., as Athena would. */
  public boolean billed;

  private FakeQueryEngine(List<String> columns, List<ObjectRow> rows, String sqlError) {
    this.columns = List.copyOf(columns);
    this.rows = List.copyOf(rows);
    this.sqlError = sqlError;
  }

  public static FakeQueryEngine returning(String... columns) {
    return new FakeQueryEngine(List.of(columns), List.of(), null);
  }

  public static FakeQueryEngine returning(List<String> columns, List<ObjectRow> rows) {
    return new FakeQueryEngine(columns, rows, null);
  }

  /** An engine that refuses every query with this message, as a user error. */
  public static FakeQueryEngine refusing(String sqlError) {
    return new FakeQueryEngine(List.of(), List.of(), sqlError);
  }

  @Override
  public String name() {
    return "fake";
  }

  @Override
  public List<String> columns(BoundQuery query) {
    asked.add(query);
    if (sqlError != null) {
      throw QuarryException.user(ErrorCode.QUERY_INVALID, sqlError);
    }
    return columns;
  }

  @Override
  public Selection objects(BoundQuery query, TaskIdentity identity, Consumer<ObjectRow> sink) {
    asked.add(query);
    identities.add(identity);
    // the port's contract, kept the simple way: the fake's rows are few
    Set<List<String>> seen = new HashSet<>();
    long duplicates = 0;
    for (ObjectRow row : rows) {
      List<String> task =
          identity == TaskIdentity.BUCKET_KEY
              ? List.of(row.bucket(), row.key())
              : Arrays.asList(row.bucket(), row.key(), row.versionId());
      if (seen.add(task)) {
        sink.accept(row);
      } else {
        duplicates++;
      }
    }
    return new Selection(seen.size(), duplicates);
  }

  @Override
  public Optional<QueryStatistics> statistics() {
    if (!billed) {
      return Optional.empty();
    }
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= asked.size(); i++) {
      ids.add("q" + i);
    }
    return Optional.of(
        new QueryStatistics(
            ids.size(), 0, java.math.BigDecimal.ZERO, java.time.Duration.ZERO, ids));
  }

  @Override
  public void rows(BoundQuery query, RowVisitor visitor) {
    throw new UnsupportedOperationException("this fake streams objects, not rows");
  }

  @Override
  public void close() {
    closed = true;
  }
}
