package dev.quarry.job.s3control;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quarry.action.Action;
import dev.quarry.action.ActionRegistry;
import dev.quarry.action.HideKeysAction;
import dev.quarry.action.OperationView;
import dev.quarry.app.ManifestInfo;
import dev.quarry.config.QuarryConfig;
import dev.quarry.config.S3Clients;
import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.job.BatchJobs;
import dev.quarry.job.JobRecord;
import dev.quarry.job.JobRequest;
import dev.quarry.manifest.ManifestReader;
import dev.quarry.playbook.ActionSpec;
import dev.quarry.report.ReportLocation;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3control.S3ControlClient;
import software.amazon.awssdk.services.s3control.model.CreateJobRequest;
import software.amazon.awssdk.services.s3control.model.DescribeJobResponse;
import software.amazon.awssdk.services.s3control.model.JobListDescriptor;
import software.amazon.awssdk.services.s3control.model.JobOperation;
import software.amazon.awssdk.services.s3control.model.ListJobsResponse;
import software.amazon.awssdk.services.s3control.model.NotFoundException;
import software.amazon.awssdk.services.s3control.model.RequestedJobStatus;

/**
 * S3 Batch Operations on AWS, through S3 Control: the manifest is uploaded to the profile's {@code
 * manifest-location}, then CreateJob, DescribeJob, ListJobs and UpdateJobStatus. Jobs run on AWS;
 * nothing runs in this process.
 *
 * <p>A submission is saved under {@code <stateDir>/runs/<runId>/submission.json} before and after
 * each remote call, so an interrupted one resumes with the same client request token (CreateJob
 * then returns the job it made) and never uploads or creates twice what it knows it did. Each
 * status this machine sees is recorded there too.
 *
 * <p>Example:
 *
 * <pre>{@code
 * S3ControlBatchJobs jobs = S3ControlBatchJobs.create(config);
 * JobRecord job = jobs.submit(request);   // Suspended when confirmation is required
 * jobs.confirm(job.jobId());
 * }</pre>
 */
public final class S3ControlBatchJobs implements BatchJobs, AutoCloseable {
  private final S3ControlClient control;
  private final S3Client s3;
  private final S3ControlSettings settings;
  private final SubmissionStore store;
  private final Clock clock;
  private final ManifestUpload manifests;

  /**
   * @param s3 uploads manifests (and nothing else)
   * @param runsDir where submissions are saved, {@code <stateDir>/runs}
   */
  public S3ControlBatchJobs(
      S3ControlClient control, S3Client s3, S3ControlSettings settings, Path runsDir, Clock clock) {
    this(control, s3, settings, runsDir, clock, ManifestUpload.Limits.DEFAULT);
  }

  /**
   * @param uploads when a manifest goes up in parts, their size and how many at once (the S3
   *     client's pool needs as many connections)
   */
  public S3ControlBatchJobs(
      S3ControlClient control,
      S3Client s3,
      S3ControlSettings settings,
      Path runsDir,
      Clock clock,
      ManifestUpload.Limits uploads) {
    this.control = requireNonNull(control, "control is null");
    this.s3 = requireNonNull(s3, "s3 is null");
    this.settings = requireNonNull(settings, "settings is null");
    this.store = new SubmissionStore(runsDir);
    this.clock = requireNonNull(clock, "clock is null");
    this.manifests = new ManifestUpload(s3, uploads);
  }

  /**
   * The executor of {@code config}'s profile.
   *
   * @throws QuarryException (user) naming every missing setting, before any client is built
   */
  public static S3ControlBatchJobs create(QuarryConfig config) {
    S3ControlSettings settings = S3ControlSettings.from(config);
    S3ControlClient control = S3ControlClients.create(config);
    try {
      return new S3ControlBatchJobs(
          control,
          S3Clients.create(config, ManifestUpload.Limits.DEFAULT.concurrency()),
          settings,
          config.runsDir(),
          Clock.systemUTC());
    } catch (RuntimeException e) {
      control.close();
      throw e;
    }
  }

  /** Closes the S3 Control and S3 clients this executor made or was given. */
  @Override
  public void close() {
    try {
      control.close();
    } finally {
      s3.close();
    }
  }

