package dev.quarry.cli;

import dev.quarry.config.QuarryConfig;
import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.playbook.ParameterType;
import dev.quarry.query.BoundQuery;
import dev.quarry.query.EnginePool;
import dev.quarry.query.PlainTables;
import dev.quarry.query.QueryEngine;
import dev.quarry.query.QueryEngines;
import dev.quarry.query.QueryTarget;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code quarry query}: runs Athena SQL over the local metadata warehouse and prints the rows. */
@Command(
    name = "query",
    mixinStandardHelpOptions = true,
    description = {
      "Runs an Athena (Trino) SQL query over the S3 Metadata tables with the profile's engine (the"
          + " embedded one over the local tables by default, or Athena)"
          + " and prints the rows. The tables have AWS's names:"
          + " \"s3tablescatalog/aws-s3\".\"b_<bucket>\".\"journal\" and .\"inventory\"; plain"
          + " journal / inventory name the --bucket's tables (or the only bucket's).",
      "Named parameters (:name) are bound, never spliced into the SQL.",
      "Text output shows control and bidirectional characters in keys as \\uXXXX escapes. CSV"
          + " output is for spreadsheets: a text cell starting with =, +, -, @, a tab or a carriage"
          + " return is written quoted with a leading ' so that it is not run as a formula. For"
          + " the raw values, use --output json.",
      "",
      "Example:",
      "  quarry query --bucket starwatcher --param class=GLACIER \\",
      "    \"SELECT key, size FROM inventory WHERE storage_class = :class ORDER BY size DESC\"",
      ""
    })
public final class QueryCommand implements Runnable {
  @Mixin GlobalOptions global;

  @Parameters(index = "0", paramLabel = "SQL", description = "The query (one statement).")
  String sql;

  @Option(
      names = "--param",
      paramLabel = "NAME[:TYPE]=VALUE",
      description =
          "A value for :NAME, repeatable. TYPE: string (default), integer, number, boolean,"
              + " timestamp (ISO 8601, UTC), date. E.g. --param since:timestamp=2026-11-01T00:00Z")
  List<String> params = new ArrayList<>();

  @Option(
      names = "--bucket",
      paramLabel = "BUCKET",
      description =
          "Default bucket (or namespace b_<bucket>) for plain journal / inventory; on Athena the"
              + " bucket's S3 Metadata configuration names its namespace. Default: the"
              + " warehouse's only bucket.")
  String bucket;

  @Option(
      names = "--max-rows",
      paramLabel = "N",
      description = "Print at most N rows (default: 100 for text, all for json and csv).")
  Integer maxRows;

  private final CliContext context;

  public QueryCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public void run() {
    Map<String, Object> values = parseParams(params);
    QuarryConfig config = context.config(global);
    long limit =
        maxRows != null ? maxRows : global.output() == OutputFormat.text ? 100 : Long.MAX_VALUE;
    if (limit < 0) {
      throw QuarryException.user(
          ErrorCode.OPTION_INVALID, "--max-rows must be 0 or more, not " + limit);
    }
    // a bucket's tables resolve as a playbook's would: on Athena through the bucket's metadata
    // configuration (a bucket name is not a database name), locally in b_<bucket>
    Optional<String> given = Optional.ofNullable(bucket);
    boolean namespace = given.map(b -> b.startsWith("b_")).orElse(false);
    QueryTarget target =
        new QueryTarget(
            namespace ? Optional.empty() : given,
            namespace ? given : Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            PlainTables.referenced(sql));
    try (EnginePool engines = QueryEngines.pool(config)) {
      QueryEngine engine = engines.engineFor(target);
      RowOutput.print(
          context,
          global.output(),
          limit,
          visitor -> engine.rows(new BoundQuery(sql, values), visitor));
    }
  }

  static Map<String, Object> parseParams(List<String> params) {
    Map<String, Object> values = new LinkedHashMap<>();
    for (String param : params) {
      int eq = param.indexOf('=');
      if (eq <= 0) {
        throw QuarryException.user(
            ErrorCode.PARAMETER_INVALID,
            "--param " + param + ": expected NAME=VALUE or NAME:TYPE=VALUE");
      }
      String name = param.substring(0, eq);
      String text = param.substring(eq + 1);
      ParameterType type = ParameterType.STRING;
      int colon = name.indexOf(':');
      if (colon >= 0) {
        String typeName = name.substring(colon + 1).toLowerCase(Locale.ROOT);
        name = name.substring(0, colon);
        type =
            java.util.Arrays.stream(ParameterType.values())
                .filter(t -> t.yamlName().equals(typeName))
                .findFirst()
                .orElseThrow(
                    () ->
                        QuarryException.user(
                            ErrorCode.PARAMETER_INVALID,
                            "--param "
                                + param
                                + ": unknown type '"
                                + typeName
                                + "'; valid: string, integer, number, boolean, timestamp, date"));
      }
      try {
        values.put(name, type.parse(text));
      } catch (IllegalArgumentException e) {
        throw QuarryException.user(
            ErrorCode.PARAMETER_INVALID, "--param " + name + ": " + e.getMessage());
      }
    }
    return values;
  }
}
