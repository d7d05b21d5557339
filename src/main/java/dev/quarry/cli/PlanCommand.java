package dev.quarry.cli;

import dev.quarry.app.ParameterBinder;
import dev.quarry.app.PlanResult;
import dev.quarry.app.PlanRun;
import dev.quarry.config.QuarryConfig;
import dev.quarry.cost.PriceList;
import dev.quarry.error.ErrorCode;
import dev.quarry.error.Problem;
import dev.quarry.error.ProblemsException;
import dev.quarry.error.QuarryException;
import dev.quarry.playbook.LoadResult;
import dev.quarry.playbook.Playbook;
import dev.quarry.playbook.PlaybookLoader;
import dev.quarry.query.BoundQuery;
import dev.quarry.query.EnginePool;
import dev.quarry.query.QueryEngine;
import dev.quarry.query.QueryEngines;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code quarry plan}: the dry run of one or more playbooks. */
@Command(
    name = "plan",
    mixinStandardHelpOptions = true,
    description = {
      "Dry run: runs each playbook's query, writes its manifest under"
          + " manifests/<playbook>/<run-id>/ (manifest.csv and manifest.json), and prints how many"
          + " objects and bytes it selects, by storage class and by prefix, a sample, the exact S3"
          + " Batch Operations operation that would be submitted, what it would cost, and any limit"
          + " it would exceed.",
      "The cost estimate uses the bundled us-east-1 list prices (dated), or the YAML price file"
          + " QUARRY_PRICES_FILE names (a copy of the bundled one, changed).",
      "It changes nothing in any bucket. A playbook without an action (a report) prints its"
          + " query's rows instead.",
      "",
      "Examples:",
      "  quarry plan playbooks/restore-rainy-training.yaml",
      "  quarry plan playbooks/restore-rainy-training.yaml --param weather=snow",
      "  quarry plan playbooks/ --output json",
      ""
    })
public final class PlanCommand implements Runnable {
  private static final long REPORT_ROWS = 50;

  @Mixin GlobalOptions global;

  @Parameters(
      arity = "1..*",
      paramLabel = "PLAYBOOK",
      description = "Playbook files, or folders of them (*.yaml, *.yml).")
  List<Path> paths;

  @Option(
      names = {"-p", "--param"},
      paramLabel = "NAME=VALUE",
      description = "A value for a parameter the playbooks declare, repeatable; typed as declared.")
  Map<String, String> params = new LinkedHashMap<>();

  private final CliContext context;
  private boolean several;

  public PlanCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public void run() {
    if (global.output() == OutputFormat.csv) {
      throw QuarryException.user(ErrorCode.OPTION_INVALID, "plan prints text or json, not csv");
    }
    List<Playbook> playbooks = load();
    QuarryConfig config = context.config(global);
    // a bad price file stops the plan before the first query runs
    PriceList prices = PriceList.forEnvironment(context.environment());
    List<PlanResult> plans = new ArrayList<>();
    try (EnginePool engines = QueryEngines.pool(config)) {
      // every playbook's tables are resolved (on Athena: its bucket's metadata configuration read)
      // before the first query runs, so a bucket without metadata tables stops the plan at once
      List<QueryEngine> chosen =
          playbooks.stream().map(p -> engines.engineFor(p.target())).toList();
      for (int i = 0; i < playbooks.size(); i++) {
        Playbook playbook = playbooks.get(i);
        QueryEngine engine = chosen.get(i);
        if (playbook.action().isEmpty() && playbook.revert().isEmpty()) {
          report(engine, playbook);
          continue;
        }
        PlanResult plan =
            new PlanRun(engine, config.manifestsDir(), Clock.systemUTC(), prices)
                .plan(playbook, paramsFor(playbook));
        plans.add(plan);
        if (global.output() == OutputFormat.text) {
          PlanRenderer.render(plan, context.out());
          context.out().println();
        }
      }
    }
    if (global.output() == OutputFormat.json) {
      context.out().println(Json.write(Map.of("plans", plans)));
    }
  }

  /** Every playbook, or every problem of every file at once. */
  private List<Playbook> load() {
    PlaybookLoader loader = new PlaybookLoader();
    List<Playbook> playbooks = new ArrayList<>();
    List<Problem> problems = new ArrayList<>();
    for (Path file : PlaybookFiles.expand(paths)) {
      LoadResult loaded = loader.load(file);
      problems.addAll(loaded.problems());
      loaded.playbook().ifPresent(playbooks::add);
    }
    if (!problems.isEmpty()) {
      throw new ProblemsException(problems);
    }
    several = playbooks.size() > 1;
    if (several) {
      // a --param must mean something to at least one of them
      for (String name : params.keySet()) {
        if (playbooks.stream().noneMatch(p -> p.parameters().containsKey(name))) {
          throw QuarryException.user(
              ErrorCode.PARAMETER_INVALID, "--param " + name + ": no playbook declares it");
        }
      }
    }
    return playbooks;
  }

  /**
   * The --param values for one playbook. With one playbook every value must be its own (an unknown
   * one is an error); with several, each takes the ones it declares.
   */
  private Map<String, String> paramsFor(Playbook playbook) {
    Map<String, String> own = new LinkedHashMap<>(params);
    if (several) {
      own.keySet().retainAll(playbook.parameters().keySet());
    }
    return own;
  }

  /** A report-only playbook: its rows, as {@code quarry query} prints them. */
  private void report(QueryEngine engine, Playbook playbook) {
    BoundQuery query =
        new BoundQuery(playbook.query(), ParameterBinder.bind(playbook, paramsFor(playbook)));
    if (global.output() == OutputFormat.text) {
      context.out().printf("Report %s (no action: nothing would be submitted)%n", playbook.name());
      RowOutput.print(
          context, OutputFormat.text, REPORT_ROWS, visitor -> engine.rows(query, visitor));
      context.out().println();
    }
    // json output carries plans only; a script wanting a report's rows uses quarry query
  }
}
