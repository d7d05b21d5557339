package dev.quarry.sandbox.control;

import static java.util.Objects.requireNonNull;

import dev.quarry.action.ActionRegistry;
import dev.quarry.action.OperationView;
import dev.quarry.error.QuarryException;
import dev.quarry.io.AtomicFiles;
import dev.quarry.io.StateDirectory;
import dev.quarry.job.JobRecord;
import dev.quarry.job.JobRequest;
import dev.quarry.job.JobStatus;
import dev.quarry.job.ProgressListener;
import dev.quarry.job.local.CompletionReports;
import dev.quarry.job.local.LocalBatchJobs;
import dev.quarry.playbook.ActionSpec;
import dev.quarry.playbook.ReportSpec;
import dev.quarry.report.ReportLocation;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.w3c.dom.Element;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3control.model.CreateJobRequest;
import software.amazon.awssdk.services.s3control.model.JobDescriptor;
import software.amazon.awssdk.services.s3control.model.JobFailure;
import software.amazon.awssdk.services.s3control.model.JobListDescriptor;
import software.amazon.awssdk.services.s3control.model.JobManifest;
import software.amazon.awssdk.services.s3control.model.JobManifestLocation;
import software.amazon.awssdk.services.s3control.model.JobProgressSummary;
import software.amazon.awssdk.services.s3control.model.JobReport;
import software.amazon.awssdk.services.s3control.model.JobTimers;
import software.amazon.awssdk.services.s3control.model.ListJobsResponse;
import software.amazon.awssdk.services.s3control.model.S3Tag;
import software.amazon.awssdk.services.s3control.model.UpdateJobPriorityResponse;
import software.amazon.awssdk.services.s3control.model.UpdateJobStatusResponse;

/**
 * The S3 Batch Operations jobs of every account the endpoint has seen, run by Quarry's local
 * executor. Each account has a {@link LocalBatchJobs} of its own under {@code
 * <root>/accounts/<accountId>/jobs}, so client request tokens, listings and job ids never cross
 * accounts; beside it, each job's CreateJob request as received ({@code requests/<jobId>.xml}, what
 * DescribeJob shows), its last status update reason, and its manifest as downloaded from S3.
 *
 * <p>Ready jobs run on one background thread, one job at a time, in the order they became Ready
 * (AWS runs several and favours higher priorities; a sandbox has no need to).
 */
final class ControlJobs implements AutoCloseable {
  private static final String PLAYBOOK = "s3control";
  private static final String ARN_S3 = "arn:aws:s3:::";
  private static final int MAX_FAILURE_REASON = 256;

  private final Path root;
  private final S3Client s3;
  private final String region;
  private final LocalBatchJobs.Settings settings;
  private final Clock clock;
  private final Map<String, LocalBatchJobs> accounts = new ConcurrentHashMap<>();
  private final ExecutorService runner;

