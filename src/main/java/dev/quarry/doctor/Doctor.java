package dev.quarry.doctor;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs checks side by side, each within a time limit, and reports every one: a check that throws or
 * does not answer in time fails alone, and the others still run.
 */
public final class Doctor {
  /** A named check; its body returns its result or throws. */
  public record Check(String name, Callable<CheckResult> body) {
    public Check {
      requireNonNull(name, "name is null");
      requireNonNull(body, "body is null");
    }
  }

  private final Duration timeout;

  public Doctor(Duration timeout) {
    this.timeout = requireNonNull(timeout, "timeout is null");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
  }

  /** The results, in the checks' order. */
  public List<CheckResult> run(List<Check> checks) {
    if (checks.isEmpty()) {
      return List.of();
    }
    ExecutorService pool =
        Executors.newFixedThreadPool(
            checks.size(),
            r -> {
              Thread t = new Thread(r, "quarry-doctor");
              t.setDaemon(true);
              return t;
            });
    try {
      List<Future<CheckResult>> futures = new ArrayList<>();
      for (Check check : checks) {
        futures.add(pool.submit(check.body()));
      }
      // every check started together, so one deadline bounds them all
      long deadline = System.nanoTime() + timeout.toNanos();
      List<CheckResult> results = new ArrayList<>();
      for (int i = 0; i < checks.size(); i++) {
        results.add(await(checks.get(i).name(), futures.get(i), deadline));
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  private CheckResult await(String name, Future<CheckResult> future, long deadline) {
    try {
      return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      return CheckResult.fail(
          name,
          "no answer within "
              + timeout.toSeconds()
              + " s: the endpoint may be unreachable or slow (a firewall, a proxy, a wrong URL);"
              + " try again with a longer --timeout");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      return CheckResult.fail(name, oneLine(cause));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return CheckResult.fail(name, "interrupted");
    }
  }

  static String oneLine(Throwable t) {
    String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return message.replaceAll("\\s+", " ").strip();
  }
}
