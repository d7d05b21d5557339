package dev.quarry.cli;

import dev.quarry.app.PlanResult;
import dev.quarry.app.PlanRun;
import dev.quarry.config.QuarryConfig;
import dev.quarry.config.S3Clients;
import dev.quarry.cost.PriceList;
import dev.quarry.error.ErrorCode;
import dev.quarry.error.ProblemsException;
import dev.quarry.error.QuarryException;
import dev.quarry.io.AtomicFiles;
import dev.quarry.playbook.LoadResult;
import dev.quarry.playbook.Playbook;
import dev.quarry.playbook.PlaybookLoader;
import dev.quarry.query.EnginePool;
import dev.quarry.query.QueryEngines;
import dev.quarry.revert.RevertVerifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.LifecycleRule;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * {@code quarry revert}: a bucket (or a prefix) back to its state at a point in time, as one run of
 * a revert playbook that it writes, and the check that it is back.
 */
@Command(
    name = "revert",
    mixinStandardHelpOptions = true,
    description = {
      "Brings a bucket, or the keys under --prefix, back to its state at --to (UTC), from its"
          + " metadata tables (refresh them first: quarry metadata refresh --bucket B). One run"
          + " with one job per step: hide the keys created since (hide-keys: a new delete marker,"
          + " only where the key is still at the version planned), remove the delete markers"
          + " placed since (rollback-deletes: only delete markers), copy back the versions"
          + " overwritten since (revert-to-version, one job per storage class and encryption, each"
          + " kept), restoring archived versions first (restore, then the copy once the restored"
          + " copies are readable).",
      "It writes the revert as a playbook (manifests/<name>/playbooks/), so 'quarry resume',"
          + " 'quarry runs' and schedules treat it as any other run; the same playbook kind"
          + " (revert: { to, prefix }) can be written by hand. Each step has undo manifests beside"
          + " its manifest: what to run to return to the state before the revert.",
      "It refuses a bucket whose versioning is not Enabled, warns about lifecycle rules that"
          + " expire versions it relies on, and needs --max-objects and a confirmation (--yes, or"
          + " the prompt at a terminal). Not touched, and listed: versions of T permanently"
          + " deleted since, and keys whose only change since is their tags.",
      "--verify lists the bucket from the server (ListObjectVersions, not the tables) and"
          + " compares each key under the prefix with its state at T by content ETag (by"
          + " full-object checksum, else size, where the ETag is not the content's MD5: SSE-KMS,"
          + " SSE-C, multipart; those keys are listed); exit status 1 when any key differs.",
      "quarry undo RUN undoes a revert run: the keys it changed back to their state before it.",
      "",
      "Examples:",
      "  quarry revert --bucket photos --to 2026-11-30T12:00:00Z --prefix camera/ --dry-run",
      "  quarry revert --bucket photos --to 2026-11-30T12:00:00Z --prefix camera/"
          + " --max-objects 50000 --yes",
      "  quarry revert --verify --bucket photos --to 2026-11-30T12:00:00Z --prefix camera/",
      ""
    })
public final class RevertCommand implements Callable<Integer> {
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  @Mixin GlobalOptions global;

  @Option(names = "--bucket", required = true, paramLabel = "B", description = "The bucket.")
  String bucket;

  @Option(
      names = "--to",
      required = true,
      paramLabel = "T",
      description = "The point in time, ISO-8601 with Z or an offset: 2026-11-30T12:00:00Z (UTC).")
  String to;

  @Option(names = "--prefix", paramLabel = "P", description = "Only keys under this prefix.")
  String prefix;

  @Option(
      names = "--max-objects",
      paramLabel = "N",
      description = "The most objects the revert may change (required unless --dry-run/--verify).")
  Long maxObjects;

  @Option(
      names = "--restore-tier",
      paramLabel = "TIER",
      defaultValue = "BULK",
      description =
          "BULK, STANDARD or EXPEDITED, for archived versions (default: ${DEFAULT-VALUE}).")
  String restoreTier;

  @Option(
      names = "--restore-days",
      paramLabel = "DAYS",
      defaultValue = "2",
      description = "How long restored copies stay readable (default: ${DEFAULT-VALUE}).")
  int restoreDays;

  @Option(
      names = "--dry-run",
      description = "Plan only: the steps, counts, sample and undo manifests; nothing changes.")
  boolean dryRun;

