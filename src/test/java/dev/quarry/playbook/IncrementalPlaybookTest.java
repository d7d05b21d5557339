package dev.quarry.playbook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.error.Problem;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

class IncrementalPlaybookTest {
  private static final Path FILE = Path.of("playbooks", "scans.yaml");
  private static final String F = FILE.toString();

  private final PlaybookLoader loader = new PlaybookLoader();

  @Test
  void anIncrementalPlaybookLoadsWithItsWindowBoundByTheRun() {
    // given
    String yaml =
        """
        name: new-scans
        query: |
          SELECT bucket, key, version_id FROM journal
          WHERE record_timestamp >= :since AND record_timestamp < :until
        incremental: { watermark: record_timestamp, lookback: 15m, start: "2026-01-01T00:00:00Z" }
        action: { type: restore, days: 1, tier: BULK }
        """;

    // when
    Playbook playbook = loader.load(FILE, yaml).orThrow();

    // then: since and until need no declaration, and the reconciliation horizon defaults to a day
    Incremental incremental = playbook.incremental().orElseThrow();
    assertThat(incremental.watermark()).isEqualTo("record_timestamp");
    assertThat(incremental.lookback()).isEqualTo(Duration.ofMinutes(15));
    assertThat(incremental.reconcile()).isEqualTo(Duration.ofHours(24));
    assertThat(incremental.start()).isEqualTo(LocalDateTime.of(2026, 1, 1, 0, 0));
    assertThat(playbook.parameters()).containsOnlyKeys("since", "until");
    assertThat(playbook.parameters().get("since").defaultValue())
        .contains(LocalDateTime.of(2026, 1, 1, 0, 0));
  }

  @Test
  void theIncrementalExampleLoads() {
    // when
    LoadResult loaded = loader.load(Path.of("docs/examples/tag-new-scans-incremental.yaml"));

    // then
    assertThat(loaded.problems()).isEmpty();
    assertThat(loaded.orThrow().incremental().orElseThrow().reconcile())
        .isEqualTo(Duration.ofHours(24));
  }

  @Test
  void everyMistakeOfTheIncrementalBlockIsReportedWhereWritten() {
    // given: no :until in the query, a look-back that is no duration, a horizon shorter than it
    String yaml =
        """
        name: new-scans
        query: SELECT bucket, key FROM journal WHERE record_timestamp >= :since
        incremental:
          watermark: record_timestamp
          lookback: 15 minutes
          reconcile: 5m
        """;

    // when
    List<Problem> problems = loader.load(FILE, yaml).problems();

    // then
    assertThat(problems)
        .containsExactly(
            new Problem(
                F,
                2,
                1,
                "query",
                "an incremental query must use :until (e.g. WHERE record_timestamp >= :since AND"
                    + " record_timestamp < :until)"),
            new Problem(
                F,
                5,
                13,
                "incremental.lookback",
                "must be a duration: a whole number and a unit (s, m, h or d), e.g. 15m or 24h"));
  }

  @Test
  void aHorizonShorterThanTheLookBackAndADeclaredWindowParameterAreRefused() {
    // given
    String yaml =
        """
        name: new-scans
        query: SELECT bucket, key FROM journal WHERE record_timestamp BETWEEN :since AND :until
        parameters:
          since: { type: timestamp }
        incremental: { watermark: record_timestamp, lookback: 2h, reconcile: 1h }
        """;

    // when
    List<Problem> problems = loader.load(FILE, yaml).problems();

    // then
    assertThat(problems)
        .extracting(Problem::line, Problem::path, Problem::message)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                4,
                "parameters.since",
                "parameter 'since' is bound by incremental: each run sets :since and :until;"
                    + " remove it from parameters"),
            org.assertj.core.groups.Tuple.tuple(
                5,
                "incremental.reconcile",
                "reconcile (1h) must reach at least as far back as lookback (2h)"));
  }

  @Test
  void aWatermarkTheQueryDoesNotReturnNorAJournalTimestampIsReported() {
    // given: an engine that says the query returns bucket and key only
    String yaml =
        """
        name: new-scans
        query: SELECT bucket, key FROM journal WHERE arrived >= :since AND arrived < :until
        incremental: { watermark: arrived, lookback: 15m }
        """;
    LoadResult loaded = loader.load(FILE, yaml);

    // when
    List<Problem> problems =
        PlaybookValidator.checkColumns(loaded, query -> List.of("bucket", "key"));

    // then
    assertThat(problems)
        .extracting(Problem::line, Problem::path, Problem::message)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                2,
                "incremental.watermark",
                "watermark 'arrived' is neither a column the query returns nor a journal"
                    + " timestamp (record_timestamp, last_modified_date); it returns: bucket,"
                    + " key"));
  }
}
