package dev.quarry.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quarry.action.Action;
import dev.quarry.action.ActionRegistry;
import dev.quarry.config.QuarryConfig;
import dev.quarry.config.QuarryConfig.S3Uri;
import dev.quarry.error.ErrorCode;
import dev.quarry.error.ProblemsException;
import dev.quarry.error.QuarryException;
import dev.quarry.iam.IamPolicies;
import dev.quarry.iam.PolicyDocument;
import dev.quarry.playbook.LoadResult;
import dev.quarry.playbook.Playbook;
import dev.quarry.playbook.PlaybookLoader;
import dev.quarry.query.QueryOutline;
import dev.quarry.query.QueryOutline.TableRef;
import dev.quarry.query.athena.AthenaSettings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code quarry iam-policy}: least-privilege IAM policies for running one playbook on AWS. */
@Command(
    name = "iam-policy",
    mixinStandardHelpOptions = true,
    description = {
      "Prints the least-privilege IAM policies for running one playbook on AWS (engine: athena,"
          + " executor: s3control), with one line per statement saying why it is there:",
      "  - the role S3 Batch Operations assumes: only the S3 actions the playbook's operation"
          + " needs, on its buckets (version actions only when the manifest names versions),"
          + " reading the manifest, writing the report, its KMS key or Lambda function;",
      "  - that role's trust policy (batchoperations.s3.amazonaws.com);",
      "  - the caller's policy (you or CI): Athena in the workgroup, the S3 Metadata tables,"
          + " the Athena result, manifest and report locations, the job, and iam:PassRole of the"
          + " role to Batch Operations only;",
      "  - for rollback-deletes, the rollback Lambda's execution-role policy.",
      "A report-only playbook (no action) needs the caller's policy only.",
      "",
      "The buckets come from --bucket, else the playbook's 'bucket:', else the metadata tables"
          + " the query names (\"s3tablescatalog/aws-s3\".\"b_<bucket>\".\"inventory\" or"
          + " \"journal\"). Account, role, locations and function come from the profile; a value it"
          + " lacks becomes a placeholder such as <account-id>, and a warning on stderr names the"
          + " settings to set. Nothing is called: the command only reads the playbook and the"
          + " profile.",
      ""
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  quarry iam-policy playbooks/restore-rainy-training.yaml --profile prod",
      "  quarry iam-policy playbooks/reencrypt-to-kms.yaml --account-id 111122223333 \\",
      "      --role-arn arn:aws:iam::111122223333:role/quarry-batch-operations",
      "  quarry iam-policy playbooks/rollback-deletes.yaml --bucket photos --bucket logs",
      "  quarry iam-policy playbooks/restore-rainy-training.yaml --output json > policies.json",
      "  jq .rolePolicy policies.json > role.json && aws iam put-role-policy \\",
      "      --role-name quarry-batch-operations --policy-name restore-rainy-training \\",
      "      --policy-document file://role.json",
      "",
      "JSON output: {\"playbook\", \"rolePolicy\", \"trustPolicy\", \"callerPolicy\","
          + " \"lambdaPolicy\" (rollback-deletes only), \"why\": {document: {Sid: reason}},"
          + " \"warnings\": [...]}; the policies are IAM documents as they are."
    })
public final class IamPolicyCommand implements Runnable {
  @Mixin GlobalOptions global;

  @Parameters(paramLabel = "PLAYBOOK", description = "The playbook file.")
  Path file;

  @Option(
      names = "--bucket",
      paramLabel = "BUCKET",
      description =
          "A bucket the job acts on, repeatable; replaces the buckets read from the query's"
              + " metadata table names.")
  List<String> buckets = new ArrayList<>();

  @Option(
      names = "--account-id",
      paramLabel = "ID",
      description = "The 12-digit AWS account (default: the profile's account-id).")
  String accountId;

  @Option(
      names = "--role-arn",
      paramLabel = "ARN",
      description = "The Batch Operations role (default: the profile's role-arn).")
  String roleArn;

  @Option(
      names = "--lake-formation",
      description =
          "The S3 Tables catalog is integrated through Lake Formation: also allow"
              + " lakeformation:GetDataAccess (which takes no resource, so \"*\").")
  boolean lakeFormation;

