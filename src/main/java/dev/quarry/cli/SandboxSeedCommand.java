package dev.quarry.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quarry.config.QuarryConfig;
import dev.quarry.config.S3Clients;
import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.sandbox.S3MockServer;
import dev.quarry.sandbox.SeedPlan;
import dev.quarry.sandbox.SeedSummary;
import dev.quarry.sandbox.Seeder;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** {@code quarry sandbox seed}: a realistic, reproducible demo bucket for the example playbooks. */
@Command(
    name = "seed",
    mixinStandardHelpOptions = true,
    description = {
      "Fills a versioned demo bucket on the sandbox (or --s3-endpoint) with reproducible content"
          + " for the example playbooks: camera images tagged weather/category in STANDARD,"
          + " STANDARD_IA, GLACIER and DEEP_ARCHIVE; service logs; AMI exports with ami-name and"
          + " instance-id metadata; keys with spaces, +, %%, commas, quotes and non-ASCII"
          + " characters. Every object is encrypted (about 30%% SSE-KMS with the sandbox's demo"
          + " key); some objects have 2-3 versions; about 1 in 30 camera objects is deleted last"
          + " (delete markers).",
      "Prints what the server accepted, including how many objects each example playbook"
          + " should select. Refuses a bucket that already holds objects unless --force.",
      "Also creates the jobs bucket (--jobs-bucket) where jobs sent through the sandbox's S3"
          + " Control API (executor: s3control) keep their manifests and completion reports.",
      "Only for local endpoints: without a running sandbox or --s3-endpoint it refuses.",
      ""
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  quarry sandbox seed",
      "  quarry sandbox seed --bucket demo --objects 300 -o json",
      "  quarry sandbox seed --force     # empty 'starwatcher' (every version) and seed again"
    })
public final class SandboxSeedCommand implements Runnable {
  /** Where the quickstart's s3control profile keeps manifests and reports. */
  static final String JOBS_BUCKET = "quarry-jobs";

  @Mixin GlobalOptions global;

  @Option(
      names = "--bucket",
      paramLabel = "NAME",
      defaultValue = SeedPlan.DEFAULT_BUCKET,
      description = "Bucket to create and fill (default: ${DEFAULT-VALUE}).")
  String bucket;

  @Option(
      names = "--jobs-bucket",
      paramLabel = "NAME",
      defaultValue = JOBS_BUCKET,
      description =
          "Bucket for the manifests and reports of S3 Control jobs, created if missing"
              + " (default: ${DEFAULT-VALUE}).")
  String jobsBucket;

  @Option(
      names = "--objects",
      paramLabel = "N",
      defaultValue = "" + SeedPlan.DEFAULT_OBJECTS,
      description =
          "Number of keys to create, at least "
              + SeedPlan.MIN_OBJECTS
              + "; proportions are kept (default: ${DEFAULT-VALUE}).")
  int objects;

  @Option(
      names = "--force",
      description = "Delete every version and delete marker already in the bucket, then seed.")
  boolean force;

  @Option(
      names = "--random-seed",
      paramLabel = "SEED",
      defaultValue = "" + SeedPlan.DEFAULT_SEED,
      description =
          "Seed of the generator; the same seed gives the same bucket (default: ${DEFAULT-VALUE}).")
  long randomSeed;

  @Option(
      names = "--concurrency",
      paramLabel = "N",
      defaultValue = "12",
      description = "Concurrent requests (default: ${DEFAULT-VALUE}).")
  int concurrency;

  private final CliContext context;