  /** The S3 client this executor reads and writes manifests and reports with. */
  public S3Client s3() {
    return s3;
  }

  public S3ControlSettings settings() {
    return settings;
  }

  /**
   * Where an uploaded manifest goes: {@code <prefix><playbook>/<token>/manifest.csv}, where the
   * token is the run id for a run's first step and {@code <runId>-<n>} for its step n.
   */
  public String manifestKey(JobRequest request) {
    return settings.manifestLocation().prefix()
        + request.playbook()
        + "/"
        + request.clientRequestToken()
        + "/manifest.csv";
  }

  @Override
  public JobRecord submit(JobRequest request) {
    requireNonNull(request, "request is null");
    String bucket = settings.manifestLocation().bucket();
    String key = manifestKey(request);
    Optional<Submission> found = store.find(request.clientRequestToken());
    if (found.flatMap(Submission::jobId).isPresent()) {
      // the job exists: nothing to upload or create, whatever became of the local manifest or
      // the profile's manifest-location since
      return describeKnown(found.get().jobId().get());
    }
    Optional<Submission> saved = found.map(s -> sameRun(s, request, bucket, key));
    // everything is checked before the first remote call; a retry sends what the first attempt
    // sent (its function ARN too, whatever the profile says now), or the token would not match
    JobRequest sent = saved.map(Submission::request).orElseGet(() -> resolved(request));
    JobOperation operation = operation(sent);
    Submission submission =
        saved.orElseGet(
            () -> {
              Submission fresh = Submission.start(sent, bucket, key);
              store.write(fresh);
              return fresh;
            });
    if (submission.manifestEtag().isEmpty()) {
      String etag = upload(sent, bucket, key);
      submission = store.update(request.clientRequestToken(), s -> s.uploaded(etag));
    }
    CreateJobRequest create =
        CreateJobRequests.build(
            sent,
            control.serviceClientConfiguration().region().id(),
            settings,
            operation,
            submission,
            submission.manifestEtag().get());
    String jobId =
        S3ControlErrors.call(
                "CreateJob for run " + request.runId(), () -> control.createJob(create))
            .jobId();
    store.update(request.clientRequestToken(), s -> s.created(jobId));
    return describeKnown(jobId);
  }

  /**
   * Submits a run saved on this machine again, with its saved request and token: the job it made,
   * or the one it was making when it was interrupted. Empty when this machine has no such run.
   */
  public Optional<JobRecord> resubmit(String runId) {
    if (!runId.matches("[A-Za-z0-9._-]+") || runId.matches("\\.+")) {
      return Optional.empty();
    }
    return store.find(runId).map(s -> submit(s.request()));
  }

  /** A run saved earlier: the same token and manifest, or the request is not a retry. */
  private static Submission sameRun(
      Submission saved, JobRequest request, String bucket, String key) {
    if (!saved.request().clientRequestToken().equals(request.clientRequestToken())
        || !saved.request().manifest().etag().equalsIgnoreCase(request.manifest().etag())) {
      throw QuarryException.user(
          ErrorCode.RUN_STATE_INVALID,
          "run "
              + request.runId()
              + " was submitted before with another token or manifest; plan a new run");
    }
    if (!saved.manifestBucket().equals(bucket) || !saved.manifestKey().equals(key)) {
      throw QuarryException.user(
          ErrorCode.RUN_STATE_INVALID,
          "run "
              + request.runId()
              + " uploaded its manifest to s3://"
              + saved.manifestBucket()
              + "/"
              + saved.manifestKey()
              + ", not under the profile's manifest-location "
              + "now; plan a new run");
    }
    return saved;
  }

