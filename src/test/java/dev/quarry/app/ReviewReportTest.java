package dev.quarry.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.report.ReportLocation;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ReviewReportTest {
  @Test
  void aRunRecordsReportPathGivesBackItsPrefix() {
    // given / when / then: the inverse of ExecuteRun.reportManifest, for both kinds
    ReportLocation s3 = new ReportLocation.S3("reports", "batch/nightly");
    ReportLocation root = new ReportLocation.S3("reports", "");
    ReportLocation local = new ReportLocation.Local(Path.of("/tmp/r"));
    for (ReportLocation where : new ReportLocation[] {s3, root, local}) {
      assertThat(ReviewReport.prefixOf(ExecuteRun.reportManifest(where, "j-1"))).contains(where);
    }
    assertThat(ReviewReport.prefixOf("s3://reports/other.json")).isEmpty();
  }
}
