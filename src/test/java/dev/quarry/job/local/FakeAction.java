package dev.quarry.job.local;

import dev.quarry.action.Action;
import dev.quarry.action.LocalTask;
import dev.quarry.action.TaskOutcome;
import dev.quarry.action.TransientTaskException;
import dev.quarry.query.ObjectRow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3control.model.JobOperation;

/**
 * A hand-written action of our own SPI for executor tests: its task records every call, and fails
 * (or fails transiently) on chosen keys. It can also append each call to a file, which survives the
 * death of the process, and pause on a key to be killed there.
 */
final class FakeAction implements Action {
  final ConcurrentLinkedQueue<String> calls = new ConcurrentLinkedQueue<>();
  private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
  private boolean idempotent = true;
  private boolean destructive;
  private Set<String> failing = Set.of();
  private String failingCode = "AccessDenied";
  private Map<String, Integer> transientFailures = Map.of();
  private Set<String> alwaysTransient = Set.of();
  private Path callLog;
  private long delayMillis;
  private String hangOn;
  private Runnable onEachCall = () -> {};
  private boolean lambda;
  private boolean checksum;

  FakeAction nonIdempotent() {
    idempotent = false;
    return this;
  }

  /** Runs {@code hook} in each task, before it answers. */
  FakeAction onEachCall(Runnable hook) {
    onEachCall = hook;
    return this;
  }

  /** Its AWS operation invokes a Lambda function, whose result strings AWS's report keeps. */
  FakeAction invokingALambda() {
    lambda = true;
    return this;
  }

  /** Its AWS operation is S3ComputeObjectChecksum, whose report rows carry the checksum. */
  FakeAction computingChecksums() {
    checksum = true;
    return this;
  }

  FakeAction asDestructive() {
    destructive = true;
    return this;
  }

  FakeAction failing(Set<String> keys) {
    failing = Set.copyOf(keys);
    return this;
  }

  /** The keys that fail, and the error code they fail with (AccessDenied unless told). */
  FakeAction failing(Set<String> keys, String errorCode) {
    failing = Set.copyOf(keys);
    failingCode = errorCode;
    return this;
  }

  /** Each key fails transiently this many times, then succeeds. */
  FakeAction transientFailures(Map<String, Integer> times) {
    transientFailures = Map.copyOf(times);
    return this;
  }

  FakeAction alwaysTransient(Set<String> keys) {
    alwaysTransient = Set.copyOf(keys);
    return this;
  }

  FakeAction logCallsTo(Path file) {
    callLog = file;
    return this;
  }

  FakeAction delay(long millis) {
    delayMillis = millis;
    return this;
  }

  /** The task of this key never returns (after logging its call). */
  FakeAction hangOn(String key) {
    hangOn = key;
    return this;
  }

  int attempts(String key) {
    AtomicInteger n = attempts.get(key);
    return n == null ? 0 : n.get();
  }

  List<String> callList() {
    return List.copyOf(calls);
  }

  @Override
  public String type() {
    return "fake";
  }

  @Override
  public boolean needsVersionId() {
    return false;
  }

  @Override
  public boolean idempotent() {
    return idempotent;
  }

  @Override
  public boolean destructive() {
    return destructive;
  }

  @Override
  public JobOperation jobOperation(String bucket) {
    if (checksum) {
      return JobOperation.builder()
          .s3ComputeObjectChecksum(c -> c.checksumAlgorithm("CRC32").checksumType("FULL_OBJECT"))
          .build();
    }
    return lambda
        ? JobOperation.builder()
            .lambdaInvoke(l -> l.functionArn("arn:aws:lambda:us-east-1:111122223333:function:f"))
            .build()
        : JobOperation.builder().build();
  }

  @Override
  public dev.quarry.action.RolePermissions rolePermissions(boolean versioned) {
    return dev.quarry.action.RolePermissions.onObjects("a fake: never submitted to AWS");
  }

  @Override
  public LocalTask localTask(S3Client s3) {
    return this::run;
  }

  private TaskOutcome run(ObjectRow row) {
    String key = row.key();
    int attempt = attempts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    calls.add(key);
    onEachCall.run();
    if (callLog != null) {
      append(key);
    }
    if (key.equals(hangOn)) {
      sleep(3_600_000);
    }
    if (delayMillis > 0) {
      sleep(delayMillis);
    }
    if (alwaysTransient.contains(key)) {
      throw new TransientTaskException("SlowDown", 503, "please reduce your request rate", null);
    }
    Integer transientTimes = transientFailures.get(key);
    if (transientTimes != null && attempt <= transientTimes) {
      throw new TransientTaskException("InternalError", 500, "try again", null);
    }
    if (failing.contains(key)) {
      return TaskOutcome.failed(failingCode, 403, failingCode);
    }
    return TaskOutcome.succeeded("done " + key);
  }

  private synchronized void append(String key) {
    try {
      Files.writeString(
          callLog,
          key + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
