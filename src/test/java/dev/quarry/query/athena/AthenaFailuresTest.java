package dev.quarry.query.athena;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.error.ErrorKind;
import dev.quarry.error.QuarryException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.athena.model.AthenaError;
import software.amazon.awssdk.services.athena.model.QueryExecutionState;
import software.amazon.awssdk.services.athena.model.QueryExecutionStatus;

/**
 * moto cannot make a query FAIL (its executions only go QUEUED, RUNNING, SUCCEEDED, or CANCELLED
 * when stopped), so the mapping of a FAILED status is tested on the status values Athena returns.
 */
class AthenaFailuresTest {
  private static final String SQL = "SELECT bucket, key\nFROM inventory\nWHERE sizee > 10";

  private static QueryExecutionStatus failed(String reason, Integer category) {
    return QueryExecutionStatus.builder()
        .state(QueryExecutionState.FAILED)
        .stateChangeReason(reason)
        .athenaError(
            category == null
                ? null
                : AthenaError.builder()
                    .errorCategory(category)
                    .errorType(1006)
                    .errorMessage(reason)
                    .build())
        .build();
  }

  @Test
  void aQueryFailedByItsTextIsAUserErrorPointingAtTheLine() {
    // given
    QueryExecutionStatus status =
        failed("COLUMN_NOT_FOUND: line 3:7: Column 'sizee' cannot be resolved", 2);

    // when
    QuarryException e = AthenaFailures.failed("q-1", status, SQL);

    // then
    assertThat(e.kind()).isEqualTo(ErrorKind.USER);
    assertThat(e.getMessage())
        .isEqualTo(
            "query failed: COLUMN_NOT_FOUND: line 3:7: Column 'sizee' cannot be resolved\n"
                + "  at line 3: WHERE sizee > 10\n"
                + "  (Athena query q-1)");
  }

  @Test
  void withoutAthenaErrorTheTrinoCodeDecides() {
    assertThat(
            AthenaFailures.failed(
                    "q", failed("SYNTAX_ERROR: line 1:8: mismatched input", null), SQL)
                .kind())
        .isEqualTo(ErrorKind.USER);
    assertThat(AthenaFailures.failed("q", failed("HIVE_CURSOR_ERROR: slow down", null), SQL).kind())
        .isEqualTo(ErrorKind.EXTERNAL);
  }

  @Test
  void aSystemFailureIsExternal() {
    // when
    QuarryException e =
        AthenaFailures.failed("q-2", failed("Amazon Athena experienced an internal error", 1), SQL);

    // then
    assertThat(e.kind()).isEqualTo(ErrorKind.EXTERNAL);
    assertThat(e.getMessage())
        .isEqualTo("Athena query q-2 failed: Amazon Athena experienced an internal error");
  }

  @Test
  void theCategoryWinsOverTheWording() {
    // a permission problem reads like a missing table, but Athena files it as system/other
    QueryExecutionStatus status = failed("TABLE_NOT_FOUND: Access denied to the catalog", 3);
    assertThat(AthenaFailures.failed("q", status, SQL).kind()).isEqualTo(ErrorKind.EXTERNAL);
  }

  @Test
  void aCancelledQueryIsExternal() {
    // given
    QueryExecutionStatus status =
        QueryExecutionStatus.builder()
            .state(QueryExecutionState.CANCELLED)
            .stateChangeReason("Query cancelled by user")
            .build();

    // when
    QuarryException e = AthenaFailures.cancelled("q-3", status);

    // then
    assertThat(e.kind()).isEqualTo(ErrorKind.EXTERNAL);
    assertThat(e.getMessage()).isEqualTo("Athena query q-3 was cancelled: Query cancelled by user");
  }

  @Test
  void aTimeoutSaysHowLongItWaited() {
    assertThat(AthenaFailures.timedOut("q-4", Duration.ofMillis(1500), "RUNNING", true))
        .hasMessage("Athena query q-4 did not finish within 1.5 s (still RUNNING); it was stopped");
    assertThat(AthenaFailures.timedOut("q-5", Duration.ofMinutes(30), "QUEUED", false).getMessage())
        .startsWith(
            "Athena query q-5 did not finish within 1800 s (still QUEUED); stopping it failed");
  }
}