  @Option(
      names = "--source-account-condition",
      description =
          "Add aws:SourceAccount = the account to the trust policy. AWS's Batch Operations trust"
              + " policy has no condition, and a service that does not send the key makes the"
              + " condition fail: use it only where you have seen Batch Operations send it.")
  boolean sourceAccountCondition;

  private final CliContext context;

  public IamPolicyCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public void run() {
    if (global.output() == OutputFormat.csv) {
      throw QuarryException.user(
          ErrorCode.OPTION_INVALID, "iam-policy prints text or json, not csv");
    }
    LoadResult loaded = new PlaybookLoader().load(file);
    if (!loaded.valid()) {
      throw new ProblemsException(loaded.problems());
    }
    Playbook playbook = loaded.orThrow();
    QuarryConfig config = context.config(global);
    Optional<String> account = Optional.ofNullable(accountId).or(() -> config.aws().accountId());
    checkFlags();
    Optional<Action> action = playbook.action().map(ActionRegistry::create);
    String catalog = config.athena().catalog().orElse(AthenaSettings.DEFAULT_CATALOG);
    List<TableRef> tables =
        QueryOutline.metadataTables(playbook.query(), catalog, config.athena().database());
    List<String> warnings = new ArrayList<>();
    List<String> targets = buckets(playbook, tables, catalog, warnings);
    boolean versioned = action.map(a -> versioned(a, playbook, warnings)).orElse(false);

    IamPolicies.Result result =
        IamPolicies.build(
            new IamPolicies.Inputs(
                action,
                versioned,
                targets,
                tables,
                config.region(),
                account,
                Optional.ofNullable(roleArn).or(() -> config.aws().roleArn()),
                config.aws().manifestLocation(),
                config.aws().reportLocation(),
                config.aws().rollbackFunctionArn(),
                config.athena().workgroup().orElse(AthenaSettings.DEFAULT_WORKGROUP),
                catalog,
                config.athena().outputLocation().map(S3Uri::parse),
                lakeFormation,
                sourceAccountCondition));
    warnings.addAll(result.warnings());
    if (!result.missingSettings().isEmpty()) {
      warnings.add(0, missingSettingsWarning(config, result.missingSettings()));
    }
    warnings.forEach(w -> context.err().println("quarry: warning: " + w));
    switch (global.output()) {
      case json -> context.out().println(Json.write(json(playbook, result, warnings)));
      case text, csv -> text(playbook, action, versioned, targets, result);
    }
  }

