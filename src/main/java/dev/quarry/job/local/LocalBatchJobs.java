package dev.quarry.job.local;

import static java.util.Objects.requireNonNull;

import dev.quarry.action.Action;
import dev.quarry.action.ActionRegistry;
import dev.quarry.action.LocalTask;
import dev.quarry.app.ManifestInfo;
import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.io.ProcessLock;
import dev.quarry.job.BatchJobs;
import dev.quarry.job.JobLease;
import dev.quarry.job.JobRecord;
import dev.quarry.job.JobRequest;
import dev.quarry.job.JobStatus;
import dev.quarry.job.ProgressListener;
import dev.quarry.playbook.ActionSpec;
import dev.quarry.report.CompletionReport;
import dev.quarry.report.ReportLocation;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.configuration.support.MapJobRegistry;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.launch.support.TaskExecutorJobOperator;
import org.springframework.batch.core.partition.support.TaskExecutorPartitionHandler;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.core.task.SyncTaskExecutor;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * S3 Batch Operations on this machine, on Spring Batch: the same statuses, progress summary,
 * failure threshold and completion report as AWS, against any S3-compatible endpoint.
 *
 * <p>{@link #submit} prepares the job at once (reads the manifest, checks its ETag) and leaves it
 * Suspended or Ready. Unlike AWS, nothing runs by itself: {@link #execute} runs a Ready job to its
 * end in the calling process, and runs an interrupted one again from where it stopped.
 *
 * <p>The manifest's rows are split into ranges, one Spring Batch partition each, run by {@code
 * concurrency} threads. Each partition's reader saves its position at every chunk commit, in the
 * same transaction as the chunk's outcomes, so a restart neither skips nor repeats a committed
 * task. Tasks that may have run in an uncommitted chunk run again if the action is idempotent;
 * otherwise they are reported as failed, never run twice (see {@link TaskProcessor}).
 *
 * <p>AWS's failure threshold (more than 50% of at least 1,000 tasks failed) fails a job as on AWS.
 * On top of it Quarry stops a job early when the tasks that ended last all failed the same way: 5
 * in a row ran out of retries on transient failures (the endpoint does not answer, throttles or
 * fails), or 100 in a row failed with the same error code (see {@link JobControl}). Such a job ends
 * Failed with a failure reason that says so; the outcomes of the tasks that ran are kept and its
 * report is written.
 *
 * <p>{@link #execute} on an ended job is Quarry's addition too: a Failed or Complete job whose
 * tasks failed transiently (throttling, 5xx, no answer), or which stopped before its last task,
 * runs again as a new round: Active, then the tasks without an outcome, the transient failures
 * forgotten first. Permanent failures are not run again. An ended job whose report could not be
 * written (a full disk) gets it written from its stored outcomes.
 *
 * <p>Example:
 *
 * <pre>{@code
 * LocalBatchJobs jobs = LocalBatchJobs.create(config, s3, Settings.defaults());
 * JobRecord job = jobs.submit(request);
 * job = jobs.execute(job.jobId(), j -> System.out.println(j.progress()));
 * }</pre>
 */
public final class LocalBatchJobs implements BatchJobs {
  static final String TOO_MANY_FAILURES = "more than 50% of tasks failed";
  private static final String ROUND = "round";
  private static final String SPRING_JOB = "quarry-job";

  /**
   * Spring logs through java.util.logging here; its INFO lines ("Resuming job execution ...") are
   * not for a CLI user. Held in a field: JUL keeps loggers only weakly.
   */
  private static final java.util.logging.Logger SPRING_LOG = quietSpring();

  private static java.util.logging.Logger quietSpring() {
    java.util.logging.Logger logger = java.util.logging.Logger.getLogger("org.springframework");
    logger.setLevel(java.util.logging.Level.WARNING);
    return logger;
  }

  private final JobStore store;
  private final S3Client s3;
  private final Function<ActionSpec, Action> actions;
  private final CompletionReports reports;
  private final Settings settings;
  private final Clock clock;
  private final Path locks;

  /**
   * @param root where jobs live, {@code <stateDir>/jobs}
   * @param actions turns a job's action spec into the action whose local task runs
   */
  public LocalBatchJobs(
      Path root,
      S3Client s3,
      Function<ActionSpec, Action> actions,
      CompletionReports reports,
      Settings settings,
      Clock clock) {
    this.store = new JobStore(root);
    this.locks = root.toAbsolutePath().resolveSibling("locks");
    this.s3 = requireNonNull(s3, "s3 is null");
    this.actions = requireNonNull(actions, "actions is null");
    this.reports = requireNonNull(reports, "reports is null");
    this.settings = requireNonNull(settings, "settings is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  /** The executor with Quarry's actions and report writer, its jobs under the state dir. */
  public static LocalBatchJobs create(Path stateDir, S3Client s3, Settings settings) {
    return new LocalBatchJobs(
        jobsDir(stateDir),
        s3,
        ActionRegistry::create,
        CompletionReports.writer(s3),
        settings,
        Clock.systemUTC());
  }

  public static Path jobsDir(Path stateDir) {
    return stateDir.resolve("jobs");
  }

  /**
   * How the executor runs tasks.
   *
   * @param concurrency tasks running at once (one thread each)
   * @param chunkSize tasks per transaction of an action that is not idempotent
   * @param idempotentChunkSize tasks per transaction of an idempotent action: what a crash may make
   *     run again. Larger, since each commit costs CPU (H2 writes its file, Spring Batch updates
   *     the step) and running such a task again is harmless
   * @param maxRetries retries of a task failing transiently, before its failure is recorded
   * @param pollInterval how often progress is saved and a cancel request looked for
   */
  public record Settings(
      int concurrency,
      int chunkSize,
      int idempotentChunkSize,
      int maxRetries,
      Duration initialBackoff,
      Duration maxBackoff,
      Duration pollInterval) {
    public Settings {
      if (concurrency < 1 || concurrency > 256) {
        throw QuarryException.user(
            ErrorCode.OPTION_INVALID, "concurrency must be between 1 and 256, not " + concurrency);
      }
      if (chunkSize < 1 || idempotentChunkSize < 1) {
        throw new IllegalArgumentException("chunk sizes must be positive");
      }
      requireNonNull(initialBackoff, "initialBackoff is null");
      requireNonNull(maxBackoff, "maxBackoff is null");
      requireNonNull(pollInterval, "pollInterval is null");
    }

    /** One chunk size for every action. */
    public Settings(
        int concurrency,
        int chunkSize,
        int maxRetries,
        Duration initialBackoff,
        Duration maxBackoff,
        Duration pollInterval) {
      this(concurrency, chunkSize, chunkSize, maxRetries, initialBackoff, maxBackoff, pollInterval);
    }

    public static Settings defaults() {
      return new Settings(
          8, 10, 100, 5, Duration.ofMillis(200), Duration.ofSeconds(10), Duration.ofMillis(500));
    }

    public Settings withConcurrency(int n) {
      return new Settings(
          n, chunkSize, idempotentChunkSize, maxRetries, initialBackoff, maxBackoff, pollInterval);
    }

    /** The tasks per transaction for an action that is, or is not, idempotent. */
    int chunkSize(boolean idempotent) {
      return idempotent ? idempotentChunkSize : chunkSize;
    }
  }

  @Override
  public JobRecord submit(JobRequest request) {
    requireNonNull(request, "request is null");
    return store.lockedStore(
        () -> {
          for (JobRecord existing : store.list()) {
            if (existing.clientRequestToken().equals(request.clientRequestToken())) {
              return existing;
            }
          }
          JobRecord job = JobRecord.newJob(UUID.randomUUID().toString(), request, clock.instant());
          store.create(job, request);
          return prepare(job.jobId(), request, "");
        });
  }

  /** Preparing: reads the manifest once, checks it, counts its rows. */
  private JobRecord prepare(String jobId, JobRequest request, String note) {
    store.update(jobId, r -> r.moveTo(JobStatus.PREPARING, clock.instant(), note));
    long rows;
    try {
      rows = checkManifest(request.manifest());
    } catch (ManifestException e) {
      return store.update(
          jobId,
          r ->
              r.withFailureReason(e.getMessage())
                  .moveTo(JobStatus.FAILED, clock.instant(), "the manifest was refused"));
    }
    JobRecord.Progress progress = new JobRecord.Progress(rows, 0, 0, 0);
    return store.update(
        jobId,
        r ->
            request.confirmationRequired()
                ? r.withProgress(progress)
                    .moveTo(JobStatus.SUSPENDED, clock.instant(), "waiting for confirmation")
                : r.withProgress(progress).moveTo(JobStatus.READY, clock.instant(), ""));
  }

  @Override
  public Optional<JobRecord> describe(String jobId) {
    return store.find(jobId);
  }

  @Override
  public List<JobRecord> list() {
    return store.list();
  }

  @Override
  public JobRecord confirm(String jobId) {
    return store.update(
        jobId,
        r ->
            switch (r.status()) {
              case SUSPENDED -> r.moveTo(JobStatus.READY, clock.instant(), "confirmed");
              case NEW,
                  PREPARING,
                  READY,
                  ACTIVE,
                  PAUSING,
                  PAUSED,
                  COMPLETING,
                  COMPLETE,
                  CANCELLING,
                  CANCELLED,
                  FAILING,
                  FAILED ->
                  throw QuarryException.user(
                      ErrorCode.JOB_STATE_INVALID,
                      "job "
                          + jobId
                          + " is "
                          + r.status().awsName()
                          + "; only a Suspended job can be confirmed");
            });
  }

  @Override
  public JobRecord cancel(String jobId) {
    JobRecord job =
        store.update(
            jobId,
            r -> {
              Instant now = clock.instant();
              return switch (r.status()) {
                case NEW, PREPARING, SUSPENDED, READY, PAUSED ->
                    // no task has run: nothing to stop, no report
                    r.withCancelRequested()
                        .withoutReport()
                        .moveTo(JobStatus.CANCELLING, now, "cancel requested")
                        .moveTo(JobStatus.CANCELLED, now, "");
                case ACTIVE, PAUSING ->
                    r.withCancelRequested().moveTo(JobStatus.CANCELLING, now, "cancel requested");
                case CANCELLING -> r;
                case COMPLETING, FAILING ->
                    throw QuarryException.user(
                        ErrorCode.JOB_STATE_INVALID,
                        "job " + jobId + " is " + r.status().awsName() + "; it is ending already");
                case COMPLETE, CANCELLED, FAILED ->
                    throw QuarryException.user(
                        ErrorCode.JOB_STATE_INVALID,
                        "job "
                            + jobId
                            + " has ended ("
                            + r.status().awsName()
                            + "); only a job that has not ended can be cancelled");
              };
            });
    if (job.status() == JobStatus.CANCELLING) {
      // nobody runs it (the process that did died): finish the cancel here
      Optional<ProcessLock> free = ProcessLock.tryAcquire(runLock(jobId));
      if (free.isPresent()) {
        free.get().close();
        return execute(jobId, ProgressListener.NONE);
      }
    }
    return job;
  }

  /**
   * Runs the job in this process until it ends: a Ready job from its first task, an interrupted one
   * (Active, or ending) from where it stopped. Returns the job as it ended.
   *
   * @throws QuarryException (user) when the job is waiting for confirmation, still being prepared,
   *     or runs in another process
   */
  public JobRecord execute(String jobId, ProgressListener listener) {
    store.get(jobId);
    Optional<ProcessLock> lock = ProcessLock.tryAcquire(runLock(jobId));
    if (lock.isEmpty()) {
      throw QuarryException.user(ErrorCode.BUSY, "job " + jobId + " is running in another process");
    }
    try {
      JobRecord job = store.get(jobId);
      if (job.status() == JobStatus.NEW || job.status() == JobStatus.PREPARING) {
        // the process that submitted it died while preparing it: prepare it again
        job = prepareAgain(jobId);
        if (job.status() != JobStatus.READY) {
          return job;
        }
      }
      JobRequest request = store.request(jobId);
      JobLease.Result leases = leases(job, request);
      try {
        return run(job, request, listener);
      } finally {
        leases.close();
      }
    } finally {
      lock.get().close();
    }
  }

  private JobRecord run(JobRecord job, JobRequest request, ProgressListener listener) {
    String jobId = job.jobId();
    Instant now = clock.instant();
    // any status but Ready means a process ran this job before and did not finish it
    boolean interrupted = job.status() != JobStatus.READY;
    switch (job.status()) {
      case READY -> job = store.update(jobId, r -> r.moveTo(JobStatus.ACTIVE, now, ""));
      case ACTIVE, PAUSING, PAUSED ->
          // Pausing and Paused are AWS's; the local executor never pre-empts, so a job found in
          // them was running
          job =
              store.update(
                  jobId, r -> r.moveTo(JobStatus.ACTIVE, now, "resumed after an interruption"));
      case COMPLETING, FAILING, CANCELLING -> {}
      case COMPLETE, CANCELLED, FAILED -> {
        return again(job, listener);
      }
      case SUSPENDED ->
          throw QuarryException.user(
              ErrorCode.JOB_STATE_INVALID,
              "job " + jobId + " is waiting for confirmation: quarry confirm " + jobId);
      case NEW, PREPARING ->
          throw new IllegalStateException("job " + jobId + " was not prepared again");
    }
    listener.onProgress(job);
    if (interrupted) {
      BatchDatabase.rebuild(store.dir(jobId));
    }
    try (BatchDatabase database =
        BatchDatabase.open(store.dir(jobId), 2 * settings.concurrency() + 4)) {
      OutcomeStore outcomes = new OutcomeStore(database);
      if (job.status() == JobStatus.ACTIVE) {
        job = runTasks(job, request, database, outcomes, listener);
      }
      return finish(job, request, outcomes, listener);
    }
  }

  /**
   * A job left in New or Preparing by a process that died while submitting it, prepared again from
   * its stored request: idempotent, and under the store's lock, so it waits for a submitter that is
   * still alive and then finds the job prepared. Any other job is returned as it is.
   */
  public JobRecord prepareAgain(String jobId) {
    return store.lockedStore(
        () -> {
          JobRecord job = store.get(jobId);
          return switch (job.status()) {
            case NEW, PREPARING -> prepare(jobId, store.request(jobId), "prepared again");
            case SUSPENDED,
                READY,
                ACTIVE,
                PAUSING,
                PAUSED,
                COMPLETING,
                COMPLETE,
                CANCELLING,
                CANCELLED,
                FAILING,
                FAILED ->
                job;
          };
        });
  }

  /**
   * Whether no process takes {@code job} on any more: it waits for one (New or Preparing, or
   * running) but the process that had it has died. Derived from the locks that process held, never
   * stored. Suspended and Ready jobs wait for a command, not for a process, and ended ones wait for
   * nothing.
   */
  public static boolean interrupted(Path root, JobRecord job) {
    JobStore store = new JobStore(root);
    Path lock =
        switch (job.status()) {
          case NEW, PREPARING -> root.resolve(".lock");
          case ACTIVE, PAUSING, PAUSED, COMPLETING, CANCELLING, FAILING ->
              store.dir(job.jobId()).resolve("run.lock");
          case SUSPENDED, READY, COMPLETE, CANCELLED, FAILED -> null;
        };
    if (lock == null || !Files.isDirectory(store.dir(job.jobId()))) {
      return false;
    }
    Optional<ProcessLock> free = ProcessLock.tryAcquire(lock);
    free.ifPresent(ProcessLock::close);
    return free.isPresent();
  }

  /**
   * The leases a job needs before its tasks run: one per bucket of its manifest when its action is
   * destructive, so that no two such jobs ever act on one bucket at once, in this process or
   * another (two rollbacks racing on the same markers delete data on S3Mock; two re-encrypts copy
   * every object twice). Refused: the job stays as it is, and the error names the holder.
   */
  private JobLease.Result leases(JobRecord job, JobRequest request) {
    boolean runsTasks =
        switch (job.status()) {
          // a resume of an ended job starts another round of its transient failures and unrun
          // tasks: that round runs tasks too
          case READY, ACTIVE, PAUSING, PAUSED, COMPLETE, FAILED -> true;
          case NEW, PREPARING, SUSPENDED, COMPLETING, CANCELLING, CANCELLED, FAILING -> false;
        };
    boolean destructive;
    try {
      destructive = runsTasks && actions.apply(request.action()).destructive();
    } catch (RuntimeException e) {
      // the job fails when its tasks would start, saying why; no task runs
      destructive = false;
    }
    if (!destructive) {
      return new JobLease.Result(List.of(), Optional.empty(), Optional.empty());
    }
    List<String> names =
        manifestBuckets(request.manifest().file()).stream().map(JobLease::forBucket).toList();
    JobLease.Result result =
        JobLease.tryAcquireAll(locks, names, JobLease.Holder.of(job, clock.instant()));
    if (result.refused().isPresent()) {
      String bucket = result.refused().get().substring("bucket-".length());
      String holder =
          result
              .holder()
              .map(
                  h ->
                      "job "
                          + h.jobId()
                          + " (playbook "
                          + h.playbook()
                          + ", run "
                          + h.runId()
                          + ", process "
                          + h.pid()
                          + ", since "
                          + h.since()
                          + "); follow it with: quarry job "
                          + h.jobId())
              .orElse("another quarry process, which has not said which job it runs");
      throw QuarryException.user(
          ErrorCode.BUSY,
          "bucket "
              + bucket
              + " is held by "
              + holder
              + ". Two jobs with a destructive action never run on one bucket at once. Job "
              + job.jobId()
              + " stays "
              + job.status().awsName()
              + "; once the other has ended, run it with: quarry resume "
              + job.jobId());
    }
    return result;
  }

  /** The distinct buckets a manifest names (its first column). */
  private static java.util.SortedSet<String> manifestBuckets(Path file) {
    java.util.SortedSet<String> buckets = new java.util.TreeSet<>();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        CSVParser parser = CSVFormat.DEFAULT.parse(reader)) {
      for (CSVRecord record : parser) {
        buckets.add(record.get(0));
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot read the manifest " + file, e);
    }
    return buckets;
  }

  /** Active: runs the tasks until none is left or the job must stop; leaves it ending. */
  private JobRecord runTasks(
      JobRecord job,
      JobRequest request,
      BatchDatabase database,
      OutcomeStore outcomes,
      ProgressListener listener) {
    String jobId = job.jobId();
    long[] counts = outcomes.counts();
    JobControl control = new JobControl(counts[0], counts[1], settings.concurrency());
    long total = job.progress().totalNumberOfTasks();
    long elapsedBefore = job.progress().elapsedTimeInActiveSeconds();
    Instant activeSince = clock.instant();
    Function<JobRecord, JobRecord> withProgress =
        r ->
            r.withProgress(
                new JobRecord.Progress(
                    total,
                    control.succeeded(),
                    control.failed(),
                    elapsedBefore + Duration.between(activeSince, clock.instant()).toSeconds()));

    LocalTask task;
    boolean idempotent;
    try {
      Action action = actions.apply(request.action());
      task = action.localTask(s3);
      idempotent = action.idempotent();
    } catch (RuntimeException e) {
      return store.update(
          jobId,
          r ->
              r.withFailureReason("cannot run action '" + request.action().type() + "': " + e)
                  .moveTo(JobStatus.FAILING, clock.instant(), ""));
    }

    ScheduledExecutorService poller =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "quarry-progress-" + jobId.substring(0, 8));
              t.setDaemon(true);
              return t;
            });
    BatchStatus result;
    String exitDescription;
    try {
      poller.scheduleWithFixedDelay(
          () -> {
            JobRecord current = store.update(jobId, withProgress::apply);
            if (current.cancelRequested()) {
              control.requestStop(JobControl.Stop.CANCELLED);
            }
            listener.onProgress(current);
          },
          0,
          settings.pollInterval().toMillis(),
          TimeUnit.MILLISECONDS);
      JobExecution execution =
          total == 0 ? null : launch(jobId, request, database, outcomes, control, task, idempotent);
      result = execution == null ? BatchStatus.COMPLETED : execution.getStatus();
      exitDescription =
          execution == null ? "" : firstLine(execution.getExitStatus().getExitDescription());
    } finally {
      poller.shutdownNow();
      try {
        poller.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    return store.update(
        jobId,
        r -> {
          JobRecord current = withProgress.apply(r);
          Instant now = clock.instant();
          if (current.cancelRequested() || control.stop() == JobControl.Stop.CANCELLED) {
            return current.status() == JobStatus.CANCELLING
                ? current
                : current.moveTo(JobStatus.CANCELLING, now, "cancel requested");
          }
          if (JobControl.tooManyFailures(control.succeeded(), control.failed())) {
            return current
                .withFailureReason(TOO_MANY_FAILURES)
                .moveTo(JobStatus.FAILING, now, TOO_MANY_FAILURES);
          }
          String early = control.earlyStopReason(jobId);
          if (!early.isEmpty()) {
            return current.withFailureReason(early).moveTo(JobStatus.FAILING, now, "stopped early");
          }
          if (result == BatchStatus.COMPLETED) {
            return current.moveTo(JobStatus.COMPLETING, now, "");
          }
          return current
              .withFailureReason("the local executor stopped: " + result + " " + exitDescription)
              .moveTo(JobStatus.FAILING, now, "");
        });
  }

  private JobExecution launch(
      String jobId,
      JobRequest request,
      BatchDatabase database,
      OutcomeStore outcomes,
      JobControl control,
      LocalTask task,
      boolean idempotent) {
    JobRepository repository = database.repository();
    long total = request == null ? 0 : countRows(jobId);
    // the split is fixed at the first run, so that a restart finds the same partitions
    int partitions =
        outcomes
            .setting("partitions")
            .map(Integer::parseInt)
            .orElseGet(
                () -> {
                  int p = (int) Math.max(1, Math.min(settings.concurrency(), total));
                  outcomes.putSetting("partitions", Integer.toString(p));
                  return p;
                });

    // round 0 runs every row; a later round (see again) only those without an outcome
    long round = outcomes.setting(ROUND).map(Long::parseLong).orElse(0L);
    BitSet done = round == 0 ? new BitSet() : outcomes.doneRows();
    Step worker =
        new StepBuilder("tasks", repository)
            .<TaskRecord, TaskRecord>chunk(settings.chunkSize(idempotent))
            .reader(new RowRangeReader(request.manifest().file(), control, done))
            .processor(new TaskProcessor(task, idempotent, outcomes, control, settings, clock))
            .writer(new OutcomeWriter(outcomes, control))
            .transactionManager(database.transactions())
            .build();
    SimpleAsyncTaskExecutor threads =
        new SimpleAsyncTaskExecutor("quarry-" + jobId.substring(0, 8) + "-");
    threads.setConcurrencyLimit(settings.concurrency());
    TaskExecutorPartitionHandler handler = new TaskExecutorPartitionHandler();
    handler.setStep(worker);
    handler.setTaskExecutor(threads);
    handler.setGridSize(partitions);
    Step manager =
        new StepBuilder("manifest", repository)
            .partitioner("tasks", new RowRangePartitioner(total, partitions))
            .partitionHandler(handler)
            .build();
    Job job = new JobBuilder(SPRING_JOB, repository).start(manager).build();
    JobParametersBuilder builder = new JobParametersBuilder().addString("jobId", jobId);
    if (round > 0) {
      builder.addLong(ROUND, round);
    }
    JobParameters parameters = builder.toJobParameters();
    try {
      handler.afterPropertiesSet();
      MapJobRegistry registry = new MapJobRegistry();
      registry.register(job);
      TaskExecutorJobOperator operator = new TaskExecutorJobOperator();
      operator.setJobRepository(repository);
      operator.setJobRegistry(registry);
      operator.setTaskExecutor(new SyncTaskExecutor());
      operator.afterPropertiesSet();
      JobExecution last = repository.getLastJobExecution(SPRING_JOB, parameters);
      if (last == null) {
        return operator.start(job, parameters);
      }
      return switch (last.getStatus()) {
        case COMPLETED, ABANDONED -> last;
        case STARTING, STARTED, STOPPING, UNKNOWN ->
            // the process running it died: mark the execution failed, then restart it
            operator.restart(operator.recover(last));
        case FAILED, STOPPED -> operator.restart(last);
      };
    } catch (Exception e) {
      throw new IllegalStateException("cannot run job " + jobId + " with Spring Batch", e);
    }
  }

  /**
   * An ended job taken up again: a new round for the tasks that failed transiently or never ran
   * (not for a cancelled job: its user stopped it), else its report written if it is missing.
   */
  private JobRecord again(JobRecord job, ProgressListener listener) {
    String jobId = job.jobId();
    long total = job.progress().totalNumberOfTasks();
    if (total == 0) {
      return job;
    }
    JobRequest request = store.request(jobId);
    try (BatchDatabase database =
        BatchDatabase.open(store.dir(jobId), 2 * settings.concurrency() + 4)) {
      OutcomeStore outcomes = new OutcomeStore(database);
      long[] counts = outcomes.counts();
      long notRun = total - counts[0] - counts[1];
      long retryable = outcomes.retryable();
      if (job.status() != JobStatus.CANCELLED && (retryable > 0 || notRun > 0)) {
        // the database first: killed before the record moves, the job still looks ended and its
        // next resume starts another round, which runs the same tasks
        outcomes.startRound(ROUND);
        String note =
            "resumed: retrying "
                + retryable
                + " tasks that failed transiently"
                + (notRun > 0 ? ", running " + notRun + " not run" : "");
        JobRecord active = store.update(jobId, r -> reopened(r, note));
        listener.onProgress(active);
        return finish(
            runTasks(active, request, database, outcomes, listener), request, outcomes, listener);
      }
      if (reportMissing(job, request, counts)) {
        CompletionReport report = writeReport(jobId, request, outcomes);
        listener.onProgress(job);
        return store.update(
            jobId,
            r ->
                r.moveTo(
                    r.status(),
                    clock.instant(),
                    "completion report written again: " + report.manifestKey()));
      }
      return job;
    }
  }

  /**
   * Writes the completion report of an ended job whose report is missing (it could not be written
   * when the job ended, e.g. on a full disk), from the job's stored outcomes.
   *
   * @return the report, empty when the job has none to write or it exists already
   * @throws QuarryException (user) when the job has not ended or runs in another process
   */
  public Optional<CompletionReport> writeMissingReport(String jobId) {
    JobRecord job = store.get(jobId);
    if (!job.status().terminal()) {
      throw QuarryException.user(
          ErrorCode.JOB_STATE_INVALID,
          "job "
              + jobId
              + " is "
              + job.status().awsName()
              + "; its report is written when it ends");
    }
    Optional<ProcessLock> lock = ProcessLock.tryAcquire(runLock(jobId));
    if (lock.isEmpty()) {
      throw QuarryException.user(ErrorCode.BUSY, "job " + jobId + " is running in another process");
    }
    try (BatchDatabase database = BatchDatabase.open(store.dir(jobId), 4)) {
      JobRequest request = store.request(jobId);
      OutcomeStore outcomes = new OutcomeStore(database);
      if (!reportMissing(job, request, outcomes.counts())) {
        return Optional.empty();
      }
      CompletionReport report = writeReport(jobId, request, outcomes);
      store.update(
          jobId,
          r ->
              r.moveTo(
                  r.status(),
                  clock.instant(),
                  "completion report written again: " + report.manifestKey()));
      return Optional.of(report);
    } finally {
      lock.get().close();
    }
  }

  /** A report the job should have and has not: only a local report's absence can be seen here. */
  private static boolean reportMissing(JobRecord job, JobRequest request, long[] counts) {
    if (!request.report().enabled() || counts[0] + counts[1] == 0 || job.report().isEmpty()) {
      return false;
    }
    return job.report().get() instanceof ReportLocation.Local local
        && !Files.exists(local.manifest(job.jobId()));
  }

  private CompletionReport writeReport(String jobId, JobRequest request, OutcomeStore outcomes) {
    // the report says what AWS's says: "Successful" for an S3 operation (the tasks' own words stay
    // in the outcomes), but a Lambda's resultString as it returned it (AWS saves it in the report;
    // a revert's undo reads the markers hide-keys added from there)
    // (whether the operation invokes a function does not depend on the bucket it is built for)
    // the same holds for S3ComputeObjectChecksum, whose result is the checksum itself
    var operation = actions.apply(request.action()).jobOperation("bucket");
    boolean ownWords =
        operation.lambdaInvoke() != null || operation.s3ComputeObjectChecksum() != null;
    return reports.write(
        request.report().location(),
        jobId,
        request.report().scope(),
        sink -> outcomes.forEach(r -> sink.accept(ownWords ? r : r.asReported())));
  }

  /** An ended job made Active again: the reasons and the end of its last round no longer hold. */
  private JobRecord reopened(JobRecord r, String note) {
    return new JobRecord(
            r.jobId(),
            r.clientRequestToken(),
            r.playbook(),
            r.runId(),
            r.description(),
            r.priority(),
            r.action(),
            r.status(),
            r.progress(),
            List.of(),
            r.report(),
            false,
            r.created(),
            Optional.empty(),
            r.transitions())
        .moveTo(JobStatus.ACTIVE, clock.instant(), note);
  }

  private long countRows(String jobId) {
    return store.get(jobId).progress().totalNumberOfTasks();
  }

  /** Completing, Failing or Cancelling: writes the report (if a task ran) and ends the job. */
  private JobRecord finish(
      JobRecord job, JobRequest request, OutcomeStore outcomes, ProgressListener listener) {
    String jobId = job.jobId();
    JobStatus end =
        switch (job.status()) {
          case COMPLETING -> JobStatus.COMPLETE;
          case FAILING -> JobStatus.FAILED;
          case CANCELLING -> JobStatus.CANCELLED;
          case NEW,
              PREPARING,
              SUSPENDED,
              READY,
              ACTIVE,
              PAUSING,
              PAUSED,
              COMPLETE,
              CANCELLED,
              FAILED ->
              null;
        };
    if (end == null) {
      return job;
    }
    listener.onProgress(job);
    long[] counts = outcomes.counts();
    JobRecord.Progress progress =
        new JobRecord.Progress(
            job.progress().totalNumberOfTasks(),
            counts[0],
            counts[1],
            job.progress().elapsedTimeInActiveSeconds());
    String note = "";
    Optional<String> reportFailure = Optional.empty();
    if (request.report().enabled() && counts[0] + counts[1] > 0) {
      try {
        note = "completion report: " + writeReport(jobId, request, outcomes).manifestKey();
      } catch (RuntimeException e) {
        // the tasks' outcomes stand and stay stored: the job ends as they say, and its report can
        // be written again later (writeMissingReport, or execute on the ended job)
        reportFailure = Optional.of(e instanceof QuarryException ? e.getMessage() : e.toString());
        note = "the completion report was not written: " + reportFailure.get();
      }
    }
    boolean noReport = counts[0] + counts[1] == 0;
    String finalNote = note;
    JobRecord ended =
        store.update(
            jobId,
            r -> {
              JobRecord next = r.withProgress(progress);
              next = noReport ? next.withoutReport() : next;
              return next.moveTo(end, clock.instant(), finalNote);
            });
    listener.onProgress(ended);
    if (reportFailure.isPresent()) {
      throw new QuarryException(
          ErrorCode.JOB_FAILED,
          "job "
              + jobId
              + " ended "
              + end.awsName()
              + " ("
              + counts[0]
              + " tasks succeeded, "
              + counts[1]
              + " failed), but its completion report was not written: "
              + reportFailure.get()
              + "; the outcomes are kept: once that is mended, 'quarry report "
              + jobId
              + "' writes the report");
    }
    return ended;
  }

  /**
   * Checks the manifest as CreateJob's Preparing does: its format, its ETag (the MD5 of its
   * content), and that every row has the fields the request names.
   *
   * @return the number of rows, i.e. of tasks
   */
  static long checkManifest(JobRequest.ManifestRef manifest) {
    if (!ManifestInfo.FORMAT.equals(manifest.format())) {
      throw new ManifestException(
          "unsupported manifest format " + manifest.format() + "; expected " + ManifestInfo.FORMAT);
    }
    Path file = manifest.file();
    if (!Files.isRegularFile(file)) {
      throw new ManifestException("the manifest " + file + " does not exist");
    }
    String md5 = md5(file);
    String etag = manifest.etag().replace("\"", "").toLowerCase(Locale.ROOT);
    if (!md5.equals(etag)) {
      throw new ManifestException(
          "the manifest's ETag " + etag + " does not match its content (MD5 " + md5 + ")");
    }
    int width = manifest.withVersionIds() ? 3 : 2;
    long rows = 0;
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        CSVParser parser = CSVFormat.DEFAULT.parse(reader)) {
      for (CSVRecord record : parser) {
        if (record.size() != width) {
          throw new ManifestException(
              "manifest row "
                  + record.getRecordNumber()
                  + " has "
                  + record.size()
                  + " fields; the manifest's fields are "
                  + manifest.fields());
        }
        rows++;
      }
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new ManifestException("cannot read the manifest " + file + ": " + e.getMessage());
    }
    return rows;
  }

  private static String md5(Path file) {
    try (InputStream in =
        new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("MD5"))) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
      return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
    } catch (IOException e) {
      throw new ManifestException("cannot read the manifest " + file + ": " + e.getMessage());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String firstLine(String text) {
    if (text == null || text.isBlank()) {
      return "";
    }
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }

  /** The manifest is not one a job can run: the job fails while Preparing. */
  static final class ManifestException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ManifestException(String message) {
      super(message);
    }
  }

  /**
   * Held by the one process that runs a job; free on an Active job, it means the job was
   * interrupted.
   */
  private Path runLock(String jobId) {
    return store.dir(jobId).resolve("run.lock");
  }
}