  /**
   * The request's operation, refused when it cannot run on AWS. The report location and the
   * manifest (its ETag, its buckets) are checked here too.
   */
  JobOperation operation(JobRequest request) {
    if (!(request.report().location() instanceof ReportLocation.S3)) {
      throw new IllegalArgumentException(
          "S3 Batch Operations writes reports to S3, not to " + request.report().location());
    }
    if (!ManifestInfo.FORMAT.equals(request.manifest().format())) {
      throw QuarryException.user(
          ErrorCode.MANIFEST_INVALID,
          "unsupported manifest format "
              + request.manifest().format()
              + "; expected "
              + ManifestInfo.FORMAT);
    }
    Action action = actionOnAws(request.action());
    Path file = request.manifest().file();
    if (!Files.isRegularFile(file)) {
      throw QuarryException.user(
          ErrorCode.MANIFEST_INVALID, "the manifest " + file + " does not exist");
    }
    String md5 = md5(file);
    if (!md5.equals(unquote(request.manifest().etag()))) {
      throw QuarryException.user(
          ErrorCode.MANIFEST_INVALID,
          "the manifest "
              + file
              + " changed since it was planned (MD5 "
              + md5
              + ", planned "
              + request.manifest().etag()
              + "); plan a new run");
    }
    Set<String> buckets = new LinkedHashSet<>();
    long rows = ManifestReader.read(file, row -> buckets.add(row.bucket()));
    if (rows == 0) {
      throw QuarryException.user(
          ErrorCode.MANIFEST_INVALID,
          "the manifest "
              + file
              + " has no rows: S3 Batch Operations would fail the job; nothing submitted");
    }
    JobOperation operation = action.jobOperation(buckets.iterator().next());
    if (OperationView.of(operation).name().equals("S3PutObjectCopy") && buckets.size() > 1) {
      throw QuarryException.user(
          ErrorCode.ACTION_UNSUPPORTED,
          "the objects are in "
              + buckets.size()
              + " buckets; a copy in place targets one bucket, so AWS needs one job per bucket");
    }
    return operation;
  }

  /** A rollback-deletes spec with the profile's function when the playbook names none. */
  /**
   * The action a playbook's block becomes on AWS (rollback-deletes takes the profile's function
   * when it names none), refused when Batch Operations cannot run it. Needs no remote call: {@code
   * quarry run} asks it before the query runs.
   *
   * @throws QuarryException (user) naming what is missing
   */
  public Action actionOnAws(ActionSpec spec) {
    Action action;
    try {
      action = ActionRegistry.create(withFunction(spec));
    } catch (IllegalArgumentException e) {
      throw QuarryException.user(ErrorCode.PLAYBOOK_INVALID, e.getMessage());
    }
    if (!action.awsLimitations().isEmpty()) {
      throw QuarryException.user(
          ErrorCode.ACTION_UNSUPPORTED,
          "action '"
              + action.type()
              + "' cannot run on AWS: "
              + String.join("; ", action.awsLimitations())
              + (ROLLBACK_FUNCTION_ACTIONS.contains(action.type())
                  ? " (or set rollback-function-arn in the profile)"
                  : ""));
    }
    return action;
  }

  /** {@code request} with its action as it runs on AWS (the profile's function filled in). */
  private JobRequest resolved(JobRequest request) {
    return new JobRequest(
        request.clientRequestToken(),
        request.playbook(),
        request.runId(),
        request.description(),
        request.priority(),
        withFunction(request.action()),
        request.manifest(),
        request.report(),
        request.confirmationRequired());
  }

  /** The actions whose LambdaInvoke calls the profile's {@code rollback-function-arn}. */
  private static final java.util.Set<String> ROLLBACK_FUNCTION_ACTIONS =
      java.util.Set.of("rollback-deletes", HideKeysAction.TYPE);

  private ActionSpec withFunction(ActionSpec spec) {
    ObjectNode options = spec.options();
    // both actions run through the one rollback Lambda (RollbackHandler dispatches on
    // UserArguments)
    if (ROLLBACK_FUNCTION_ACTIONS.contains(spec.type())
        && !options.hasNonNull("function-arn")
        && settings.rollbackFunctionArn().isPresent()) {
      options.put("function-arn", settings.rollbackFunctionArn().get());
      return new ActionSpec(spec.type(), options);
    }
    return spec;
  }

  /**
   * The manifest uploaded (one PutObject, or in parts above the upload's threshold), SSE-S3 and the
   * bucket's owner checked: its ETag, checked against the one computed from the file, is what
   * CreateJob gets.
   */
  private String upload(JobRequest request, String bucket, String key) {
    // the manifest's MD5 was checked against the file before the first remote call (validate)
    return manifests.upload(
        request.manifest().file(),
        unquote(request.manifest().etag()),
        bucket,
        key,
        settings.accountId());
  }

