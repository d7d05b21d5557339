package dev.quarry.schedule;

import static java.util.Objects.requireNonNull;

import dev.quarry.playbook.Schedule;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TimeZone;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.quartz.CronScheduleBuilder;
import org.quartz.CronTrigger;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobExecutionContext;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.impl.matchers.GroupMatcher;
import org.quartz.utils.DBConnectionManager;

/**
 * Quartz, behind the few things the daemon asks of it: fire a task on a cron schedule, run one now,
 * stop firing. Quartz stays in this package (house rule 7).
 *
 * <p>{@link #onDatabase} keeps the schedules in Quartz's JDBC job store (JobStoreTX) on the run
 * store's database, in Quartz's own tables ({@code QRTZ_*}, created by Flyway from {@code
 * db/quartz/<vendor>} with their own history table, {@code quartz_schema_history}). A slot missed
 * while the daemon was down then follows the misfire policy at its restart. On PostgreSQL the
 * daemons that share the database form a Quartz cluster: each slot fires on exactly one of them,
 * and a daemon that dies is noticed by the others within the check-in interval.
 *
 * <p>Jobs are keyed by an id (the daemon uses the playbook's name); what a firing runs is held in
 * this process only, so every daemon of a cluster must read the same playbooks.
 *
 * <pre>{@code
 * try (PlaybookScheduler scheduler =
 *     PlaybookScheduler.onDatabase(4, Misfire.SKIP, runStoreUrl, Duration.ofSeconds(5))) {
 *   scheduler.schedule("tag-all", new Schedule("0/2 * * * * ?", ZoneOffset.UTC), slot -> fire());
 *   scheduler.start();
 *   ...
 * }  // waits for the tasks that run
 * }</pre>
 */
public final class PlaybookScheduler implements AutoCloseable {
  /**
   * A slot counts as missed once it is this late; Quartz's default (a minute) would let a playbook
   * fired every few seconds pile up late firings instead of obeying the policy.
   */
  static final long MISFIRE_THRESHOLD_MS = 1_000;

  /**
   * The scheduler's name in Quartz's tables: the same for every daemon, since the daemons on one
   * database form one cluster (and a restarted daemon finds its schedules under it).
   */
  static final String NAME = "quarry";

  private static final String GROUP = "playbooks";

  /** What a firing runs; {@code slot} is the time it was scheduled for, not the time it ran. */
  @FunctionalInterface
  public interface Task {
    void fire(Instant slot);
  }

  private final Scheduler scheduler;
  private final Misfire misfire;
  private final Map<JobKey, Task> tasks = new ConcurrentHashMap<>();
  // runs taken up at start: in this process only, never handed to another daemon of a cluster
  private final ExecutorService now;

  private PlaybookScheduler(int threads, Misfire misfire, Properties store) {
    this.misfire = requireNonNull(misfire, "misfire is null");
    Properties p = new Properties();
    p.putAll(store);
    p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
    p.setProperty("org.quartz.threadPool.threadCount", Integer.toString(threads));
    p.setProperty("org.quartz.jobStore.misfireThreshold", Long.toString(MISFIRE_THRESHOLD_MS));
    try {
      scheduler = new StdSchedulerFactory(p).getScheduler();
      scheduler.setJobFactory((bundle, s) -> new Firing(tasks.get(bundle.getJobDetail().getKey())));
    } catch (SchedulerException e) {
      throw new IllegalStateException("cannot create the Quartz scheduler: " + e.getMessage(), e);
    }
    now = Executors.newFixedThreadPool(threads);
  }

  /** Schedules in memory only (Quartz's RAMJobStore): for tests of what sits on top. */
  PlaybookScheduler(int threads, Misfire misfire) {
    this(threads, misfire, ram());
  }

  private static Properties ram() {
    Properties p = new Properties();
    // a unique name: two schedulers in one JVM must not share Quartz's scheduler registry
    p.setProperty("org.quartz.scheduler.instanceName", "quarry-" + UUID.randomUUID());
    p.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
    return p;
  }

