package dev.quarry.job;

import java.nio.file.Path;
import java.time.Instant;

/**
 * Holds a lease in a process of its own until it is killed, for {@link JobLeaseTest}: {@code
 * JobLeaseHolderMain <dir> <name> <jobId>}. Prints "held" once it holds it.
 */
public final class JobLeaseHolderMain {
  private JobLeaseHolderMain() {}

  public static void main(String[] args) throws InterruptedException {
    JobLease.Holder holder =
        new JobLease.Holder(
            args[2], "run-child", "child-playbook", ProcessHandle.current().pid(), Instant.now());
    JobLease.tryAcquire(Path.of(args[0]), args[1], holder).orElseThrow();
    System.out.println("held");
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
