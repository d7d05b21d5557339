package dev.quarry.playbook;

import dev.quarry.action.Action;
import dev.quarry.action.ActionRegistry;
import dev.quarry.error.ErrorKind;
import dev.quarry.error.Problem;
import dev.quarry.error.ProblemsException;
import dev.quarry.error.QuarryException;
import dev.quarry.playbook.SourceMap.Position;
import dev.quarry.query.BoundQuery;
import dev.quarry.query.QueryEngine;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks of a loaded playbook that need a query engine, kept apart from {@link PlaybookLoader} so
 * that loading a playbook never needs one.
 */
public final class PlaybookValidator {
  private static final FieldPath QUERY = FieldPath.of("query");

  /**
   * What the check asks of an engine: the columns a query returns. {@link QueryEngine#columns} is
   * one ({@code engine::columns}).
   */
  @FunctionalInterface
  public interface Columns {
    /**
     * @throws QuarryException of kind {@link ErrorKind#USER} when the engine refuses the SQL
     */
    List<String> of(BoundQuery query);
  }

  private PlaybookValidator() {}

  /** {@link #checkColumns(LoadResult, Columns)} with an engine. */
  public static List<Problem> checkColumns(LoadResult loaded, QueryEngine engine) {
    return checkColumns(loaded, engine::columns);
  }

  /**
   * Whether the query of a valid playbook runs and returns {@code bucket} and {@code key}, and
   * {@code version_id} when its action acts on exact versions. Problems point at the {@code query}
   * field; an invalid playbook has none to add. Parameters without a default are bound to a
   * placeholder of their type: the columns do not depend on the values.
   */
  public static List<Problem> checkColumns(LoadResult loaded, Columns engine) {
    if (loaded.playbook().isEmpty()) {
      return List.of();
    }
    return checkColumns(
        loaded.playbook().get(), loaded.sourceMap().key(QUERY).orElse(Position.UNKNOWN), engine);
  }

  /** For a playbook without its source map: the problems name the file and field, not the line. */
  public static List<Problem> checkColumns(Playbook playbook, Columns engine) {
    return checkColumns(playbook, Position.UNKNOWN, engine);
  }

  /**
   * The columns {@code query} (the playbook's query with its run's values) returns, asked of the
   * engine once, after checking them as {@link #checkColumns(Playbook, Columns)} does.
   *
   * @throws ProblemsException when the query does not run or lacks a column the action needs
   */
  public static List<String> columnsFor(Playbook playbook, BoundQuery query, Columns engine) {
    Checked checked = check(playbook, Position.UNKNOWN, query, engine);
    if (!checked.problems().isEmpty()) {
      throw new ProblemsException(checked.problems());
    }
    return checked.returned();
  }

  private static List<Problem> checkColumns(Playbook playbook, Position at, Columns engine) {
    return check(playbook, at, sampleQuery(playbook), engine).problems();
  }

  /** What the engine said the query returns (empty when it refused it), and what is wrong. */
  private record Checked(List<String> returned, List<Problem> problems) {}

  private static Checked check(Playbook playbook, Position at, BoundQuery query, Columns engine) {
    // a report-only playbook's query may return anything; an action needs objects
    Optional<Action> action = playbook.action().map(ActionRegistry::create);
    List<String> required = new ArrayList<>();
    action.ifPresent(a -> required.addAll(List.of("bucket", "key")));
    if (action.map(Action::needsVersionId).orElse(false)) {
      required.add("version_id");
    }
    List<String> returned;
    try {
      returned = engine.of(query);
    } catch (QuarryException e) {
      if (e.kind() != ErrorKind.USER) {
        throw e;
      }
      return new Checked(
          List.of(), List.of(problem(playbook, at, "the query does not run: " + e.getMessage())));
    }
    // engines differ in the case they report names in; SQL names are case-insensitive
    Set<String> present =
        returned.stream().map(c -> c.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
    List<Problem> problems = new ArrayList<>();
    playbook
        .incremental()
        .map(i -> i.watermark().toLowerCase(Locale.ROOT))
        .filter(w -> !present.contains(w) && !Incremental.JOURNAL_TIMESTAMPS.contains(w))
        .ifPresent(
            w ->
                problems.add(
                    new Problem(
                        playbook.source().toString(),
                        at.line(),
                        at.column(),
                        "incremental.watermark",
                        "watermark '"
                            + w
                            + "' is neither a column the query returns nor a journal timestamp"
                            + " (record_timestamp, last_modified_date); it returns: "
                            + (returned.isEmpty() ? "no columns" : String.join(", ", returned)))));
    List<String> missing = required.stream().filter(c -> !present.contains(c)).toList();
    if (missing.isEmpty()) {
      return new Checked(returned, problems);
    }
    String why =
        action
            .filter(Action::needsVersionId)
            .map(a -> " (action '" + a.type() + "' acts on exact versions, so it needs version_id)")
            .orElse("");
    problems.add(
        problem(
            playbook,
            at,
            "the query must return "
                + String.join(", ", required)
                + why
                + "; missing: "
                + String.join(", ", missing)
                + "; it returns: "
                + (returned.isEmpty() ? "no columns" : String.join(", ", returned))));
    return new Checked(returned, problems);
  }

  /** The playbook's query with every parameter bound to its default or a placeholder. */
  static BoundQuery sampleQuery(Playbook playbook) {
    Map<String, Object> values = new LinkedHashMap<>();
    for (ParameterSpec parameter : playbook.parameters().values()) {
      values.put(
          parameter.name(),
          parameter.defaultValue().orElseGet(() -> placeholder(parameter.type())));
    }
    return new BoundQuery(playbook.query(), values);
  }

  private static Object placeholder(ParameterType type) {
    return switch (type) {
      case STRING -> "";
      case INTEGER -> 0L;
      case NUMBER -> BigDecimal.ZERO;
      case BOOLEAN -> Boolean.FALSE;
      case TIMESTAMP -> LocalDateTime.of(1970, 1, 1, 0, 0);
      case DATE -> LocalDate.of(1970, 1, 1);
    };
  }

  private static Problem problem(Playbook playbook, Position at, String message) {
    return new Problem(
        playbook.source().toString(), at.line(), at.column(), QUERY.dotted(), message);
  }
}