  ControlJobs(
      Path root, S3Client s3, String region, LocalBatchJobs.Settings settings, Clock clock) {
    this.root = requireNonNull(root, "root is null");
    this.s3 = requireNonNull(s3, "s3 is null");
    this.region = requireNonNull(region, "region is null");
    this.settings = requireNonNull(settings, "settings is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.runner =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "quarry-control-runner");
              t.setDaemon(true);
              return t;
            });
    resumeUnfinished();
  }

  // ---------------------------------------------------------------- CreateJob

  /** CreateJob: the job id, the same one again for a token this account has used. */
  String create(String account, byte[] body) {
    Element document = SdkXml.parse(body);
    if (!document.getLocalName().equals("CreateJobRequest")) {
      throw ControlError.malformedXml(
          "expected a CreateJobRequest document, not " + document.getLocalName());
    }
    CreateJobRequest request = SdkXml.read(document, CreateJobRequest.builder());
    validate(request);
    synchronized (lock(account)) {
      Optional<JobRecord> existing =
          jobs(account).list().stream()
              .filter(j -> j.clientRequestToken().equals(request.clientRequestToken()))
              .findFirst();
      if (existing.isPresent()) {
        Optional<CreateJobRequest> earlier = storedRequest(account, existing.get().jobId());
        if (earlier.isPresent() && !earlier.get().equals(request)) {
          throw ControlError.idempotency(
              "ClientRequestToken "
                  + request.clientRequestToken()
                  + " was used for a different CreateJob request (job "
                  + existing.get().jobId()
                  + ")");
        }
        if (earlier.isEmpty()) {
          // the endpoint stopped between submitting the job and keeping its request: keep it now,
          // or DescribeJob and ListJobs would never show the job
          write(
              requestFile(account, existing.get().jobId()),
              SdkXml.write("CreateJobRequest", request));
        }
        return existing.get().jobId();
      }
      boolean versionIds = request.manifest().spec().fieldsAsStrings().contains("VersionId");
      ActionSpec action = OperationMapping.actionFor(request.operation(), versionIds);
      Downloaded manifest = download(account, request.clientRequestToken(), request.manifest());
      String etag = localEtag(manifest, request.manifest().location());
      OperationMapping.copyTarget(request.operation())
          .ifPresent(target -> requireRowsIn(manifest.file(), target));
      JobRecord job = jobs(account).submit(jobRequest(request, action, manifest.file(), etag));
      write(requestFile(account, job.jobId()), SdkXml.write("CreateJobRequest", request));
      if (job.status() == JobStatus.READY) {
        enqueue(account, job.jobId());
      }
      return job.jobId();
    }
  }

  /** Every problem of the request at once, as one 400. */
  private static void validate(CreateJobRequest request) {
    List<String> problems = new ArrayList<>();
    String token = request.clientRequestToken();
    if (token == null || token.isEmpty() || token.length() > 64) {
      problems.add("ClientRequestToken is required and must be 1 to 64 characters");
    }
    if (request.priority() == null) {
      problems.add("Priority is required");
    } else if (request.priority() < 0) {
      problems.add("Priority must be between 0 and 2147483647, not " + request.priority());
    }
    if (request.roleArn() == null) {
      problems.add("RoleArn is required");
    } else if (!request.roleArn().matches("arn:[^:]+:iam::\\d{12}:role/.*")
        || request.roleArn().length() > 2048) {
      problems.add("RoleArn is not an IAM role ARN: " + request.roleArn());
    }
    // the model's lengths count characters: an emoji is one, not two UTF-16 units
    if (request.description() != null
        && (request.description().isEmpty()
            || request.description().codePointCount(0, request.description().length()) > 256)) {
      problems.add("Description must be 1 to 256 characters");
    }
    if (request.operation() == null) {
      problems.add("Operation is required");
    }
    validateReport(request.report(), problems);
    validateManifest(request, problems);
    validateTags("Tags", request.tags(), problems);
    if (request.operation() != null && request.operation().s3PutObjectTagging() != null) {
      validateTags(
          "Operation.S3PutObjectTagging.TagSet",
          request.operation().s3PutObjectTagging().tagSet(),
          problems);
    }
    if (!problems.isEmpty()) {
      throw ControlError.badRequest(String.join("; ", problems));
    }
  }

  /** What S3 Control's model allows in TagKeyString and TagValueString. */
  private static final Pattern TAG_TEXT = Pattern.compile("^[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*$");

  private static void validateTags(String field, List<S3Tag> tags, List<String> problems) {
    for (S3Tag tag : tags) {
      // lengths in code points, as the model's min and max count them
      String key = tag.key() == null ? "" : tag.key();
      String value = tag.value();
      int keyLength = key.codePointCount(0, key.length());
      if (keyLength < 1 || keyLength > 128 || !TAG_TEXT.matcher(key).matches()) {
        problems.add(
            field
                + " key '"
                + key
                + "' must be 1 to 128 letters, digits, spaces and _ . : / = + - @");
      }
      if (value == null) {
        problems.add(field + " tag '" + key + "' has no Value");
      } else if (value.codePointCount(0, value.length()) > 256
          || !TAG_TEXT.matcher(value).matches()) {
        problems.add(
            field
                + " value '"
                + value
                + "' must be at most 256 letters, digits, spaces and _ . : / = + - @");
      }
    }
  }

  private static void validateReport(JobReport report, List<String> problems) {
    if (report == null) {
      problems.add("Report is required");
      return;
    }
    if (report.enabled() == null) {
      problems.add("Report.Enabled is required");
      return;
    }
    if (!report.enabled()) {
      return;
    }
    if (report.bucket() == null || bucketOfArn(report.bucket()).isEmpty()) {
      problems.add("Report.Bucket must be a bucket ARN (arn:aws:s3:::bucket): " + report.bucket());
    }
    if (!"Report_CSV_20180820".equals(report.formatAsString())) {
      problems.add("Report.Format must be Report_CSV_20180820, not " + report.formatAsString());
    }
    String scope = report.reportScopeAsString();
    if (!"AllTasks".equals(scope) && !"FailedTasksOnly".equals(scope)) {
      problems.add("Report.ReportScope must be AllTasks or FailedTasksOnly, not " + scope);
    }
    if (report.prefix() != null && (report.prefix().isEmpty() || report.prefix().length() > 512)) {
      problems.add("Report.Prefix must be 1 to 512 characters");
    }
  }

  private static void validateManifest(CreateJobRequest request, List<String> problems) {
    if (request.manifestGenerator() != null) {
      problems.add(
          request.manifest() == null
              ? "ManifestGenerator is not supported by the Quarry sandbox; give a Manifest"
              : "a job has a Manifest or a ManifestGenerator, not both");
      return;
    }
    JobManifest manifest = request.manifest();
    if (manifest == null) {
      problems.add("Manifest is required");
      return;
    }
    if (manifest.spec() == null) {
      problems.add("Manifest.Spec is required");
    } else {
      String format = manifest.spec().formatAsString();
      if (!"S3BatchOperations_CSV_20180820".equals(format)) {
        problems.add(
            "Manifest.Spec.Format must be S3BatchOperations_CSV_20180820"
                + " (the sandbox reads no inventory reports), not "
                + format);
      }
      List<String> fields = manifest.spec().fieldsAsStrings();
      if (!fields.equals(List.of("Bucket", "Key"))
          && !fields.equals(List.of("Bucket", "Key", "VersionId"))) {
        problems.add(
            "Manifest.Spec.Fields must be [Bucket, Key] or [Bucket, Key, VersionId], not "
                + fields);
      }
    }
    JobManifestLocation location = manifest.location();
    if (location == null) {
      problems.add("Manifest.Location is required");
      return;
    }
    if (location.objectArn() == null || objectOfArn(location.objectArn()).isEmpty()) {
      problems.add(
          "Manifest.Location.ObjectArn must be an object ARN (arn:aws:s3:::bucket/key): "
              + location.objectArn());
    }
    if (location.eTag() == null || location.eTag().isBlank()) {
      problems.add("Manifest.Location.ETag is required");
    }
  }

  private JobRequest jobRequest(
      CreateJobRequest request, ActionSpec action, Path manifest, String etag) {
    JobReport report = request.report();
    boolean enabled = report.enabled();
    ReportLocation location =
        new ReportLocation.S3(
            enabled ? bucketOfArn(report.bucket()).orElseThrow() : "",
            report.prefix() == null ? "" : trimSlashes(report.prefix()));
    ReportSpec.Scope scope =
        "FailedTasksOnly".equals(report.reportScopeAsString())
            ? ReportSpec.Scope.FAILED
            : ReportSpec.Scope.ALL;
    return new JobRequest(
        request.clientRequestToken(),
        PLAYBOOK,
        request.clientRequestToken(),
        request.description() == null ? "" : request.description(),
        request.priority(),
        action,
        new JobRequest.ManifestRef(
            manifest,
            request.manifest().spec().formatAsString(),
            etag,
            request.manifest().spec().fieldsAsStrings()),
        new JobRequest.Report(enabled, location, scope),
        confirmationRequired(request));
  }

  /**
   * Whether the job waits in Suspended. The model says an absent ConfirmationRequired is false, but
   * S3 Control treats it as true (aws/aws-sdk-go-v2#1814: a job created without the element is
   * Suspended); the sandbox does the same.
   */
  private static boolean confirmationRequired(CreateJobRequest request) {
    return request.confirmationRequired() == null || request.confirmationRequired();
  }

  /** The manifest as downloaded and the object's ETag. */
  private record Downloaded(Path file, String etag) {}

  /** Downloads the manifest object; one the endpoint cannot read refuses the CreateJob. */
  private Downloaded download(String account, String token, JobManifest manifest) {
    String[] bucketKey = objectOfArn(manifest.location().objectArn()).orElseThrow();
    Path file = accountDir(account).resolve("manifests").resolve(sha256(token) + ".csv");
    try {
      StateDirectory.createPrivateDirectories(file.getParent());
      Path partial = Files.createTempFile(file.getParent(), "download-", ".csv");
      String etag;
      try (ResponseInputStream<GetObjectResponse> in =
          s3.getObject(
              b ->
                  b.bucket(bucketKey[0])
                      .key(bucketKey[1])
                      .versionId(manifest.location().objectVersionId()))) {
        Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
        etag = unquote(in.response().eTag());
      }
      Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING);
      return new Downloaded(file, etag);
    } catch (S3Exception e) {
      throw ControlError.badRequest(
          "Reading the manifest "
              + manifest.location().objectArn()
              + " failed: "
              + e.statusCode()
              + " "
              + (e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorCode()));
    } catch (SdkException e) {
      throw ControlError.internal("the S3 endpoint could not be read: " + e.getMessage());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store the manifest", e);
    }
  }

  /**
   * The ETag the local executor checks the file against (it compares with the content's MD5): the
   * MD5 when the request's ETag is the object's, the request's ETag otherwise, so a wrong ETag
   * fails the job while it is prepared, as a manifest problem fails it on AWS.
   */
  private static String localEtag(Downloaded manifest, JobManifestLocation location) {
    String requested = unquote(location.eTag());
    return requested.equals(manifest.etag()) ? md5(manifest.file()) : requested;
  }

  /** A copy in place writes to the rows' own buckets: a target elsewhere is not what runs here. */
  private static void requireRowsIn(Path manifest, String target) {
    try (Reader reader = Files.newBufferedReader(manifest, StandardCharsets.UTF_8);
        CSVParser parser = CSVFormat.DEFAULT.parse(reader)) {
      for (CSVRecord row : parser) {
        if (row.size() > 0 && !row.get(0).equals(target)) {
          throw ControlError.badRequest(
              "S3PutObjectCopy.TargetResource is arn:aws:s3:::"
                  + target
                  + " but manifest row "
                  + row.getRecordNumber()
                  + " is in bucket "
                  + row.get(0)
                  + "; the Quarry sandbox only copies objects in place");
        }
      }
    } catch (IOException | UncheckedIOException e) {
      // an unreadable manifest fails the job while it is prepared
    }
  }

  // ---------------------------------------------------------------- DescribeJob, ListJobs

  JobDescriptor describe(String account, String jobId) {
    JobRecord job = find(account, jobId);
    CreateJobRequest request =
        storedRequest(account, jobId).orElseThrow(() -> ControlError.noSuchJob(jobId));
    return JobDescriptor.builder()
        .jobId(job.jobId())
        .confirmationRequired(confirmationRequired(request))
        .description(request.description())
        .jobArn(jobArn(account, job.jobId()))
        .status(job.status().awsName())
        .manifest(request.manifest())
        .operation(request.operation())
        .priority(priorityOf(account, job))
        .progressSummary(progress(job))
        .statusUpdateReason(reason(account, jobId).orElse(null))
        // none: no element at all, as AWS answers, rather than an empty <FailureReasons/>
        .failureReasons(job.failureReasons().isEmpty() ? null : failures(job))
        .report(request.report())
        .creationTime(job.created())
        .terminationDate(job.terminated().orElse(null))
        .roleArn(request.roleArn())
        .suspendedDate(
            job.status() == JobStatus.SUSPENDED
                ? job.transitions().get(job.transitions().size() - 1).at()
                : null)
        // the only way a job is suspended here is CreateJob's ConfirmationRequired
        .suspendedCause(job.status() == JobStatus.SUSPENDED ? SUSPENDED_CAUSE : null)
        .build();
  }

  ListJobsResponse list(
      String account, List<String> statuses, String nextToken, Integer maxResults) {
    Set<String> wanted = new LinkedHashSet<>();
    for (String status : statuses) {
      try {
        wanted.add(JobStatus.fromAws(status).awsName());
      } catch (IllegalArgumentException e) {
        throw ControlError.invalidRequest("jobStatuses: unknown job status '" + status + "'");
      }
    }
    int max = maxResults == null ? 1000 : maxResults;
    if (max < 0 || max > 1000) {
      throw ControlError.invalidRequest("maxResults must be between 0 and 1000, not " + max);
    }
    int offset = nextToken == null ? 0 : offset(nextToken);
    List<JobRecord> jobs =
        jobs(account).list().stream()
            .filter(j -> wanted.isEmpty() || wanted.contains(j.status().awsName()))
            .filter(j -> storedRequest(account, j.jobId()).isPresent())
            .filter(j -> !expired(j))
            .toList();
    List<JobListDescriptor> page = new ArrayList<>();
    for (int i = offset; i < jobs.size() && page.size() < max; i++) {
      JobRecord job = jobs.get(i);
      CreateJobRequest request = storedRequest(account, job.jobId()).orElseThrow();
      page.add(
          JobListDescriptor.builder()
              .jobId(job.jobId())
              .description(request.description())
              .operation(OperationView.of(request.operation()).name())
              .priority(priorityOf(account, job))
              .status(job.status().awsName())
              .creationTime(job.created())
              .terminationDate(job.terminated().orElse(null))
              .progressSummary(progress(job))
              .build());
    }
    int next = offset + page.size();
    return ListJobsResponse.builder()
        .jobs(page)
        .nextToken(next < jobs.size() && max > 0 ? token(next) : null)
        .build();
  }

  // ---------------------------------------------------------------- UpdateJobStatus

  UpdateJobStatusResponse updateStatus(
      String account, String jobId, String requested, String reason) {
    find(account, jobId);
    if (reason != null && (reason.isEmpty() || reason.length() > 256)) {
      throw ControlError.badRequest("statusUpdateReason must be 1 to 256 characters");
    }
    JobRecord job;
    try {
      if ("Ready".equals(requested)) {
        job = jobs(account).confirm(jobId);
      } else if ("Cancelled".equals(requested)) {
        job = jobs(account).cancel(jobId);
      } else {
        throw ControlError.badRequest(
            "requestedJobStatus must be Ready or Cancelled, not " + requested);
      }
    } catch (ControlError e) {
      throw e;
    } catch (QuarryException e) {
      throw ControlError.jobStatus(e.getMessage());
    }
    if (reason != null) {
      write(reasonFile(account, jobId), reason.getBytes(StandardCharsets.UTF_8));
    }
    if (job.status() == JobStatus.READY) {
      enqueue(account, jobId);
    }
    return UpdateJobStatusResponse.builder()
        .jobId(jobId)
        .status(job.status().awsName())
        .statusUpdateReason(reason(account, jobId).orElse(null))
        .build();
  }

  // ---------------------------------------------------------------- UpdateJobPriority

  /**
   * UpdateJobPriority: the new priority is kept beside the job's request and shown by DescribeJob
   * and ListJobs; the local executor runs jobs one after another, so it orders nothing.
   */
  UpdateJobPriorityResponse updatePriority(String account, String jobId, String priority) {
    find(account, jobId);
    int value = priority(priority);
    write(priorityFile(account, jobId), Integer.toString(value).getBytes(StandardCharsets.UTF_8));
    return UpdateJobPriorityResponse.builder().jobId(jobId).priority(value).build();
  }

  /** The model's JobPriority: required, 0 to 2147483647. */
  private static int priority(String text) {
    if (text == null || text.isEmpty()) {
      throw ControlError.badRequest("priority is required");
    }
    try {
      long value = Long.parseLong(text);
      if (value >= 0 && value <= Integer.MAX_VALUE) {
        return (int) value;
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw ControlError.badRequest("priority must be between 0 and 2147483647, not " + text);
  }

  private Path priorityFile(String account, String jobId) {
    return accountDir(account).resolve("requests").resolve(jobId + ".priority");
  }

  /** The job's priority: the last UpdateJobPriority's, else CreateJob's. */
  private int priorityOf(String account, JobRecord job) {
    Path file = priorityFile(account, job.jobId());
    try {
      return Files.isRegularFile(file)
          ? Integer.parseInt(Files.readString(file, StandardCharsets.UTF_8).strip())
          : job.priority();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  // ---------------------------------------------------------------- running

  private void enqueue(String account, String jobId) {
    runner.execute(
        () -> {
          try {
            jobs(account).execute(jobId, ProgressListener.NONE);
          } catch (RuntimeException e) {
            // the job's record says what happened when the executor could record it
            System.err.println("quarry control: job " + jobId + " stopped: " + e);
          }
        });
  }

  /** Jobs a previous endpoint left Ready or running run again (the executor resumes them). */
  private void resumeUnfinished() {
    Path accountsDir = root.resolve("accounts");
    if (!Files.isDirectory(accountsDir)) {
      return;
    }
    try (Stream<Path> dirs = Files.list(accountsDir)) {
      for (Path dir : dirs.toList()) {
        String account = dir.getFileName().toString();
        List<JobRecord> jobs = new ArrayList<>(jobs(account).list());
        java.util.Collections.reverse(jobs); // oldest first
        for (JobRecord job : jobs) {
          if (resumable(job.status())) {
            enqueue(account, job.jobId());
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + accountsDir, e);
    }
  }

  private static boolean resumable(JobStatus status) {
    return switch (status) {
      case READY, ACTIVE, COMPLETING, FAILING, CANCELLING -> true;
      case NEW, PREPARING, SUSPENDED, PAUSING, PAUSED, COMPLETE, CANCELLED, FAILED -> false;
    };
  }

  @Override
  public void close() {
    runner.shutdownNow();
    try {
      runner.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---------------------------------------------------------------- helpers

  private JobRecord find(String account, String jobId) {
    if (!jobId.matches("[0-9a-fA-F-]{36}")) {
      throw ControlError.noSuchJob(jobId);
    }
    return jobs(account)
        .describe(jobId)
        .filter(j -> !expired(j))
        .orElseThrow(() -> ControlError.noSuchJob(jobId));
  }

  /** How long AWS keeps a job after it ended (Complete, Cancelled or Failed). */
  static final java.time.Duration KEPT = java.time.Duration.ofDays(90);

  /** A job ended more than {@link #KEPT} ago: AWS has deleted it, ListJobs and DescribeJob too. */
  private boolean expired(JobRecord job) {
    return job.terminated().map(t -> t.plus(KEPT).isBefore(clock.instant())).orElse(false);
  }

  /**
   * DescribeJob's SuspendedCause of a job waiting for its confirmation (the wording AWS uses is
   * unconfirmed; the model only says a string of 1 to 1,024 characters).
   */
  static final String SUSPENDED_CAUSE =
      "Awaiting confirmation: UpdateJobStatus to Ready runs the job";

  private LocalBatchJobs jobs(String account) {
    return accounts.computeIfAbsent(
        account,
        a ->
            new LocalBatchJobs(
                accountDir(a).resolve("jobs"),
                s3,
                ActionRegistry::create,
                CompletionReports.writer(s3),
                settings,
                clock));
  }

  private final Map<String, Object> locks = new ConcurrentHashMap<>();

  private Object lock(String account) {
    return locks.computeIfAbsent(account, a -> new Object());
  }

  private Path accountDir(String account) {
    return root.resolve("accounts").resolve(account);
  }

  private Path requestFile(String account, String jobId) {
    return accountDir(account).resolve("requests").resolve(jobId + ".xml");
  }

  private Path reasonFile(String account, String jobId) {
    return accountDir(account).resolve("requests").resolve(jobId + ".reason");
  }

  private Optional<CreateJobRequest> storedRequest(String account, String jobId) {
    Path file = requestFile(account, jobId);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(SdkXml.read(SdkXml.parse(Files.readAllBytes(file)), builder()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static CreateJobRequest.Builder builder() {
    return CreateJobRequest.builder();
  }

  private Optional<String> reason(String account, String jobId) {
    Path file = reasonFile(account, jobId);
    try {
      return Files.isRegularFile(file)
          ? Optional.of(Files.readString(file, StandardCharsets.UTF_8))
          : Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private String jobArn(String account, String jobId) {
    return "arn:aws:s3:" + region + ":" + account + ":job/" + jobId;
  }

  private static JobProgressSummary progress(JobRecord job) {
    JobRecord.Progress p = job.progress();
    return JobProgressSummary.builder()
        .totalNumberOfTasks(p.totalNumberOfTasks())
        .numberOfTasksSucceeded(p.numberOfTasksSucceeded())
        .numberOfTasksFailed(p.numberOfTasksFailed())
        .timers(
            JobTimers.builder().elapsedTimeInActiveSeconds(p.elapsedTimeInActiveSeconds()).build())
        .build();
  }

  /**
   * FailureReasons with a code: {@code InvalidManifestContent} (the troubleshooting guide's name
   * for a job failing on its manifest) when the manifest was refused while preparing, {@code
   * JobFailed} otherwise (unconfirmed: AWS documents no list of failure codes).
   */
  private static List<JobFailure> failures(JobRecord job) {
    boolean manifest =
        job.transitions().stream().anyMatch(t -> t.note().equals("the manifest was refused"));
    return job.failureReasons().stream()
        .map(
            reason ->
                JobFailure.builder()
                    .failureCode(manifest ? "InvalidManifestContent" : "JobFailed")
                    .failureReason(
                        reason.length() <= MAX_FAILURE_REASON
                            ? reason
                            : reason.substring(0, MAX_FAILURE_REASON))
                    .build())
        .toList();
  }

  static Optional<String> bucketOfArn(String arn) {
    if (arn == null || !arn.startsWith(ARN_S3)) {
      return Optional.empty();
    }
    String bucket = arn.substring(ARN_S3.length());
    return bucket.isEmpty() || bucket.contains("/") ? Optional.empty() : Optional.of(bucket);
  }

  static Optional<String[]> objectOfArn(String arn) {
    if (arn == null || !arn.startsWith(ARN_S3)) {
      return Optional.empty();
    }
    String rest = arn.substring(ARN_S3.length());
    int slash = rest.indexOf('/');
    if (slash <= 0 || slash == rest.length() - 1) {
      return Optional.empty();
    }
    return Optional.of(new String[] {rest.substring(0, slash), rest.substring(slash + 1)});
  }

  private static String trimSlashes(String prefix) {
    return prefix.replaceAll("^/+", "").replaceAll("/+$", "");
  }

  private static String unquote(String etag) {
    return etag == null ? "" : etag.replace("\"", "").toLowerCase(Locale.ROOT);
  }

  private static String token(int offset) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(("offset:" + offset).getBytes(StandardCharsets.UTF_8));
  }

  private static int offset(String token) {
    try {
      String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      if (text.startsWith("offset:")) {
        return Integer.parseInt(text.substring("offset:".length()));
      }
    } catch (IllegalArgumentException e) {
      // falls through to the refusal
    }
    throw new ControlError(400, "InvalidNextTokenException", "the nextToken is not valid");
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)))
          .substring(0, 32);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String md5(Path file) {
    try (DigestInputStream in =
        new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("MD5"))) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
      return HexFormat.of().formatHex(in.getMessageDigest().digest());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void write(Path file, byte[] content) {
    AtomicFiles.write(file, content);
  }
}