  private void checkFlags() {
    if (accountId != null && !accountId.matches("\\d{12}")) {
      throw QuarryException.user(
          ErrorCode.OPTION_INVALID,
          "--account-id '" + accountId + "' is not a 12-digit AWS account id");
    }
    if (roleArn != null && !roleArn.matches("arn:aws[a-z-]*:iam::\\d{12}:role/.+")) {
      throw QuarryException.user(
          ErrorCode.OPTION_INVALID,
          "--role-arn '"
              + roleArn
              + "' is not an IAM role ARN such as"
              + " arn:aws:iam::111122223333:role/quarry-batch-operations");
    }
    for (String bucket : buckets) {
      if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
        throw QuarryException.user(
            ErrorCode.OPTION_INVALID,
            "--bucket '" + bucket + "' is not an S3 bucket name (3-63 of a-z, 0-9, '.', '-')");
      }
    }
  }

  /**
   * The --bucket flags, else the playbook's {@code bucket}, else the buckets of the metadata
   * namespaces the query names ({@code b_<bucket>}).
   */
  private List<String> buckets(
      Playbook playbook, List<TableRef> tables, String catalog, List<String> warnings) {
    if (!buckets.isEmpty()) {
      return List.copyOf(new LinkedHashSet<>(buckets));
    }
    if (playbook.bucket().isPresent()) {
      return List.of(playbook.bucket().get());
    }
    Set<String> found = new LinkedHashSet<>();
    for (TableRef table : tables) {
      String namespace = table.namespace();
      if (!namespace.startsWith("b_") || namespace.length() <= 2) {
        continue;
      }
      String name = namespace.substring(2);
      if (name.contains("_")) {
        // bucket names have no '_': S3 Metadata writes '-' and '.' as '_' in namespaces
        String guess = name.replace('_', '-');
        warnings.add(
            "namespace "
                + namespace
                + ": taking its bucket to be "
                + guess
                + " ('_' may also stand for '.'); pass --bucket to be sure");
        name = guess;
      }
      found.add(name);
    }
    if (found.isEmpty()) {
      throw QuarryException.user(
          ErrorCode.PLAYBOOK_INVALID,
          playbook.source()
              + ": cannot tell which buckets the playbook acts on: its query names no metadata"
              + " table such as \""
              + catalog
              + "\".\"b_<bucket>\".\"inventory\" and names no bucket: add 'bucket: BUCKET'"
              + " to it, or pass --bucket BUCKET");
    }
    return List.copyOf(found);
  }

  /** Whether the manifest will name versions, as a plan decides, from the query's text. */
  private static boolean versioned(Action action, Playbook playbook, List<String> warnings) {
    if (action.needsVersionId()) {
      return true;
    }
    if (!action.acceptsVersionId()) {
      return false;
    }
    Optional<Boolean> returns = QueryOutline.returnsColumn(playbook.query(), "version_id");
    if (returns.isEmpty()) {
      warnings.add(
          "cannot tell from the query's SELECT list whether it returns version_id, so the role"
              + " policy allows the version actions too; name the columns to narrow it");
      return true;
    }
    return returns.get();
  }

  private static String missingSettingsWarning(QuarryConfig config, List<String> settings) {
    List<String> flags = new ArrayList<>();
    if (settings.contains("account-id")) {
      flags.add("--account-id");
    }
    if (settings.contains("role-arn")) {
      flags.add("--role-arn");
    }
    return "placeholders such as <account-id> stand for settings profile '"
        + config.profile()
        + "' lacks; set "
        + String.join(", ", settings)
        + " in quarry.yaml"
        + (flags.isEmpty() ? "" : " (or pass " + String.join(", ", flags) + ")");
  }

  // ---------------------------------------------------------------- output

  private record Titled(String key, String title, PolicyDocument document) {}

  private static List<Titled> documents(IamPolicies.Result result) {
    List<Titled> documents = new ArrayList<>();
    result
        .rolePolicy()
        .ifPresent(
            d ->
                documents.add(
                    new Titled(
                        "rolePolicy",
                        "Batch Operations role: permissions policy (aws iam put-role-policy)",
                        d)));
    result
        .trustPolicy()
        .ifPresent(
            d ->
                documents.add(
                    new Titled(
                        "trustPolicy",
                        "Batch Operations role: trust policy (aws iam create-role"
                            + " --assume-role-policy-document)",
                        d)));
    documents.add(
        new Titled(
            "callerPolicy",
            "Caller policy: whoever runs quarry (a user, or CI's role)",
            result.callerPolicy()));
    result
        .lambdaPolicy()
        .ifPresent(
            d ->
                documents.add(
                    new Titled(
                        "lambdaPolicy",
                        "Rollback Lambda: execution-role policy (add CloudWatch Logs as your"
                            + " functions usually have)",
                        d)));
    return documents;
  }

  private ObjectNode json(Playbook playbook, IamPolicies.Result result, List<String> warnings) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("playbook", playbook.name());
    ObjectNode why = JsonNodeFactory.instance.objectNode();
    for (Titled titled : documents(result)) {
      root.set(titled.key(), titled.document().toJson());
      ObjectNode reasons = why.putObject(titled.key());
      titled.document().statements().forEach(s -> reasons.put(s.sid(), s.why()));
    }
    root.set("why", why);
    ArrayNode list = root.putArray("warnings");
    warnings.forEach(list::add);
    return root;
  }

  private void text(
      Playbook playbook,
      Optional<Action> action,
      boolean versioned,
      List<String> targets,
      IamPolicies.Result result) {
    PrintWriter out = context.out();
    out.printf(
        "IAM policies for %s: %s on %s%s%n",
        playbook.name(),
        action.map(a -> "action " + a.type()).orElse("a report (no action)"),
        String.join(", ", targets),
        action.isEmpty() ? "" : versioned ? ", manifest with version ids" : ", manifest of keys");
    for (Titled titled : documents(result)) {
      out.println();
      out.println("== " + titled.title());
      out.println(Json.write(titled.document().toJson()));
      for (PolicyDocument.Statement statement : titled.document().statements()) {
        out.println("  " + statement.sid() + ": " + statement.why());
      }
    }
  }
}
