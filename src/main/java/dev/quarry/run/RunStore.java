package dev.quarry.run;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Keeps runs: a JDBC database (embedded H2 under the state directory, or PostgreSQL for a team).
 * {@code ExecuteRun} saves a run before and after every remote side effect, so a run that died
 * mid-way is found in the phase it last reached.
 *
 * <p>Example:
 *
 * <pre>{@code
 * Optional<RunRecord> other = store.start(RunRecord.planned(...));  // refused: other holds it
 * store.save(run.withJob(job.jobId()).enter(RunPhase.SUBMITTED, now));
 * List<RunRecord> failed = store.list(new RunStore.Query(Optional.empty(),
 *     Optional.of(RunPhase.FAILED), Optional.empty()));
 * }</pre>
 */
public interface RunStore extends AutoCloseable {
  /**
   * Stores {@code run}, replacing what was stored under its id; one transaction. When its phase has
   * ended, the same transaction releases its playbook's hold (see {@link #start}), if it has it.
   */
  void save(RunRecord run);

  /**
   * Saves {@code run} (just planned) as the active run of its playbook, in one transaction, unless
   * another unfinished run of that playbook holds it: then saves nothing and returns that run.
   * Atomic across threads, processes and machines that share the store: of two starts at the same
   * moment, exactly one wins. A hold whose run has ended or vanished is stale and taken over; a run
   * that holds its playbook already may start again (a resume).
   *
   * @return the run that holds the playbook instead; empty when {@code run} now holds it
   * @throws IllegalArgumentException when {@code run} has ended
   */
  Optional<RunRecord> start(RunRecord run);

  /** The unfinished run of {@code playbook} that holds it, if any (see {@link #start}). */
  Optional<RunRecord> active(String playbook);

  Optional<RunRecord> find(String runId);

  /** The runs that match {@code query}, newest first. */
  List<RunRecord> list(Query query);

  @Override
  void close();

  /** Which runs to list; each part empty means any. */
  record Query(Optional<String> playbook, Optional<RunPhase> phase, Optional<Instant> since) {
    public static final Query ALL = new Query(Optional.empty(), Optional.empty(), Optional.empty());

    public Query {
      java.util.Objects.requireNonNull(playbook, "playbook is null");
      java.util.Objects.requireNonNull(phase, "phase is null");
      java.util.Objects.requireNonNull(since, "since is null");
    }
  }
}