  @Override
  public Optional<JobRecord> describe(String jobId) {
    checkJobId(jobId);
    DescribeJobResponse response;
    try {
      response =
          S3ControlErrors.call(
              "DescribeJob " + jobId,
              () -> {
                try {
                  return control.describeJob(b -> b.accountId(settings.accountId()).jobId(jobId));
                } catch (NotFoundException e) {
                  return null;
                }
              });
    } catch (QuarryException e) {
      if (e.getCause() instanceof AwsServiceException service && service.statusCode() == 404) {
        return Optional.empty();
      }
      throw e;
    }
    if (response == null || response.job() == null) {
      return Optional.empty();
    }
    var job = response.job();
    Optional<Submission> submission =
        store
            .findByJob(jobId)
            .map(
                s ->
                    store.update(
                        s.request().clientRequestToken(),
                        current ->
                            current.observed(
                                JobDescriptions.status(job.statusAsString()),
                                clock.instant(),
                                job.statusUpdateReason() == null ? "" : job.statusUpdateReason())));
    return Optional.of(JobDescriptions.fromDescribe(job, submission, clock.instant()));
  }

  private JobRecord describeKnown(String jobId) {
    return describe(jobId)
        .orElseThrow(
            () ->
                new QuarryException(
                    ErrorCode.S3_CONTROL_FAILED,
                    "S3 Control does not know job " + jobId + " (ListJobs keeps 90 days)"));
  }

  @Override
  public List<JobRecord> list() {
    Map<String, Submission> mine =
        store.list().stream()
            .filter(s -> s.jobId().isPresent())
            .collect(Collectors.toMap(s -> s.jobId().get(), Function.identity(), (a, b) -> a));
    List<JobRecord> jobs = new ArrayList<>();
    String next = null;
    do {
      String token = next;
      ListJobsResponse page =
          S3ControlErrors.call(
              "ListJobs",
              () ->
                  control.listJobs(
                      b -> b.accountId(settings.accountId()).nextToken(token).maxResults(1000)));
      for (JobListDescriptor job : page.jobs()) {
        jobs.add(
            JobDescriptions.fromList(
                job, Optional.ofNullable(mine.get(job.jobId())), clock.instant()));
      }
      next = page.nextToken();
    } while (next != null && !next.isEmpty());
    jobs.sort(Comparator.comparing(JobRecord::created).reversed());
    return jobs;
  }

  @Override
  public JobRecord confirm(String jobId) {
    return update(jobId, RequestedJobStatus.READY, "confirmed");
  }

  @Override
  public JobRecord cancel(String jobId) {
    return update(jobId, RequestedJobStatus.CANCELLED, "cancel requested");
  }

  private JobRecord update(String jobId, RequestedJobStatus status, String reason) {
    checkJobId(jobId);
    S3ControlErrors.call(
        "UpdateJobStatus(" + status + ") of job " + jobId,
        () ->
            control.updateJobStatus(
                b ->
                    b.accountId(settings.accountId())
                        .jobId(jobId)
                        .requestedJobStatus(status)
                        .statusUpdateReason(reason)));
    return describeKnown(jobId);
  }

  /** S3 Control's job ids: 5 to 36 letters, digits, dashes and underscores. */
  private static void checkJobId(String jobId) {
    requireNonNull(jobId, "jobId is null");
    if (!jobId.matches("[A-Za-z0-9_-]{5,36}")) {
      throw QuarryException.user(
          ErrorCode.ID_INVALID, "'" + jobId + "' is not an S3 Batch Operations job id");
    }
  }

  static String unquote(String etag) {
    return etag == null ? "" : etag.replace("\"", "").toLowerCase(Locale.ROOT);
  }

  static String md5(Path file) {
    try (InputStream in =
        new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("MD5"))) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
      return java.util.HexFormat.of()
          .formatHex(((DigestInputStream) in).getMessageDigest().digest());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the manifest " + file, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
