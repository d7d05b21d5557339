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
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
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
  private static final FieldPath REVERT = FieldPath.of("revert");
  private static final FieldPath MAX_OBJECTS = LIMITS.child("max-objects");
  private static final FieldPath INCREMENTAL = FieldPath.of("incremental");
  private static final Set<String> WINDOW = Set.of(Incremental.SINCE, Incremental.UNTIL);

  /** A playbook is a query and a few settings; more than this is not one. */
  public static final long MAX_BYTES = 1 << 20;

  private final PlaybookSchema schema;

  public PlaybookLoader() {
    this(PlaybookSchema.get());
  }

  PlaybookLoader(PlaybookSchema schema) {
    this.schema = schema;
  }

  /**
   * Starts, on a daemon thread, the cold start of the YAML reader and of the SQL grammar that every
   * load needs (class loading and initialisation, a few hundred ms of CPU together), so a short
   * command such as {@code quarry validate} has it done on the second core while this one builds
   * the schema (docs/PERFORMANCE.md, section 6). Loads are the same without it: whichever thread
   * comes first initialises a class, the other waits for it.
   */
  public static void warmUpInBackground() {
    Thread warmUp =
        new Thread(
            () -> {
              try {
                YamlDocument.parse("warm-up", "name: warm-up\n");
                TrinoSql.parseQuery("SELECT bucket, key FROM inventory WHERE size > 0");
              } catch (RuntimeException e) {
                // nothing is lost: the first load does the same work and reports what fails
              }
            },
            "quarry-warm-up");
    warmUp.setDaemon(true);
    warmUp.start();
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

  /**
   * The window's parameters as declared ones, so that binding and the column check see them: a plan
   * outside a run ({@code quarry plan}) reads from the start to the end of time.
   */
  private static Map<String, ParameterSpec> windowParameters(Incremental incremental) {
    Map<String, ParameterSpec> window = new LinkedHashMap<>();
    window.put(
        Incremental.SINCE,
        new ParameterSpec(
            Incremental.SINCE,
            ParameterType.TIMESTAMP,
            Optional.of(incremental.start()),
            "bound by each incremental run: the last submitted run's time minus the look-back"));
    window.put(
        Incremental.UNTIL,
        new ParameterSpec(
            Incremental.UNTIL,
            ParameterType.TIMESTAMP,
            Optional.of(LocalDateTime.of(9999, 12, 31, 23, 59, 59)),
            "bound by each incremental run: the time of its plan"));
    return window;
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
      Optional<Incremental> incremental = checkIncremental(root);
      incremental.ifPresent(i -> parameters.putAll(windowParameters(i)));
      Optional<Schedule> schedule = checkSchedule(root.path("schedule"));
      Optional<Action> action = checkAction(root.path("action"), ACTION);
      action.ifPresent(a -> checkLimits(root, a));
      Optional<Action> then = checkThen(root, action);
      then.ifPresent(a -> checkLimits(root, a));
      Optional<RevertSpec> revert = checkRevert(root);
      if (!problems.isEmpty()) {
        return result(null);
      }
      return result(build(root, parameters, schedule, action, then, revert, incremental));
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
      // an incremental run binds these itself (checkIncremental)
      boolean windowed = root.path("incremental").isObject();
      Set<String> used = new HashSet<>();
      for (SqlToken token : SqlTokenizer.tokenize(sql)) {
        if (token.is(SqlToken.Kind.PARAMETER) && used.add(token.parameterName())) {
          if (!declared.has(token.parameterName())
              && !(windowed && WINDOW.contains(token.parameterName()))) {
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
        if (windowed && WINDOW.contains(name)) {
          FieldPath at = PARAMETERS.child(name);
          problem(
              at,
              where.nearest(at, true),
              "parameter '"
                  + name
                  + "' is bound by incremental: each run sets :since and :until; remove it"
                  + " from parameters");
        } else if (!used.contains(name)) {
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

    /**
     * What the schema cannot say of {@code incremental:}: the durations' values, the start, and
     * that the query uses the window it is given. The watermark column is checked here when it is a
     * journal timestamp; one the query returns needs an engine ({@link PlaybookValidator}).
     */
    private Optional<Incremental> checkIncremental(JsonNode root) {
      JsonNode node = root.path("incremental");
      if (!node.isObject()) {
        return Optional.empty();
      }
      boolean valid = clean(INCREMENTAL);
      JsonNode query = root.path("query");
      if (query.isTextual()) {
        Set<String> used = new HashSet<>();
        for (SqlToken token : SqlTokenizer.tokenize(query.asText())) {
          if (token.is(SqlToken.Kind.PARAMETER)) {
            used.add(token.parameterName());
          }
        }
        for (String name : List.of(Incremental.SINCE, Incremental.UNTIL)) {
          if (!used.contains(name)) {
            problem(
                QUERY,
                where.nearest(QUERY, true),
                "an incremental query must use :"
                    + name
                    + " (e.g. WHERE "
                    + node.path("watermark").asText()
                    + " >= :since AND "
                    + node.path("watermark").asText()
                    + " < :until)");
            valid = false;
          }
        }
      }
      if (!valid) {
        return Optional.empty();
      }
      Duration lookback = duration(node, "lookback", Duration.ZERO);
      Duration reconcile = duration(node, "reconcile", Incremental.DEFAULT_RECONCILE);
      if (lookback == null || reconcile == null) {
        return Optional.empty();
      }
      if (reconcile.compareTo(lookback) < 0) {
        FieldPath at = INCREMENTAL.child("reconcile");
        problem(
            at,
            where.nearest(at, false),
            "reconcile ("
                + node.path("reconcile").asText()
                + ") must reach at least as far back as lookback ("
                + node.path("lookback").asText()
                + ")");
        valid = false;
      }
      LocalDateTime start = Incremental.DEFAULT_START;
      if (node.has("start")) {
        FieldPath at = INCREMENTAL.child("start");
        try {
          start = (LocalDateTime) ParameterType.TIMESTAMP.parse(node.path("start").asText());
        } catch (IllegalArgumentException e) {
          problem(at, where.nearest(at, false), "not a valid timestamp: " + e.getMessage());
          valid = false;
        }
      }
      return valid
          ? Optional.of(
              new Incremental(node.path("watermark").asText(), lookback, reconcile, start))
          : Optional.empty();
    }

    /** {@code incremental.name} as a duration, {@code absent} when not given; null when wrong. */
    private Duration duration(JsonNode node, String name, Duration absent) {
      if (!node.has(name)) {
        return absent;
      }
      FieldPath at = INCREMENTAL.child(name);
      try {
        return Incremental.parseDuration(node.path(name).asText());
      } catch (IllegalArgumentException e) {
        problem(at, where.nearest(at, false), e.getMessage());
        return null;
      }
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

    /**
     * A playbook has a query, or a {@code revert} block whose queries and steps Quarry plans: then
     * it names its bucket, bounds the objects it may change, and has no query or action of its own.
     */
    private Optional<RevertSpec> checkRevert(JsonNode root) {
      JsonNode node = root.path("revert");
      if (node.isMissingNode()) {
        if (!root.has("query") && clean(QUERY)) {
          problem(
              QUERY,
              where.nearest(FieldPath.ROOT, true),
              "a playbook needs a query (or a revert: block, which plans its own)");
        }
        return Optional.empty();
      }
      if (!clean(REVERT)) {
        return Optional.empty();
      }
      boolean ok = true;
      for (String field : List.of("query", "action", "then", "parameters")) {
        if (root.has(field)) {
          FieldPath at = FieldPath.of(field);
          problem(
              at,
              where.nearest(at, true),
              "revert: plans its own queries and actions; remove " + field + ":");
          ok = false;
        }
      }
      if (!root.has("bucket")) {
        problem(
            REVERT,
            where.nearest(REVERT, true),
            "revert: needs the playbook's bucket (bucket: <name>)");
        ok = false;
      }
      if (!root.path("limits").has("max-objects") && clean(MAX_OBJECTS)) {
        problem(
            MAX_OBJECTS,
            where.key(LIMITS).orElseGet(() -> where.nearest(REVERT, true)),
            "a revert is destructive: set limits.max-objects, the most objects one run may change");
        ok = false;
      }
      Instant to;
      FieldPath toPath = REVERT.child("to");
      try {
        to = java.time.OffsetDateTime.parse(node.path("to").asText()).toInstant();
      } catch (java.time.format.DateTimeParseException e) {
        problem(
            toPath,
            where.nearest(toPath, false),
            "'"
                + node.path("to").asText()
                + "' is not a point in time with its offset: write it in UTC, e.g."
                + " 2026-11-30T12:00:00Z");
        return Optional.empty();
      }
      if (!ok) {
        return Optional.empty();
      }
      return Optional.of(
          new RevertSpec(
              to,
              node.has("prefix") ? Optional.of(node.path("prefix").asText()) : Optional.empty(),
              node.path("restore-tier").asText("BULK"),
              node.path("restore-days").asInt(2)));
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
        Optional<Action> then,
        Optional<RevertSpec> revert,
        Optional<Incremental> incremental) {
      JsonNode limits = root.path("limits");
      Limits.Confirm confirm =
          limits.has("confirm")
              ? Limits.Confirm.valueOf(limits.path("confirm").asText().toUpperCase(Locale.ROOT))
              : action.map(Action::destructive).orElse(false)
                      || then.map(Action::destructive).orElse(false)
                      || revert.isPresent()
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
          then.map(a -> new ActionSpec(a.type(), (ObjectNode) root.path("then"))),
          revert,
          incremental);
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