  /**
   * Schedules kept in Quartz's JDBC job store on the database at {@code url} (H2 or PostgreSQL),
   * whose Quartz tables are created or migrated first. On PostgreSQL the scheduler joins the
   * cluster of the daemons on that database, checking in every {@code checkin}.
   *
   * @throws IllegalArgumentException for a database other than H2 or PostgreSQL
   */
  public static PlaybookScheduler onDatabase(
      int threads, Misfire misfire, String url, Duration checkin) {
    requireNonNull(url, "url is null");
    requireNonNull(checkin, "checkin is null");
    Vendor vendor = Vendor.of(url);
    migrate(url, vendor);
    // the connection manager is one per JVM: a name of its own for each scheduler's database
    String dataSource = "quarry-" + UUID.randomUUID();
    DBConnectionManager.getInstance().addConnectionProvider(dataSource, new DriverConnections(url));
    Properties p = new Properties();
    p.setProperty("org.quartz.scheduler.instanceName", NAME);
    p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
    p.setProperty("org.quartz.jobStore.dataSource", dataSource);
    p.setProperty("org.quartz.jobStore.tablePrefix", "QRTZ_");
    p.setProperty("org.quartz.jobStore.driverDelegateClass", vendor.delegate);
    if (vendor.clustered) {
      p.setProperty("org.quartz.scheduler.instanceId", "AUTO");
      p.setProperty("org.quartz.jobStore.isClustered", "true");
      p.setProperty(
          "org.quartz.jobStore.clusterCheckinInterval", Long.toString(checkin.toMillis()));
      // the row lock also around acquiring triggers: two daemons never take the same slot
      p.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
    }
    return new PlaybookScheduler(threads, misfire, p);
  }

  private enum Vendor {
    H2("h2", "org.quartz.impl.jdbcjobstore.StdJDBCDelegate", false),
    POSTGRESQL("postgresql", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate", true);

    final String folder;
    final String delegate;
    // an embedded H2 file is one process's at a time: no cluster to form on it
    final boolean clustered;

    Vendor(String folder, String delegate, boolean clustered) {
      this.folder = folder;
      this.delegate = delegate;
      this.clustered = clustered;
    }

    static Vendor of(String url) {
      for (Vendor v : values()) {
        if (url.startsWith("jdbc:" + v.folder + ":")) {
          return v;
        }
      }
      throw new IllegalArgumentException(
          "the daemon's job store needs an H2 or PostgreSQL database (jdbc:h2:, jdbc:postgresql:)");
    }
  }

  private static void migrate(String url, Vendor vendor) {
    for (int attempt = 1; ; attempt++) {
      try {
        Flyway.configure()
            .dataSource(url, null, null)
            .locations("classpath:db/quartz/" + vendor.folder)
            .table("quartz_schema_history")
            // the database is the run store's: not empty, and not Quartz's to baseline
            .baselineOnMigrate(true)
            .baselineVersion("0")
            .load()
            .migrate();
        return;
      } catch (FlywayException e) {
        if (attempt >= 100
            || !(DriverConnections.alreadyOpen(e)
                || dev.quarry.run.jdbc.JdbcRunStore.baselineUnderWay(e))) {
          throw new IllegalStateException("cannot create Quartz's tables: " + e.getMessage(), e);
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while creating Quartz's tables", e);
        }
      }
    }
  }

