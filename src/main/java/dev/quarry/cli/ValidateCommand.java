package dev.quarry.cli;

import dev.quarry.config.QuarryConfig;
import dev.quarry.error.Problem;
import dev.quarry.playbook.LoadResult;
import dev.quarry.playbook.PlaybookLoader;
import dev.quarry.playbook.PlaybookValidator;
import dev.quarry.query.EnginePool;
import dev.quarry.query.QueryEngines;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code quarry validate}: checks playbooks without running anything, reporting every problem. */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description = {
      "Checks playbooks without running anything: YAML syntax, the playbook schema, the query's"
          + " parameters, cron and time zone, the action's options and the limits destructive"
          + " actions need.",
      "Reports every problem of every file at once, as file:line:column: field: message."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  quarry validate playbooks/",
      "      every *.yaml and *.yml below the folder, all problems at once",
      "  quarry validate restore.yaml --check-columns",
      "      also check the query returns bucket, key (and version_id)",
      "  quarry validate playbooks/ --output json",
      "      {\"files\":[{\"file\",\"valid\",\"problems\":[...]}]}, for scripts",
      "",
      "Exit codes: 0 all valid, 2 a problem was found."
    })
public final class ValidateCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;

  @Parameters(
      arity = "1..*",
      paramLabel = "PATH",
      description = "Playbook files, or folders searched for *.yaml and *.yml (recursively).")
  List<Path> paths;

  @Option(
      names = "--check-columns",
      description =
          "Also ask the query engine which columns each query returns, and check it returns"
              + " bucket, key (and version_id where the action needs it). Needs the local metadata"
              + " warehouse (quarry metadata refresh).")
  boolean checkColumns;

  private final CliContext context;
  private final Supplier<EnginePool> engines;

  public ValidateCommand(CliContext context) {
    this(context, null);
  }

  /** With the engines {@code --check-columns} uses; tests pass a fake one. */
  ValidateCommand(CliContext context, Supplier<EnginePool> engines) {
    this.context = context;
    this.engines = engines != null ? engines : this::profileEngines;
  }

  /** One file's verdict, as {@code --output json} prints it. */
  record FileReport(String file, boolean valid, List<Problem> problems) {}

  @Override
  public Integer call() {
    PlaybookLoader.warmUpInBackground();
    PlaybookLoader loader = new PlaybookLoader();
    List<LoadResult> loaded = new ArrayList<>();
    List<FileReport> reports = new ArrayList<>();
    for (Path path : paths) {
      List<Path> files = PlaybookFiles.expand(path);
      if (files.isEmpty()) {
        reports.add(
            new FileReport(
                path.toString(),
                false,
                List.of(
                    new Problem(path.toString(), 0, 0, "", "no *.yaml or *.yml file in folder"))));
      }
      for (Path file : files) {
        loaded.add(loader.load(file));
      }
    }
    List<List<Problem>> columnProblems = checkColumns ? columnProblems(loaded) : List.of();
    for (int i = 0; i < loaded.size(); i++) {
      LoadResult result = loaded.get(i);
      List<Problem> problems = new ArrayList<>(result.problems());
      if (checkColumns) {
        problems.addAll(columnProblems.get(i));
      }
      reports.add(new FileReport(result.file(), problems.isEmpty(), List.copyOf(problems)));
    }
    print(reports);
    return reports.stream().allMatch(FileReport::valid) ? 0 : 2;
  }

  private List<List<Problem>> columnProblems(List<LoadResult> loaded) {
    List<List<Problem>> problems = new ArrayList<>();
    if (loaded.stream().noneMatch(LoadResult::valid)) {
      loaded.forEach(r -> problems.add(List.of()));
      return problems;
    }
    try (EnginePool pool = engines.get()) {
      for (LoadResult result : loaded) {
        problems.add(
            result.playbook().isEmpty()
                ? List.of()
                : PlaybookValidator.checkColumns(
                    result, pool.engineFor(result.playbook().get().target())));
      }
    }
    return problems;
  }

  private EnginePool profileEngines() {
    QuarryConfig config = context.config(global);
    return QueryEngines.pool(config);
  }

  private void print(List<FileReport> reports) {
    if (global.output() == OutputFormat.json) {
      context.out().println(Json.write(Map.of("files", reports)));
      return;
    }
    int problems = 0;
    for (FileReport report : reports) {
      if (report.valid()) {
        context.out().println(report.file() + ": ok");
      }
      for (Problem problem : report.problems()) {
        context.out().println(problem);
        problems++;
      }
    }
    long invalid = reports.stream().filter(r -> !r.valid()).count();
    context
        .out()
        .println(
            reports.size()
                + (reports.size() == 1 ? " file" : " files")
                + " checked: "
                + (reports.size() - invalid)
                + " valid, "
                + invalid
                + " with problems"
                + (problems > 0
                    ? " (" + problems + (problems == 1 ? " problem)" : " problems)")
                    : ""));
  }
}
