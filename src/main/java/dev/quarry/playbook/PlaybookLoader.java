package dev.quarry.playbook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quarry.action.Action;
import dev.quarry.action.ActionRegistry;
import dev.quarry.error.Problem;
import dev.quarry.error.QuarryException;
import dev.quarry.io.UserFiles;
import dev.quarry.playbook.PlaybookSchema.Violation;
import dev.quarry.playbook.SourceMap.Position;
import dev.quarry.query.SqlToken;
import dev.quarry.query.SqlTokenizer;
import dev.quarry.query.TrinoSql;
import dev.quarry.schedule.Cron;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Reads a playbook file into a validated, immutable {@link Playbook}, or into every problem it has,
 * each with its file, line, column and field path, found in one pass (house rule 2).
 *
 * <p>Three layers, each reporting all it finds: the YAML syntax; the JSON Schema ({@link
 * PlaybookSchema}); then what a schema cannot say: the query's {@code :parameters} against the
 * declared ones, parameter defaults, the cron expression and time zone, whether the action accepts
 * its options, and the limit a destructive action needs. A check is skipped where the schema
 * already refused the fields it reads, so one mistake is not reported twice.
 *
 * <p>Checking the columns the query returns needs a query engine and is a separate step: {@link
 * PlaybookValidator#checkColumns(LoadResult, PlaybookValidator.Columns)}.
 */
public final class PlaybookLoader {
  private static final FieldPath QUERY = FieldPath.of("query");
  private static final FieldPath PARAMETERS = FieldPath.of("parameters");
  private static final FieldPath SCHEDULE = FieldPath.of("schedule");
  private static final FieldPath ACTION = FieldPath.of("action");
  private static final FieldPath THEN = FieldPath.of("then");
  private static final FieldPath LIMITS = FieldPath.of("limits");
  private static final FieldPath MAX_OBJECTS = LIMITS.child("max-objects");

  /** A playbook is a query and a few settings; more than this is not one. */
  public static final long MAX_BYTES = 1 << 20;

  private final PlaybookSchema schema;

  public PlaybookLoader() {
    this(PlaybookSchema.get());
  }

  PlaybookLoader(PlaybookSchema schema) {
    this.schema = schema;
  }

  /** Reads a playbook file; an unreadable file is a problem like any other. */
  public LoadResult load(Path file) {
    String name = file.toString();
    String text;
    try {
      text = UserFiles.readText(file, MAX_BYTES, "a playbook");
    } catch (NoSuchFileException e) {
      return unreadable(name, "no such file");
    } catch (UserFiles.Refused e) {
      return unreadable(name, e.getMessage());
    } catch (IOException e) {
      return unreadable(name, "cannot read: " + e.getMessage());
    }
    return load(file, text);
  }

  /** Reads a playbook from text, as if from {@code file}. */
  public LoadResult load(Path file, String text) {
    return new Pass(file, text).run();
  }

  private static LoadResult unreadable(String file, String message) {
    return new LoadResult(
        file, Optional.empty(), List.of(new Problem(file, 0, 0, "", message)), SourceMap.empty());
  }

  /** One file's checks, collecting problems as they go. */
  private final class Pass {
    private final Path source;
    private final String file;
    private final String text;
    private final List<Problem> problems = new ArrayList<>();
    private List<FieldPath> refused = List.of();
    private SourceMap where = SourceMap.empty();

    Pass(Path source, String text) {
      this.source = source;
      this.file = source.toString();
      this.text = text;
    }

    LoadResult run() {
      YamlDocument document = YamlDocument.parse(file, text);
      problems.addAll(document.problems());
      where = document.sourceMap();
      JsonNode root = document.root();
      if (root == null) {
        return result(null);
      }
      if (!root.isObject()) {
        problem(FieldPath.ROOT, Position.START, "a playbook is a YAML mapping (name, query, ...)");
        return result(null);
      }
      List<Violation> violations = schema.validate(root);
      refused = violations.stream().map(Violation::path).toList();
      for (Violation violation : violations) {
        problem(
            violation.path(),
            where.nearest(violation.path(), violation.atKey()),
            violation.message());
      }
      Map<String, ParameterSpec> parameters = checkParameters(root);
      Optional<Schedule> schedule = checkSchedule(root.path("schedule"));
      Optional<Action> action = checkAction(root.path("action"), ACTION);
      action.ifPresent(a -> checkLimits(root, a));
      Optional<Action> then = checkThen(root, action);
      then.ifPresent(a -> checkLimits(root, a));
      if (!problems.isEmpty()) {
        return result(null);
      }
      return result(build(root, parameters, schedule, action, then));
    }

    private LoadResult result(Playbook playbook) {
      List<Problem> sorted = new ArrayList<>(problems);
      sorted.sort(Comparator.comparingInt(Problem::line).thenComparingInt(Problem::column));
      return new LoadResult(file, Optional.ofNullable(playbook), sorted, where);
    }

    /** The declared parameters that are valid, after checking them against the query. */
    private Map<String, ParameterSpec> checkParameters(JsonNode root) {
      Map<String, ParameterSpec> specs = new LinkedHashMap<>();
      JsonNode declared = root.path("parameters");
      for (Map.Entry<String, JsonNode> entry : declared.properties()) {
        FieldPath at = PARAMETERS.child(entry.getKey());
        if (!clean(at)) {
          continue;
        }
        checkParameter(entry.getKey(), entry.getValue(), at).ifPresent(s -> specs.put(s.name(), s));
      }
      JsonNode query = root.path("query");
      if (!query.isTextual() || !(declared.isObject() || declared.isMissingNode())) {
        return specs;
      }
      String sql = query.asText();
      try {
        TrinoSql.parseQuery(sql);
      } catch (TrinoSql.Refused e) {
        // the query runs on Athena (Trino SQL) and on the local engine alike: refuse both ways now
        problem(QUERY, where.inText(QUERY, sql, e.offset()), e.reason());
      } catch (QuarryException e) {
        problem(QUERY, where.nearest(QUERY, true), e.getMessage());
      }
      Set<String> used = new HashSet<>();
      for (SqlToken token : SqlTokenizer.tokenize(sql)) {
        if (token.is(SqlToken.Kind.PARAMETER) && used.add(token.parameterName())) {
          if (!declared.has(token.parameterName())) {
            problem(
                QUERY,
                where.inText(QUERY, sql, token.offset()),
                "parameter :"
                    + token.parameterName()
                    + " is not declared; declare it under parameters (e.g. "
                    + token.parameterName()
                    + ": { type: string })");
          }
        }
      }
      for (Iterator<String> it = declared.fieldNames(); it.hasNext(); ) {
        String name = it.next();
        if (!used.contains(name)) {
          FieldPath at = PARAMETERS.child(name);
          problem(
              at,
              where.nearest(at, true),
              "parameter '" + name + "' is declared but the query never uses :" + name);
        }
      }
      return specs;
    }

    private Optional<ParameterSpec> checkParameter(String name, JsonNode spec, FieldPath at) {
      ParameterType type =
          ParameterType.valueOf(spec.path("type").asText().toUpperCase(Locale.ROOT));
      Optional<Object> defaultValue = Optional.empty();
      JsonNode given = spec.path("default");
      if (!given.isMissingNode()) {
        try {
          defaultValue = Optional.of(type.parse(given.asText()));
        } catch (IllegalArgumentException e) {
          FieldPath field = at.child("default");
          problem(
              field,
              where.nearest(field, false),
              "not a valid " + type.yamlName() + ": " + e.getMessage());
          return Optional.empty();
        }
      }
      return Optional.of(
          new ParameterSpec(name, type, defaultValue, spec.path("description").asText("")));
    }

    private Optional<Schedule> checkSchedule(JsonNode node) {
      if (node.isMissingNode() || !clean(SCHEDULE)) {
        return Optional.empty();
      }
      FieldPath cronAt = node.isTextual() ? SCHEDULE : SCHEDULE.child("cron");
      String cron = node.isTextual() ? node.asText() : node.path("cron").asText();
      boolean valid = true;
      try {
        Cron.validate(cron);
      } catch (IllegalArgumentException e) {
        problem(cronAt, where.nearest(cronAt, false), e.getMessage());
        valid = false;
      }
      ZoneId zone = ZoneOffset.UTC;
      JsonNode timezone = node.path("timezone");
      if (timezone.isTextual()) {
        FieldPath zoneAt = SCHEDULE.child("timezone");
        try {
          zone = ZoneId.of(timezone.asText());
        } catch (DateTimeException e) {
          problem(
              zoneAt,
              where.nearest(zoneAt, false),
              "unknown time zone '"
                  + timezone.asText()
                  + "'; use an IANA name such as UTC, Europe/Paris or America/New_York");
          valid = false;
        }
      }
      return valid ? Optional.of(new Schedule(cron, zone)) : Optional.empty();
    }

    private Optional<Action> checkAction(JsonNode node, FieldPath at) {
      if (!node.isObject() || !clean(at)) {
        return Optional.empty();
      }
      ActionSpec spec = new ActionSpec(node.path("type").asText(), (ObjectNode) node);
      try {
        return Optional.of(ActionRegistry.create(spec));
      } catch (IllegalArgumentException e) {
        problem(at, where.nearest(at, true), e.getMessage());
        return Optional.empty();
      }
    }

    /**
     * A follow-up step exists only after a restore: the wait between the steps is for restored
     * copies, and a second restore would restore what the first one restored.
     */
    private Optional<Action> checkThen(JsonNode root, Optional<Action> action) {
      JsonNode node = root.path("then");
      if (node.isMissingNode()) {
        return Optional.empty();
      }
      Optional<Action> then = checkAction(node, THEN);
      if (then.isEmpty() || action.isEmpty()) {
        if (action.isEmpty() && !root.path("action").isObject() && clean(THEN)) {
          problem(THEN, where.nearest(THEN, true), "then: follows an action; add action: first");
        }
        return then;
      }
      if (!action.get().type().equals("restore")) {
        problem(
            THEN,
            where.nearest(THEN, true),
            "then: follows only a restore (it waits for the restored copies); action '"
                + action.get().type()
                + "' has no follow-up step");
        return Optional.empty();
      }
      if (then.get().type().equals("restore")) {
        problem(
            THEN.child("type"),
            where.nearest(THEN.child("type"), false),
            "then: restores again what the action restored; choose another action (e.g."
                + " reencrypt with storage-class: STANDARD to keep the restored copies)");
        return Optional.empty();
      }
      if (then.get().partitions().contains(Action.Partition.STORAGE_CLASS)) {
        // a restored object is still in its archive class: keeping it would archive the copy
        problem(
            THEN,
            where.nearest(THEN, true),
            "then: "
                + then.get().type()
                + " copies the restored objects and must name their storage-class (e.g."
                + " storage-class: STANDARD): AWS gives a copy without one STANDARD, and the"
                + " objects' own class would archive the copies again");
        return Optional.empty();
      }
      return then;
    }

    /** House rule 6: what can lose data or history is bounded. */
    private void checkLimits(JsonNode root, Action action) {
      if (action.destructive() && !root.path("limits").has("max-objects") && clean(MAX_OBJECTS)) {
        Position at = where.key(LIMITS).orElseGet(() -> where.nearest(ACTION.child("type"), false));
        problem(
            MAX_OBJECTS,
            at,
            "action '"
                + action.type()
                + "' is destructive: set limits.max-objects, the most objects one run may change");
      }
    }

    private Playbook build(
        JsonNode root,
        Map<String, ParameterSpec> parameters,
        Optional<Schedule> schedule,
        Optional<Action> action,
        Optional<Action> then) {
      JsonNode limits = root.path("limits");
      Limits.Confirm confirm =
          limits.has("confirm")
              ? Limits.Confirm.valueOf(limits.path("confirm").asText().toUpperCase(Locale.ROOT))
              : action.map(Action::destructive).orElse(false)
                      || then.map(Action::destructive).orElse(false)
                  ? Limits.Confirm.REQUIRED
                  : Limits.Confirm.NONE;
      OptionalLong maxObjects =
          limits.has("max-objects")
              ? OptionalLong.of(limits.path("max-objects").asLong())
              : OptionalLong.empty();
      ReportSpec.Scope scope =
          ReportSpec.Scope.valueOf(
              root.path("report").path("scope").asText("all").toUpperCase(Locale.ROOT));
      return new Playbook(
          source,
          root.path("name").asText(),
          root.path("description").asText(""),
          schedule,
          root.path("query").asText(),
          parameters,
          action.map(a -> new ActionSpec(a.type(), (ObjectNode) root.path("action"))),
          new Limits(maxObjects, confirm),
          new ReportSpec(scope),
          text(root.path("bucket")),
          new MetadataOverrides(
              text(root.path("metadata").path("namespace")),
              text(root.path("metadata").path("journal-table")),
              text(root.path("metadata").path("inventory-table"))),
          then.map(a -> new ActionSpec(a.type(), (ObjectNode) root.path("then"))));
    }

    private static Optional<String> text(JsonNode node) {
      return node.isTextual() ? Optional.of(node.asText()) : Optional.empty();
    }

    /** Whether the schema found nothing wrong at, above or below {@code path}. */
    private boolean clean(FieldPath path) {
      return refused.stream().noneMatch(r -> r.startsWith(path) || path.startsWith(r));
    }

    private void problem(FieldPath path, Position at, String message) {
      problems.add(new Problem(file, at.line(), at.column(), path.dotted(), message));
    }
  }
}