  @Option(names = "--verify", description = "Compare the bucket with its state at T, and stop.")
  boolean verify;

  @Option(
      names = {"-y", "--yes"},
      description = "Confirm the revert's jobs without asking.")
  boolean yes;

  @Option(names = "--no-wait", description = "Submit the first job and return.")
  boolean noWait;

  @Mixin ExecutorOptions executor;

  private final CliContext context;

  public RevertCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    if (global.output() == OutputFormat.csv) {
      throw QuarryException.user(ErrorCode.OPTION_INVALID, "revert prints text or json, not csv");
    }
    Instant t = instant(to);
    if (t.isAfter(Instant.now())) {
      throw QuarryException.user(
          ErrorCode.OPTION_INVALID, "--to " + to + " is in the future: nothing to revert to yet");
    }
    QuarryConfig config = context.config(global);
    if (verify) {
      // a verification changes nothing and writes no playbook: a run's file stays as it ran
      return verify(config, t);
    }
    Playbook playbook = write(config, t);
    try (S3Client s3 = S3Clients.create(config, 1)) {
      checkBucket(s3);
    }
    if (dryRun) {
      PlanResult plan;
      try (EnginePool engines = QueryEngines.pool(config)) {
        plan =
            new PlanRun(
                    engines.engineFor(playbook.target()),
                    config.manifestsDir(),
                    Clock.systemUTC(),
                    PriceList.forEnvironment(context.environment()))
                .plan(playbook, Map.of());
      }
      if (global.output() == OutputFormat.json) {
        context.out().println(Json.write(Map.of("plans", List.of(plan))));
      } else {
        PlanRenderer.render(plan, context.out());
      }
      return 0;
    }
    return RunCommand.run(context, global, executor, playbook, Map.of(), yes, noWait);
  }

  /** T as an instant: an offset is required, so that nobody reverts to a local time by mistake. */
  static Instant instant(String text) {
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      throw QuarryException.user(
          ErrorCode.OPTION_INVALID,
          "--to '"
              + text
              + "' is not a point in time with its offset: write it in UTC, e.g."
              + " 2026-11-30T12:00:00Z");
    }
  }

  /**
   * The revert as a playbook file under the manifests folder, one per bucket, prefix and T: a
   * resumed run reads it again, and the playbook name (one per bucket) lets one revert of a bucket
   * run at a time.
   */
  private Playbook write(QuarryConfig config, Instant t) {
    String name = "revert-" + bucket.toLowerCase(Locale.ROOT).replace('.', '-');
    Map<String, Object> revert = new LinkedHashMap<>();
    revert.put("to", t.toString());
    if (prefix != null) {
      revert.put("prefix", prefix);
    }
    revert.put("restore-tier", restoreTier.toUpperCase(Locale.ROOT));
    revert.put("restore-days", restoreDays);
    Map<String, Object> limits = new LinkedHashMap<>();
    // a plan or a verification changes nothing: a limit is asked for when something would
    limits.put("max-objects", maxObjects != null ? maxObjects : Long.MAX_VALUE);
    limits.put("confirm", "required");
    Map<String, Object> yaml = new LinkedHashMap<>();
    yaml.put("name", name);
    yaml.put(
        "description",
        "Revert s3://" + bucket + "/" + (prefix == null ? "" : prefix) + " to its state at " + t);
    yaml.put("bucket", bucket);
    yaml.put("revert", revert);
    yaml.put("limits", limits);
    if (maxObjects == null && !dryRun && !verify) {
      throw QuarryException.user(
          ErrorCode.OPTION_INVALID,
          "a revert changes the bucket: give --max-objects N, the most objects it may change"
              + " (--dry-run shows how many it would)");
    }
    String text =
        "# written by quarry revert; quarry resume reads it again\n" + Json.write(yaml) + "\n";
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    // named by its content: other options make another file, and a file a run was planned from is
    // never rewritten (quarry resume checks its SHA-256)
    String digest;
    try {
      digest =
          java.util.HexFormat.of()
              .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes))
              .substring(0, 16);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
    Path path =
        config
            .manifestsDir()
            .resolve(name)
            .resolve("playbooks")
            .resolve(name + "-" + STAMP.format(t) + "-" + digest + ".yaml");
    if (!java.nio.file.Files.exists(path)) {
      AtomicFiles.write(path, bytes);
    }
    LoadResult loaded = new PlaybookLoader().load(path);
    if (!loaded.problems().isEmpty()) {
      throw new ProblemsException(loaded.problems());
    }
    return loaded.playbook().orElseThrow();
  }

  /** Refuses an unversioned bucket; warns about rules that expire what the revert relies on. */
  private void checkBucket(S3Client s3) {
    BucketVersioningStatus status;
    try {
      status = s3.getBucketVersioning(b -> b.bucket(bucket)).status();
    } catch (S3Exception e) {
      throw QuarryException.external(
          ErrorCode.S3_REQUEST_FAILED,
          "cannot read the versioning of bucket " + bucket + ": " + e.getMessage(),
          e);
    }
    if (status != BucketVersioningStatus.ENABLED) {
      throw QuarryException.user(
          ErrorCode.BUCKET_UNSUITABLE,
          "bucket "
              + bucket
              + " has versioning "
              + (status == null ? "never enabled" : status.toString())
              + ": a revert needs every version kept (a delete without a version id on a bucket"
              + " whose versioning is not Enabled removes data); enable versioning first");
    }
    List<LifecycleRule> rules;
    try {
      rules = s3.getBucketLifecycleConfiguration(b -> b.bucket(bucket)).rules();
    } catch (S3Exception e) {
      // NoSuchLifecycleConfiguration: nothing expires
      return;
    }
    for (LifecycleRule rule : rules) {
      if (!"Enabled".equals(rule.statusAsString())) {
        continue;
      }
      List<String> expires = new ArrayList<>();
      if (rule.noncurrentVersionExpiration() != null) {
        expires.add(
            "noncurrent versions after "
                + rule.noncurrentVersionExpiration().noncurrentDays()
                + " days");
      }
      if (rule.expiration() != null) {
        expires.add("current versions (Expiration)");
      }
      if (!expires.isEmpty()) {
        context
            .err()
            .println(
                "quarry: warning: lifecycle rule "
                    + Optional.ofNullable(rule.id()).orElse("(no id)")
                    + " of "
                    + bucket
                    + " expires "
                    + String.join(" and ", expires)
                    + ": versions the revert copies back may be gone before its jobs run");
      }
    }
  }

  private int verify(QuarryConfig config, Instant t) {
    RevertVerifier.Verification result;
    dev.quarry.query.QueryTarget target =
        new dev.quarry.query.QueryTarget(
            Optional.of(bucket),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            java.util.Set.of(
                dev.quarry.query.MetadataTable.JOURNAL, dev.quarry.query.MetadataTable.INVENTORY));
    try (EnginePool engines = QueryEngines.pool(config);
        S3Client s3 = S3Clients.create(config, 4)) {
      Map<String, RevertVerifier.Expected> atT =
          RevertVerifier.stateAt(engines.engineFor(target), bucket, t, Optional.ofNullable(prefix));
      result = RevertVerifier.verify(s3, bucket, Optional.ofNullable(prefix), atT);
    }
    if (global.output() == OutputFormat.json) {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("to", t.toString());
      out.put("verification", result);
      out.put("matches", result.matches());
      context.out().println(Json.write(out));
    } else {
      context
          .out()
          .printf(
              "s3://%s/%s at %s: %s of %s keys differ%n",
              bucket,
              prefix == null ? "" : prefix,
              t,
              Sizes.count(result.differences().size()),
              Sizes.count(result.keysCompared()));
      for (RevertVerifier.Difference d : result.differences()) {
        context
            .out()
            .printf(
                "  %-8s %s  (at T: %s, now: %s)%n",
                d.kind().name().toLowerCase(Locale.ROOT),
                RowOutput.oneLine(d.key()),
                d.expectedVersionId() == null
                    ? "-"
                    : d.expectedVersionId() + " " + d.expectedETag(),
                d.actualVersionId() == null ? "-" : d.actualVersionId() + " " + d.actualETag());
      }
      if (!result.comparedBySizeOnly().isEmpty()) {
        context
            .out()
            .printf(
                "%s keys compared by size only (ETags not content MD5s: SSE-KMS, SSE-C or"
                    + " multipart, and no full-object checksum on both versions):%n",
                Sizes.count(result.comparedBySizeOnly().size()));
        result
            .comparedBySizeOnly()
            .forEach(k -> context.out().println("  " + RowOutput.oneLine(k)));
      }
    }
    return result.matches() ? 0 : 1;
  }
}
