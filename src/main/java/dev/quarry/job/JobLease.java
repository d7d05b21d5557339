package dev.quarry.job;

import static java.util.Objects.requireNonNull;

import dev.quarry.io.AtomicFiles;
import dev.quarry.io.ProcessLock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A named lease a job holds while it runs, across every process that shares the state directory:
 * {@code <stateDir>/locks/<name>.lock}, an exclusive {@link ProcessLock}, beside {@code
 * <name>.holder.json}, which says who holds it (job, run, playbook, process, since when).
 *
 * <p>The operating system releases the lock when its process dies, however it dies, so a holder
 * that was killed never blocks anyone: its holder record stays behind but is only read while the
 * lock is held, and then names a living process (a record whose process is gone is not shown).
 * Threads of one process exclude each other too: a second lease of the same name in the same JVM is
 * refused.
 *
 * <p>Names say what is leased: {@code bucket-<bucket>} keeps two destructive jobs off one bucket
 * (see {@link #forBucket}); the same mechanism serves any other one-at-a-time rule, e.g. {@code
 * playbook-<name>}.
 *
 * <pre>{@code
 * try (JobLease lease = JobLease.tryAcquire(locks, "bucket-photos", holder)
 *     .orElseThrow(() -> refused(JobLease.holder(locks, "bucket-photos")))) {
 *   ... run the job ...
 * }
 * }</pre>
 */
public final class JobLease implements AutoCloseable {
  private final ProcessLock lock;
  private final Path holderFile;

  private JobLease(ProcessLock lock, Path holderFile) {
    this.lock = lock;
    this.holderFile = holderFile;
  }

  /**
   * Who holds a lease.
   *
   * @param pid the holding process
   */
  public record Holder(String jobId, String runId, String playbook, long pid, Instant since) {
    public Holder {
      requireNonNull(jobId, "jobId is null");
      requireNonNull(runId, "runId is null");
      requireNonNull(playbook, "playbook is null");
      requireNonNull(since, "since is null");
    }

    /** {@code job} as held by this process, from now. */
    public static Holder of(JobRecord job, Instant now) {
      return new Holder(
          job.jobId(), job.runId(), job.playbook(), ProcessHandle.current().pid(), now);
    }
  }

  /** Where leases live: {@code <stateDir>/locks}. */
  public static Path dir(Path stateDir) {
    return stateDir.resolve("locks");
  }

  /** The name of the lease on a bucket. */
  public static String forBucket(String bucket) {
    return "bucket-" + bucket;
  }

  /** The lease, or empty when another process (or another thread of this one) holds it. */
  public static Optional<JobLease> tryAcquire(Path dir, String name, Holder holder) {
    requireNonNull(holder, "holder is null");
    Optional<ProcessLock> lock = ProcessLock.tryAcquire(dir.resolve(checked(name) + ".lock"));
    if (lock.isEmpty()) {
      return Optional.empty();
    }
    Path holderFile = dir.resolve(name + ".holder.json");
    try {
      AtomicFiles.write(holderFile, AtomicFiles.JSON.writeValueAsBytes(holder));
    } catch (IOException e) {
      lock.get().close();
      throw new UncheckedIOException("cannot write " + holderFile, e);
    } catch (RuntimeException e) {
      lock.get().close();
      throw e;
    }
    return Optional.of(new JobLease(lock.get(), holderFile));
  }

  /**
   * All the leases or none: either every name is held by {@code holder} now, or the first name held
   * by someone else, with its holder as far as it is known. Names are taken in sorted order.
   */
  public static Result tryAcquireAll(Path dir, Collection<String> names, Holder holder) {
    List<JobLease> taken = new ArrayList<>();
    for (String name : new TreeSet<>(names)) {
      Optional<JobLease> lease = tryAcquire(dir, name, holder);
      if (lease.isEmpty()) {
        taken.forEach(JobLease::close);
        return new Result(List.of(), Optional.of(name), holder(dir, name));
      }
      taken.add(lease.get());
    }
    return new Result(taken, Optional.empty(), Optional.empty());
  }

  /**
   * What {@link #tryAcquireAll} got: the leases (close them to release), or the name it could not
   * get and who holds it.
   */
  public record Result(List<JobLease> leases, Optional<String> refused, Optional<Holder> holder)
      implements AutoCloseable {
    public Result {
      leases = List.copyOf(leases);
      requireNonNull(refused, "refused is null");
      requireNonNull(holder, "holder is null");
    }

    @Override
    public void close() {
      leases.forEach(JobLease::close);
    }
  }

  /**
   * Who holds the lease {@code name}, if someone does and says so. Empty when it is free, when its
   * holder has not written its record yet, or when the record names a process that has ended.
   */
  public static Optional<Holder> holder(Path dir, String name) {
    Optional<ProcessLock> free = ProcessLock.tryAcquire(dir.resolve(checked(name) + ".lock"));
    if (free.isPresent()) {
      free.get().close();
      return Optional.empty();
    }
    Path file = dir.resolve(name + ".holder.json");
    try {
      Holder holder = AtomicFiles.JSON.readValue(file.toFile(), Holder.class);
      boolean alive = ProcessHandle.of(holder.pid()).map(ProcessHandle::isAlive).orElse(false);
      return alive ? Optional.of(holder) : Optional.empty();
    } catch (IOException e) {
      // not written yet, or unreadable: the lock is held all the same
      return Optional.empty();
    }
  }

  /** Releases the lease; its holder record goes first, so that nobody reads it as current. */
  @Override
  public void close() {
    try {
      Files.deleteIfExists(holderFile);
    } catch (IOException e) {
      // a stale record is harmless: it is read only while the lock is held, and checked
    } finally {
      lock.close();
    }
  }

  private static String checked(String name) {
    if (!name.matches("[A-Za-z0-9._-]{1,200}")) {
      throw new IllegalArgumentException("not a lease name: " + name);
    }
    return name;
  }
}