  /**
   * Fires {@code task} on {@code schedule} under {@code id}. A stored schedule of {@code id} that
   * is the same (cron, time zone, misfire policy) is kept as it is, with its next slot and any
   * missed one; a different one is replaced.
   */
  public void schedule(String id, Schedule schedule, Task task) {
    requireNonNull(task, "task is null");
    Cron.validate(schedule.cron());
    TimeZone zone = TimeZone.getTimeZone(schedule.timezone());
    CronScheduleBuilder cron = CronScheduleBuilder.cronSchedule(schedule.cron()).inTimeZone(zone);
    cron =
        switch (misfire) {
          case RUN_ONCE -> cron.withMisfireHandlingInstructionFireAndProceed();
          case SKIP -> cron.withMisfireHandlingInstructionDoNothing();
        };
    CronTrigger trigger =
        TriggerBuilder.newTrigger().withIdentity(id, GROUP).withSchedule(cron).build();
    JobKey key = JobKey.jobKey(id, GROUP);
    tasks.put(key, task);
    try {
      if (scheduler.getTrigger(TriggerKey.triggerKey(id, GROUP)) instanceof CronTrigger stored
          && stored.getCronExpression().equals(trigger.getCronExpression())
          && stored.getTimeZone().getID().equals(zone.getID())
          && stored.getMisfireInstruction() == trigger.getMisfireInstruction()
          && scheduler.checkExists(key)) {
        return;
      }
      scheduler.scheduleJob(
          JobBuilder.newJob(Firing.class).withIdentity(key).build(), Set.of(trigger), true);
    } catch (SchedulerException e) {
      tasks.remove(key);
      throw new IllegalStateException("cannot schedule " + id + ": " + e.getMessage(), e);
    }
  }

  /** Runs {@code task} once, now (as soon as a thread is free), in this process. */
  public void once(Runnable task) {
    requireNonNull(task, "task is null");
    now.execute(task);
  }

  /** Stops firing {@code id}; a task of it already running goes on. */
  public void unschedule(String id) {
    JobKey key = JobKey.jobKey(id, GROUP);
    try {
      scheduler.deleteJob(key);
    } catch (SchedulerException e) {
      throw new IllegalStateException("cannot unschedule " + id + ": " + e.getMessage(), e);
    }
    tasks.remove(key);
  }

  /** The ids scheduled, as the job store has them (also those of other daemons, or of before). */
  public Set<String> ids() {
    try {
      return scheduler.getJobKeys(GroupMatcher.jobGroupEquals(GROUP)).stream()
          .map(JobKey::getName)
          .collect(java.util.stream.Collectors.toUnmodifiableSet());
    } catch (SchedulerException e) {
      throw new IllegalStateException("cannot list the schedules: " + e.getMessage(), e);
    }
  }

  /** Unschedules every id but {@code keep}; returns those it unscheduled. */
  public List<String> retainOnly(Set<String> keep) {
    List<String> removed = new ArrayList<>();
    for (String id : ids()) {
      if (!keep.contains(id)) {
        unschedule(id);
        removed.add(id);
      }
    }
    return List.copyOf(removed);
  }

  /** Starts firing. */
  public void start() {
    try {
      scheduler.start();
    } catch (SchedulerException e) {
      throw new IllegalStateException("cannot start the Quartz scheduler: " + e.getMessage(), e);
    }
  }

  /**
   * {@code running}, {@code standby} (not started yet) or {@code stopped}: the daemon's /health.
   */
  public String state() {
    try {
      if (scheduler.isShutdown()) {
        return "stopped";
      }
      return scheduler.isInStandbyMode() || !scheduler.isStarted() ? "standby" : "running";
    } catch (SchedulerException e) {
      return "unknown: " + e.getMessage();
    }
  }

  /** Stops firing, then waits for the tasks that run to end. */
  @Override
  public void close() {
    now.shutdown();
    try {
      scheduler.shutdown(true);
      while (!now.awaitTermination(1, TimeUnit.SECONDS)) {
        // a run taken up at start goes on to a safe point, however long that takes
      }
    } catch (SchedulerException e) {
      throw new IllegalStateException("cannot stop the Quartz scheduler: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * One firing. Never two at once of one id, across the daemons of a cluster too (Quartz blocks the
   * trigger while its job runs); the run store sees to other quarry processes.
   */
  @DisallowConcurrentExecution
  static final class Firing implements Job {
    private final Task task;

    Firing(Task task) {
      this.task = task;
    }

    @Override
    public void execute(JobExecutionContext context) {
      if (task != null) { // unscheduled between the trigger and the firing
        task.fire(context.getScheduledFireTime().toInstant());
      }
    }
  }
}
