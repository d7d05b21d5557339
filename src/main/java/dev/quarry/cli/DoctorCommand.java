package dev.quarry.cli;

import dev.quarry.config.QuarryConfig;
import dev.quarry.doctor.CheckResult;
import dev.quarry.doctor.CheckStatus;
import dev.quarry.doctor.Doctor;
import dev.quarry.doctor.ProfileChecks;
import dev.quarry.error.ErrorCode;
import dev.quarry.error.Problem;
import dev.quarry.error.ProblemsException;
import dev.quarry.error.QuarryException;
import dev.quarry.playbook.LoadResult;
import dev.quarry.playbook.PlaybookLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code quarry doctor}: checks a profile, changing nothing. */
@Command(
    name = "doctor",
    mixinStandardHelpOptions = true,
    description = {
      "Checks the chosen profile without changing anything, and prints a checklist: the settings"
          + " its engine and executor need, the region, the credentials and their account (STS"
          + " GetCallerIdentity, compared with account-id), the S3 endpoint and the buckets the"
          + " profile names (they exist, in the profile's region), the Athena workgroup (enabled,"
          + " where results go), the S3 Control API (ListJobs, one job at most), and the metadata"
          + " tables of the buckets given with --bucket or named by the playbooks given.",
      "Every check runs, each within --timeout; one failing stops none of the others.",
      "  ✓ works   ! works, but look   ✗ broken: what to do follows   - does not apply",
      "",
      "Examples:",
      "  quarry doctor",
      "  quarry doctor --profile aws --bucket starwatcher",
      "  quarry doctor playbooks/                 # the buckets the playbooks name",
      "  quarry doctor --output json              # {\"checks\":[{name, status, detail}]}",
      ""
    },
    footerHeading = "%nExit codes:%n",
    footer = {"  0   nothing failed (warnings allowed)", "  3   a check failed"})
public final class DoctorCommand implements Callable<Integer> {
  private static final int FAILED = 3;

  @Mixin GlobalOptions global;

  @Parameters(
      arity = "0..*",
      paramLabel = "PLAYBOOK",
      description = "Playbooks, or folders of them: check the metadata tables of their buckets.")
  List<Path> paths = new ArrayList<>();

  @Option(
      names = "--bucket",
      paramLabel = "BUCKET",
      description = "A bucket whose metadata tables to check, repeatable.")
  List<String> buckets = new ArrayList<>();

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      defaultValue = "10",
      description = "How long each check may take (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  private final CliContext context;

  public DoctorCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    if (global.output() == OutputFormat.csv) {
      throw QuarryException.user(ErrorCode.OPTION_INVALID, "doctor prints text or json, not csv");
    }
    if (timeoutSeconds < 1) {
      throw QuarryException.user(ErrorCode.OPTION_INVALID, "--timeout must be at least 1 second");
    }
    Set<String> metadataBuckets = new LinkedHashSet<>(buckets);
    metadataBuckets.addAll(playbookBuckets());
    List<CheckResult> results = new ArrayList<>();
    QuarryConfig config = null;
    try {
      config = context.config(global);
    } catch (QuarryException e) {
      results.add(CheckResult.fail("profile", e.getMessage()));
    }
    Duration timeout = Duration.ofSeconds(timeoutSeconds);
    if (config != null) {
      results.addAll(
          new Doctor(timeout)
              .run(new ProfileChecks(config, List.copyOf(metadataBuckets), timeout).checks()));
    } else {
      for (String name : List.of("region", "credentials", "identity", "s3 endpoint")) {
        results.add(CheckResult.skip(name, "the profile could not be read"));
      }
    }
    print(config, results);
    return results.stream().anyMatch(r -> r.status() == CheckStatus.FAIL) ? FAILED : 0;
  }

  private List<String> playbookBuckets() {
    List<String> found = new ArrayList<>();
    List<Problem> problems = new ArrayList<>();
    PlaybookLoader loader = new PlaybookLoader();
    for (Path file : PlaybookFiles.expand(paths)) {
      LoadResult loaded = loader.load(file);
      problems.addAll(loaded.problems());
      loaded.playbook().flatMap(p -> p.bucket()).ifPresent(found::add);
    }
    if (!problems.isEmpty()) {
      throw new ProblemsException(problems);
    }
    return found;
  }

  private void print(QuarryConfig config, List<CheckResult> results) {
    if (global.output() == OutputFormat.json) {
      List<Map<String, String>> checks = new ArrayList<>();
      for (CheckResult r : results) {
        Map<String, String> check = new LinkedHashMap<>();
        check.put("name", r.name());
        check.put("status", r.status().name().toLowerCase(Locale.ROOT));
        check.put("detail", r.detail());
        checks.add(check);
      }
      context.out().println(Json.write(Map.of("checks", checks)));
      return;
    }
    if (config != null) {
      context.out().printf("Profile %s%n", config.profile());
    }
    int width = results.stream().mapToInt(r -> r.name().length()).max().orElse(0);
    for (CheckResult r : results) {
      context
          .out()
          .printf(
              "%s %-" + width + "s  %s%n",
              mark(r.status()),
              r.name(),
              RowOutput.oneLine(r.detail()));
    }
    long failed = results.stream().filter(r -> r.status() == CheckStatus.FAIL).count();
    long warned = results.stream().filter(r -> r.status() == CheckStatus.WARN).count();
    context.out().printf("%d checks: %d failed, %d warnings%n", results.size(), failed, warned);
  }

  private static String mark(CheckStatus status) {
    return switch (status) {
      case OK -> "✓";
      case WARN -> "!";
      case FAIL -> "✗";
      case SKIP -> "-";
    };
  }
}