  public SandboxSeedCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public void run() {
    if (concurrency < 1 || concurrency > 64) {
      throw QuarryException.user(
          ErrorCode.OPTION_INVALID,
          "--concurrency must be between 1 and 64 (got " + concurrency + ")");
    }
    QuarryConfig config = context.config(global);
    if (config.s3Endpoint().isEmpty()) {
      throw QuarryException.user(
          ErrorCode.CONFIG_INVALID,
          "no sandbox is running and no S3 endpoint is configured; start one with 'quarry sandbox"
              + " up' or pass --s3-endpoint (seed never writes to AWS itself)");
    }
    // S3Mock accepts the bare key id, not the ARN; moto and S3 accept either
    SeedPlan plan = SeedPlan.generate(bucket, objects, randomSeed, S3MockServer.DEMO_KMS_KEY_ID);
    long started = System.nanoTime();
    SeedSummary summary;
    try (S3Client s3 = S3Clients.create(config, concurrency)) {
      summary = new Seeder(s3, concurrency, progress()).seed(plan, force);
      createIfMissing(s3, jobsBucket);
    } catch (SdkClientException e) {
      throw QuarryException.external(
          ErrorCode.S3_UNREACHABLE, "cannot reach " + config.s3Endpoint().orElseThrow(), e);
    } catch (S3Exception e) {
      throw QuarryException.external(
          ErrorCode.S3_REQUEST_FAILED,
          "the S3 endpoint " + config.s3Endpoint().orElseThrow() + " refused a request",
          e);
    } finally {
      if (context.interactive()) {
        context.err().print("\r\033[K");
        context.err().flush();
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    if (global.output() == OutputFormat.json) {
      ObjectNode json = Json.MAPPER.valueToTree(summary);
      json.put("jobsBucket", jobsBucket);
      context.out().println(Json.write(json));
      return;
    }
    print(summary, config, seconds);
    context
        .out()
        .printf(
            "  jobs bucket    s3://%s/ (manifests and reports of S3 Control jobs)%n", jobsBucket);
  }

  private static void createIfMissing(S3Client s3, String bucket) {
    try {
      s3.headBucket(b -> b.bucket(bucket));
    } catch (NoSuchBucketException e) {
      s3.createBucket(b -> b.bucket(bucket));
    }
  }

  private Seeder.Progress progress() {
    if (!context.interactive()) {
      return (done, total) -> {};
    }
    AtomicLong last = new AtomicLong();
    return (done, total) -> {
      long now = System.nanoTime();
      long before = last.get();
      if ((now - before > 100_000_000L || done == total) && last.compareAndSet(before, now)) {
        synchronized (context.err()) {
          context.err().printf("\rseeding %s: %d/%d requests", bucket, done, total);
          context.err().flush();
        }
      }
    };
  }

  private void print(SeedSummary s, QuarryConfig config, double seconds) {
    PrintWriter out = context.out();
    out.printf(
        "Seeded s3://%s at %s in %.1f s (random seed %d)%n",
        s.bucket(), config.s3Endpoint().orElseThrow(), seconds, s.seed());
    out.printf(
        "  objects        %d created, %d current, %d versions, %d overwritten, %d delete markers%n",
        s.objects(), s.currentObjects(), s.versions(), s.overwrittenObjects(), s.deleteMarkers());
    out.println("  current objects by prefix:         " + line(s.currentObjectsByPrefix()));
    out.println("  current objects by storage class:  " + line(s.currentObjectsByStorageClass()));
    out.println(
        "  current objects by encryption:     "
            + line(s.currentObjectsByEncryption())
            + " ("
            + s.bucketKeyObjects()
            + " with a bucket key; KMS key "
            + s.kmsKeyId()
            + ")");
    out.println("What the example playbooks should find:");
    var p = s.playbooks();
    out.printf(
        "  %5d  GLACIER/DEEP_ARCHIVE, weather=rain, category=training, not deleted (restore)%n",
        p.archivedRainyTraining());
    out.printf("  %5d  objects not under SSE-KMS (re-encrypt)%n", p.notSseKms());
    out.printf("  %5d  delete markers under camera/ (rollback deletes)%n", p.cameraDeleteMarkers());
    out.printf("  %5d  AMI exports with ami-name LIKE '%%AwsBackup%%'%n", p.awsBackupAmiExports());
    out.printf(
        "  %5d  current objects with older versions (revert to version)%n",
        p.overwrittenCurrentObjects());
    if (!s.refused().isEmpty()) {
      out.println("The server REFUSED some requests (not counted above):");
      for (var r : s.refused()) {
        out.printf(
            "  %d x %s: HTTP %d %s %s (e.g. %s)%n",
            r.count(), r.operation(), r.statusCode(), r.errorCode(), r.message(), r.example());
      }
    }
  }

  private static String line(Map<String, Integer> counts) {
    StringBuilder text = new StringBuilder();
    counts.forEach(
        (name, count) -> {
          if (text.length() > 0) {
            text.append(", ");
          }
          text.append(name).append(' ').append(count);
        });
    return text.toString();
  }
}
