package dev.quarry.iam;

import static java.util.Objects.requireNonNull;

import dev.quarry.action.Action;
import dev.quarry.action.RolePermissions;
import dev.quarry.config.QuarryConfig.S3Uri;
import dev.quarry.iam.PolicyDocument.Statement;
import dev.quarry.query.QueryOutline.TableRef;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The least-privilege IAM policies for running one playbook on AWS ({@code engine: athena}, {@code
 * executor: s3control}): the Batch Operations role's permissions and trust policies, the caller's
 * policy, and for rollback-deletes the rollback Lambda's. A value the profile lacks becomes a
 * marked placeholder such as {@code <account-id>}, listed in {@link Result#warnings()}; it never
 * widens into {@code *}. The only {@code "Resource": "*"} are for actions the Service Authorization
 * Reference lists without a resource type (s3:CreateJob, s3:ListJobs, lakeformation:GetDataAccess).
 */
public final class IamPolicies {
  public static final String BATCH_OPERATIONS = "batchoperations.s3.amazonaws.com";
  public static final String METADATA_TABLE_BUCKET = "aws-s3";

  private IamPolicies() {}

  /**
   * What the policies are built from.
   *
   * @param action the playbook's action; empty for a report-only playbook (caller policy only)
   * @param versioned whether the manifest names versions
   * @param buckets the buckets the job acts on (the metadata tables' buckets)
   * @param tables the metadata tables the query reads
   * @param catalog the Athena catalog, such as {@code s3tablescatalog/aws-s3}
   * @param athenaOutput the Athena result location; empty means the workgroup's own
   * @param lakeFormation whether the S3 Tables catalog is integrated through Lake Formation
   * @param sourceAccountCondition whether the trust policy names the account in {@code
   *     aws:SourceAccount}
   */
  public record Inputs(
      Optional<Action> action,
      boolean versioned,
      List<String> buckets,
      List<TableRef> tables,
      String region,
      Optional<String> accountId,
      Optional<String> roleArn,
      Optional<S3Uri> manifestLocation,
      Optional<S3Uri> reportLocation,
      Optional<String> rollbackFunctionArn,
      String workgroup,
      String catalog,
      Optional<S3Uri> athenaOutput,
      boolean lakeFormation,
      boolean sourceAccountCondition) {
    public Inputs {
      requireNonNull(action, "action is null");
      buckets = List.copyOf(requireNonNull(buckets, "buckets is null"));
      tables = List.copyOf(requireNonNull(tables, "tables is null"));
      requireNonNull(region, "region is null");
      requireNonNull(accountId, "accountId is null");
      requireNonNull(roleArn, "roleArn is null");
      requireNonNull(manifestLocation, "manifestLocation is null");
      requireNonNull(reportLocation, "reportLocation is null");
      requireNonNull(rollbackFunctionArn, "rollbackFunctionArn is null");
      requireNonNull(workgroup, "workgroup is null");
      requireNonNull(catalog, "catalog is null");
      requireNonNull(athenaOutput, "athenaOutput is null");
      if (buckets.isEmpty()) {
        throw new IllegalArgumentException("no bucket: the policies would grant nothing to act on");
      }
    }
  }

  /**
   * The policies; role, trust and lambda are empty where the playbook needs none.
   *
   * @param missingSettings the profile settings placeholders stand for, such as {@code account-id}
   */
  public record Result(
      Optional<PolicyDocument> rolePolicy,
      Optional<PolicyDocument> trustPolicy,
      PolicyDocument callerPolicy,
      Optional<PolicyDocument> lambdaPolicy,
      List<String> missingSettings,
      List<String> warnings) {
    public Result {
      requireNonNull(rolePolicy, "rolePolicy is null");
      requireNonNull(trustPolicy, "trustPolicy is null");
      requireNonNull(callerPolicy, "callerPolicy is null");
      requireNonNull(lambdaPolicy, "lambdaPolicy is null");
      missingSettings = List.copyOf(requireNonNull(missingSettings, "missingSettings is null"));
      warnings = List.copyOf(requireNonNull(warnings, "warnings is null"));
    }
  }

  public static Result build(Inputs in) {
    return new Builder(in).build();
  }

  /** Holds the placeholders and warnings of one build. */
  private static final class Builder {
    private final Inputs in;
    private final Set<String> missing = new LinkedHashSet<>();
    private final List<String> warnings = new ArrayList<>();

    Builder(Inputs in) {
      this.in = in;
    }

    Result build() {
      Optional<RolePermissions> permissions =
          in.action().map(a -> a.rolePermissions(in.versioned()));
      Optional<PolicyDocument> role = permissions.map(this::rolePolicy);
      Optional<PolicyDocument> trust = in.action().map(a -> trustPolicy());
      PolicyDocument caller = callerPolicy(in.action().isPresent());
      Optional<PolicyDocument> lambda =
          permissions.flatMap(RolePermissions::function).map(this::lambdaPolicy);
      return new Result(role, trust, caller, lambda, List.copyOf(missing), warnings);
    }

    // ------------------------------------------------------------ the Batch Operations role

    private PolicyDocument rolePolicy(RolePermissions p) {
      List<Statement> statements = new ArrayList<>();
      if (!p.objectActions().isEmpty()) {
        statements.add(
            Statement.allow(
                "OperationOnObjects",
                p.objectActions(),
                objectArns(),
                p.why() + (in.versioned() ? " (versions named in the manifest)" : "")));
      }
      if (!p.bucketActions().isEmpty()) {
        statements.add(
            Statement.allow("OperationOnBuckets", p.bucketActions(), bucketArns(), p.why()));
      }
      p.kmsKey()
          .ifPresent(
              key ->
                  statements.add(
                      Statement.allow(
                          "UseKmsKey",
                          key.actions(),
                          List.of(kmsKeyArn(key.key())),
                          "the operation encrypts with KMS key "
                              + key.key()
                              + " (GenerateDataKey) and reads what it wrote (Decrypt); objects"
                              + " under another KMS key also need kms:Decrypt on that key")));
      p.function()
          .ifPresent(
              function ->
                  statements.add(
                      Statement.allow(
                          "InvokeFunction",
                          List.of("lambda:InvokeFunction"),
                          List.of(functionArn(function)),
                          p.why())));
      S3Uri manifest = manifestLocation();
      statements.add(
          Statement.allow(
              "ReadManifest",
              List.of("s3:GetObject"),
              List.of(objectsUnder(manifest)),
              "Batch Operations reads the manifest Quarry uploads under "
                  + manifest
                  + " (CreateJob names no ObjectVersionId, so the current version:"
                  + " s3:GetObject only)"));
      S3Uri report = reportLocation();
      statements.add(
          Statement.allow(
              "WriteReport",
              List.of("s3:PutObject"),
              List.of(objectsUnder(report)),
              "Batch Operations writes the completion report under " + report));
      statements.add(
          Statement.allow(
              "ReportBucketLocation",
              List.of("s3:GetBucketLocation"),
              List.of(Arns.s3Bucket(in.region(), report.bucket())),
              "Batch Operations checks the report bucket's Region before writing to it"));
      return new PolicyDocument(statements);
    }

    private PolicyDocument trustPolicy() {
      Statement assume =
          new Statement(
              "BatchOperationsAssumesRole",
              Optional.of(Map.of("Service", BATCH_OPERATIONS)),
              List.of("sts:AssumeRole"),
              List.of(),
              Map.of(),
              "S3 Batch Operations assumes this role to run the job (AWS: \"Granting"
                  + " permissions for Batch Operations\", trust policy). Only a principal with"
                  + " iam:PassRole on this role, in this account, can hand it to a job");
      if (in.sourceAccountCondition()) {
        assume = assume.when("StringEquals", "aws:SourceAccount", account());
      }
      return new PolicyDocument(List.of(assume));
    }

    // ------------------------------------------------------------ the caller

    private PolicyDocument callerPolicy(boolean submitsJobs) {
      List<Statement> statements = new ArrayList<>();
      statements.add(
          Statement.allow(
              "RunAthenaQueries",
              List.of(
                  "athena:GetQueryExecution",
                  "athena:GetQueryResults",
                  "athena:StartQueryExecution",
                  "athena:StopQueryExecution"),
              List.of(Arns.of("athena", in.region(), account(), "workgroup/" + in.workgroup())),
              "Quarry starts the query in workgroup "
                  + in.workgroup()
                  + ", polls it, reads its column names (GetQueryResults, one row) and stops it"
                  + " on timeout or interrupt; the rows are read from the result object"));
      statements.add(
          Statement.allow(
              "ReadMetadataCatalog",
              List.of("glue:GetCatalog", "glue:GetDatabase", "glue:GetTable"),
              glueArns(),
              "Athena resolves the metadata tables through the Glue Data Catalog's federated "
                  + in.catalog()
                  + " catalog: the catalog, each namespace and each table"));
      statements.add(
          Statement.allow(
              "ReadMetadataTables",
              List.of(
                  "s3tables:GetTable",
                  "s3tables:GetTableData",
                  "s3tables:GetTableMetadataLocation"),
              List.of(
                  tableBucketArn(),
                  tableBucketArn()
                      + "/table/*" /* table ARNs end in table ids, not names (AWS's own example) */),
              "Athena reads the S3 Metadata tables in the AWS-managed table bucket aws-s3 (AWS:"
                  + " \"Permissions for querying metadata tables\"); tables are named by id, so"
                  + " table/* within the bucket"));
      if (in.lakeFormation()) {
        statements.add(
            Statement.allow(
                "LakeFormationDataAccess",
                List.of("lakeformation:GetDataAccess"),
                List.of("*"),
                "the S3 Tables catalog is integrated through Lake Formation, which vends the"
                    + " table data's credentials; GetDataAccess has no resource type (Service"
                    + " Authorization Reference), so *"));
      }
      S3Uri output = athenaOutput();
      statements.add(
          Statement.allow(
              "WriteAthenaResults",
              List.of(
                  "s3:AbortMultipartUpload",
                  "s3:GetObject",
                  "s3:ListMultipartUploadParts",
                  "s3:PutObject"),
              List.of(objectsUnder(output)),
              "Athena writes the query's result under "
                  + output
                  + " as the caller, and Quarry streams the rows from that object"));
      statements.add(
          Statement.allow(
                  "ListAthenaResults",
                  List.of("s3:ListBucket"),
                  List.of(Arns.s3Bucket(in.region(), output.bucket())),
                  "Athena lists its result location (AWS: \"Amazon S3 permissions for Athena query"
                      + " results locations\"); only under its prefix")
              .when("StringLike", "s3:prefix", output.prefix() + "*"));
      statements.add(
          Statement.allow(
              "AthenaResultsBucket",
              List.of("s3:GetBucketLocation", "s3:ListBucketMultipartUploads"),
              List.of(Arns.s3Bucket(in.region(), output.bucket())),
              "Athena checks the result bucket's Region and its unfinished uploads"));
      statements.add(
          Statement.allow(
              "ReadMetadataConfiguration",
              List.of("s3:GetBucketMetadataTableConfiguration"),
              bucketArns(),
              "Quarry reads each bucket's metadata table namespace (GetBucketMetadataConfiguration"
                  + " is authorized by s3:GetBucketMetadataTableConfiguration)"));
      if (!submitsJobs) {
        return new PolicyDocument(statements);
      }
      S3Uri manifest = manifestLocation();
      statements.add(
          Statement.allow(
              "UploadManifest",
              List.of("s3:AbortMultipartUpload", "s3:PutObject"),
              List.of(objectsUnder(manifest)),
              "Quarry uploads the manifest under "
                  + manifest
                  + " (in parts above 64 MiB: PutObject covers each step of a multipart upload;"
                  + " one that fails is aborted)"));
      S3Uri report = reportLocation();
      statements.add(
          Statement.allow(
              "ReadReport",
              List.of("s3:GetObject"),
              List.of(objectsUnder(report)),
              "Quarry reads the completion report under " + report));
      statements.add(
          Statement.allow(
                  "ListReport",
                  List.of("s3:ListBucket"),
                  List.of(Arns.s3Bucket(in.region(), report.bucket())),
                  "Quarry reads the report's files by key; without s3:ListBucket a report not"
                      + " written yet answers 403 AccessDenied instead of 404 NoSuchKey; only"
                      + " under its prefix")
              .when("StringLike", "s3:prefix", report.prefix() + "*"));
      statements.add(
          Statement.allow(
              "CreateJob",
              List.of("s3:CreateJob"),
              List.of("*"),
              "Quarry submits the job; s3:CreateJob has no resource type (Service Authorization"
                  + " Reference), so *"));
      statements.add(
          Statement.allow(
              "TrackJobs",
              List.of("s3:DescribeJob", "s3:UpdateJobStatus"),
              List.of(Arns.of("s3", in.region(), account(), "job/*")),
              "Quarry tracks the job and confirms or cancels it; job ids are not known before"
                  + " CreateJob, so every job of the account in "
                  + in.region()));
      statements.add(
          Statement.allow(
              "ListJobs",
              List.of("s3:ListJobs"),
              List.of("*"),
              "Quarry lists jobs (quarry jobs); s3:ListJobs has no resource type (Service"
                  + " Authorization Reference), so *"));
      statements.add(
          Statement.allow(
                  "PassRoleToBatchOperations",
                  List.of("iam:PassRole"),
                  List.of(roleArn()),
                  "CreateJob hands this role to Batch Operations, and to nothing else")
              .when("StringEquals", "iam:PassedToService", BATCH_OPERATIONS));
      return new PolicyDocument(statements);
    }

    // ------------------------------------------------------------ the rollback Lambda

    private PolicyDocument lambdaPolicy(RolePermissions.FunctionUse function) {
      List<Statement> statements = new ArrayList<>();
      if (!function.bucketActions().isEmpty()) {
        statements.add(
            Statement.allow(
                "FunctionOnBuckets", function.bucketActions(), bucketArns(), function.why()));
      }
      if (!function.objectActions().isEmpty()) {
        statements.add(
            Statement.allow(
                "FunctionOnObjects", function.objectActions(), objectArns(), function.why()));
      }
      return new PolicyDocument(statements);
    }

    // ------------------------------------------------------------ names

    private List<String> bucketArns() {
      return in.buckets().stream().map(b -> Arns.s3Bucket(in.region(), b)).toList();
    }

    private List<String> objectArns() {
      return in.buckets().stream().map(b -> Arns.s3Object(in.region(), b, "*")).toList();
    }

    private String objectsUnder(S3Uri location) {
      return Arns.s3Object(in.region(), location.bucket(), location.prefix() + "*");
    }

    private String account() {
      return in.accountId().orElseGet(() -> placeholder("account-id", "<account-id>"));
    }

    private String roleArn() {
      return in.roleArn()
          .orElseGet(
              () ->
                  placeholder(
                      "role-arn",
                      "arn:"
                          + Arns.partition(in.region())
                          + ":iam::"
                          + account()
                          + ":role/<batch-operations-role>"));
    }

    private S3Uri manifestLocation() {
      return in.manifestLocation()
          .orElseGet(
              () -> {
                missing.add("manifest-location");
                return new S3Uri("<manifest-bucket>", "<manifest-prefix>/");
              });
    }

    private S3Uri reportLocation() {
      return in.reportLocation()
          .orElseGet(
              () -> {
                missing.add("report-location");
                return new S3Uri("<report-bucket>", "<report-prefix>/");
              });
    }

    private S3Uri athenaOutput() {
      return in.athenaOutput()
          .orElseGet(
              () -> {
                missing.add("athena-output");
                return new S3Uri("<athena-output-bucket>", "<athena-output-prefix>/");
              });
    }

    private String functionArn(RolePermissions.FunctionUse function) {
      return function
          .arn()
          .or(in::rollbackFunctionArn)
          .orElseGet(() -> placeholder("rollback-function-arn", "<rollback-function-arn>"));
    }

    private String kmsKeyArn(String key) {
      if (key.startsWith("arn:") && key.contains(":key/")) {
        return key;
      }
      String prefix = Arns.of("kms", in.region(), account(), "key/");
      if (key.startsWith("alias/") || key.contains(":alias/")) {
        // IAM cannot name a key by its alias in Resource for cryptographic operations
        warnings.add(
            "kms-key "
                + key
                + " is an alias: IAM policies name keys by id, so the policy has a placeholder;"
                + " give the key's ARN or id in the playbook");
        return prefix + "<key-id-of-" + key.substring(key.indexOf("alias/")) + ">";
      }
      return prefix + key;
    }

    private String tableBucketArn() {
      return Arns.of("s3tables", in.region(), account(), "bucket/" + METADATA_TABLE_BUCKET);
    }

    /** The catalog, each namespace and each table, as Glue authorizes a GetTable. */
    private List<String> glueArns() {
      String prefix = Arns.of("glue", in.region(), account(), "");
      List<String> arns = new ArrayList<>();
      arns.add(prefix + "catalog");
      // a federated catalog name such as s3tablescatalog/aws-s3 is a child of s3tablescatalog
      String catalog = in.catalog();
      int slash = catalog.indexOf('/');
      if (slash > 0) {
        arns.add(prefix + "catalog/" + catalog.substring(0, slash));
      }
      arns.add(prefix + "catalog/" + catalog);
      List<TableRef> tables = in.tables();
      if (tables.isEmpty()) {
        warnings.add(
            "the query names no metadata table Quarry recognizes, so the Glue resources have"
                + " placeholders; name them as \""
                + catalog
                + "\".\"b_<bucket>\".\"inventory\" (or journal)");
        arns.add(prefix + "database/" + catalog + "/<namespace>");
        arns.add(prefix + "table/" + catalog + "/<namespace>/<table>");
        return arns;
      }
      tables.stream()
          .map(TableRef::namespace)
          .distinct()
          .forEach(ns -> arns.add(prefix + "database/" + catalog + "/" + ns));
      tables.forEach(
          t -> arns.add(prefix + "table/" + catalog + "/" + t.namespace() + "/" + t.table()));
      return arns;
    }

    private String placeholder(String setting, String text) {
      missing.add(setting);
      return text;
    }
  }
}
