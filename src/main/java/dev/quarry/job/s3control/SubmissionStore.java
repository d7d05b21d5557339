package dev.quarry.job.s3control;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.io.AtomicFiles;
import dev.quarry.io.ProcessLock;
import dev.quarry.job.JobFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * Submissions on disk: {@code <runsDir>/<runId>/submission.json}, rewritten atomically, changed
 * under a lock that holds across processes (a {@code quarry job} in one terminal and a tracking
 * {@code quarry run} in another both record what they see).
 */
final class SubmissionStore {

  private static final ObjectMapper JSON = JobFiles.JSON;

  private final Path runsDir;

  SubmissionStore(Path runsDir) {
    this.runsDir = requireNonNull(runsDir, "runsDir is null");
  }

  Path file(String runId) {
    if (runId.isEmpty() || !runId.matches("[A-Za-z0-9._-]+") || runId.matches("\\.+")) {
      throw QuarryException.user(ErrorCode.ID_INVALID, "'" + runId + "' is not a run id");
    }
    return runsDir.resolve(runId).resolve("submission.json");
  }

  Optional<Submission> find(String runId) {
    Path file = file(runId);
    return Files.exists(file) ? Optional.of(read(file)) : Optional.empty();
  }

  /** The submission whose job is {@code jobId}, if this machine made it. */
  Optional<Submission> findByJob(String jobId) {
    return list().stream().filter(s -> s.jobId().equals(Optional.of(jobId))).findFirst();
  }

  List<Submission> list() {
    if (!Files.isDirectory(runsDir)) {
      return List.of();
    }
    List<Submission> all = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(runsDir)) {
      for (Path dir : dirs.toList()) {
        Path file = dir.resolve("submission.json");
        if (Files.isRegularFile(file)) {
          all.add(read(file));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + runsDir, e);
    }
    return all;
  }

  void write(Submission submission) {
    try {
      AtomicFiles.write(
          file(submission.request().clientRequestToken()), JSON.writeValueAsBytes(submission));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot render a submission", e);
    }
  }

  /** Applies {@code change} to the stored submission under its lock and stores the result. */
  Submission update(String runId, UnaryOperator<Submission> change) {
    return ProcessLock.locked(
        file(runId).resolveSibling(".lock"),
        () -> {
          Submission current =
              find(runId).orElseThrow(() -> new IllegalStateException("no submission of " + runId));
          Submission next = change.apply(current);
          if (!next.equals(current)) {
            write(next);
          }
          return next;
        });
  }

  private static Submission read(Path file) {
    return JobFiles.read(file, Submission.class);
  }
}
