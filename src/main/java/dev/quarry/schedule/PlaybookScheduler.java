package dev.quarry.schedule;

import static java.util.Objects.requireNonNull;

import dev.quarry.playbook.Schedule;
import java.util.Map;
import java.util.Properties;
import java.util.TimeZone;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.quartz.CronScheduleBuilder;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobExecutionContext;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;

/**
 * Quartz, behind the few things the daemon asks of it: fire a task on a cron schedule, fire one
 * now, stop firing. Quartz stays in this package (house rule 7).
 *
 * <p>The job store is Quartz's RAMJobStore: schedules live as long as the process, and the daemon
 * rebuilds them from the playbook folder at each start. What must survive a restart — that a
 * playbook has a run going — is in the run store, which refuses a second run by itself.
 *
 * <pre>{@code
 * try (PlaybookScheduler scheduler = new PlaybookScheduler(4, Misfire.SKIP)) {
 *   scheduler.schedule("tag.yaml", new Schedule("0/2 * * * * ?", ZoneOffset.UTC), this::fire);
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

  private static final String GROUP = "playbooks";

  private final Scheduler scheduler;
  private final Misfire misfire;
  private final Map<JobKey, Runnable> tasks = new ConcurrentHashMap<>();

  /**
   * @param threads how many tasks may run at once (each fires one playbook)
   */
  public PlaybookScheduler(int threads, Misfire misfire) {
    this.misfire = requireNonNull(misfire, "misfire is null");
    Properties p = new Properties();
    // a unique name: two daemons (or tests) in one JVM must not share Quartz's scheduler registry
    p.setProperty("org.quartz.scheduler.instanceName", "quarry-" + UUID.randomUUID());
    p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
    p.setProperty("org.quartz.threadPool.threadCount", Integer.toString(threads));
    p.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
    p.setProperty("org.quartz.jobStore.misfireThreshold", Long.toString(MISFIRE_THRESHOLD_MS));
    try {
      scheduler = new StdSchedulerFactory(p).getScheduler();
      scheduler.setJobFactory((bundle, s) -> new Firing(tasks.get(bundle.getJobDetail().getKey())));
    } catch (SchedulerException e) {
      throw new IllegalStateException("cannot create the Quartz scheduler: " + e.getMessage(), e);
    }
  }

  /** Fires {@code task} on {@code schedule} under {@code id}, replacing what {@code id} had. */
  public void schedule(String id, Schedule schedule, Runnable task) {
    Cron.validate(schedule.cron());
    CronScheduleBuilder cron =
        CronScheduleBuilder.cronSchedule(schedule.cron())
            .inTimeZone(TimeZone.getTimeZone(schedule.timezone()));
    cron =
        switch (misfire) {
          case RUN_ONCE -> cron.withMisfireHandlingInstructionFireAndProceed();
          case SKIP -> cron.withMisfireHandlingInstructionDoNothing();
        };
    add(id, TriggerBuilder.newTrigger().withSchedule(cron).build(), task);
  }

  /** Fires {@code task} once, now (as soon as a thread is free), under {@code id}. */
  public void once(String id, Runnable task) {
    add(id, TriggerBuilder.newTrigger().startNow().build(), task);
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
    try {
      scheduler.shutdown(true);
    } catch (SchedulerException e) {
      throw new IllegalStateException("cannot stop the Quartz scheduler: " + e.getMessage(), e);
    }
  }

  private void add(String id, Trigger trigger, Runnable task) {
    requireNonNull(task, "task is null");
    JobKey key = JobKey.jobKey(id, GROUP);
    tasks.put(key, task);
    try {
      scheduler.scheduleJob(
          JobBuilder.newJob(Firing.class).withIdentity(key).build(),
          java.util.Set.of(trigger),
          true);
    } catch (SchedulerException e) {
      tasks.remove(key);
      throw new IllegalStateException("cannot schedule " + id + ": " + e.getMessage(), e);
    }
  }

  /**
   * One firing. Never two at once of one playbook in this process; the run store sees to others.
   */
  @DisallowConcurrentExecution
  static final class Firing implements Job {
    private final Runnable task;

    Firing(Runnable task) {
      this.task = task;
    }

    @Override
    public void execute(JobExecutionContext context) {
      if (task != null) { // unscheduled between the trigger and the firing
        task.run();
      }
    }
  }
}
