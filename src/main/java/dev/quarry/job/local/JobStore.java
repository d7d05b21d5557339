package dev.quarry.job.local;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.io.AtomicFiles;
import dev.quarry.io.ProcessLock;
import dev.quarry.job.JobFiles;
import dev.quarry.job.JobRecord;
import dev.quarry.job.JobRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * Local jobs on disk: {@code <root>/<jobId>/job.json} (rewritten atomically at every change) and
 * {@code request.json} (written once). Changes are read-modify-write under a lock that holds across
 * processes, so a {@code quarry cancel} in one terminal and the executor in another never lose each
 * other's writes.
 */
final class JobStore {
  /** One in-JVM lock per file: a JVM may not hold two overlapping file locks itself. */
  static final ObjectMapper JSON = JobFiles.JSON;

  private final Path root;

  JobStore(Path root) {
    this.root = requireNonNull(root, "root is null");
  }

  Path root() {
    return root;
  }

  Path dir(String jobId) {
    if (!jobId.matches("[0-9a-fA-F-]{36}")) {
      throw QuarryException.user(ErrorCode.ID_INVALID, "'" + jobId + "' is not a job id (a UUID)");
    }
    return root.resolve(jobId);
  }

  Optional<JobRecord> find(String jobId) {
    Path file = dir(jobId).resolve("job.json");
    return Files.exists(file) ? Optional.of(read(file, JobRecord.class)) : Optional.empty();
  }

  JobRecord get(String jobId) {
    return find(jobId)
        .orElseThrow(() -> QuarryException.user(ErrorCode.JOB_NOT_FOUND, "no local job " + jobId));
  }

  JobRequest request(String jobId) {
    return read(dir(jobId).resolve("request.json"), JobRequest.class);
  }

  List<JobRecord> list() {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    List<JobRecord> jobs = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(root)) {
      for (Path dir : dirs.filter(d -> Files.exists(d.resolve("job.json"))).toList()) {
        jobs.add(read(dir.resolve("job.json"), JobRecord.class));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + root, e);
    }
    jobs.sort(Comparator.comparing(JobRecord::created).reversed());
    return jobs;
  }

  /** Writes a new job's request and record. */
  void create(JobRecord job, JobRequest request) {
    Path dir = dir(job.jobId());
    write(dir.resolve("request.json"), request);
    write(dir.resolve("job.json"), job);
  }

  /** Applies {@code change} to the stored record under the job's lock and persists the result. */
  JobRecord update(String jobId, UnaryOperator<JobRecord> change) {
    return ProcessLock.locked(
        dir(jobId).resolve(".lock"),
        () -> {
          JobRecord next = change.apply(get(jobId));
          write(dir(jobId).resolve("job.json"), next);
          return next;
        });
  }

  /** Runs {@code body} holding the lock of the whole store (submission looks up tokens). */
  <T> T lockedStore(Supplier<T> body) {
    return ProcessLock.locked(root.resolve(".lock"), body);
  }

  private static void write(Path file, Object value) {
    try {
      AtomicFiles.write(file, JSON.writeValueAsBytes(value));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot render " + value.getClass(), e);
    }
  }

  private static <T> T read(Path file, Class<T> type) {
    return JobFiles.read(file, type);
  }
}
