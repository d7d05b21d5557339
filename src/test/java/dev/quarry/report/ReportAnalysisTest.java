package dev.quarry.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReportAnalysisTest {
  /** Written from AWS's documented report format: three results files, odd keys, common errors. */
  private static final String JOB = "3c4d5e6f-7a8b-4c9d-8e0f-review0000001";

  private static ReportLocation aws() throws Exception {
    return new ReportLocation.Local(Path.of(ReportAnalysisTest.class.getResource("aws").toURI()));
  }

  private static ReportAnalysis analyse(int maxFailed) throws Exception {
    ReportAnalysis.Builder builder = ReportAnalysis.builder(JOB, maxFailed).job(JOB);
    CompletionReportReader.read(aws(), JOB, null, builder);
    return builder.build();
  }

  @Test
  void countsEveryResultsFileOfAnAwsReport() throws Exception {
    // when
    ReportAnalysis a = analyse(100);

    // then
    assertThat(a.tasks()).isEqualTo(11);
    assertThat(a.succeeded()).isEqualTo(4);
    assertThat(a.failed()).isEqualTo(7);
    assertThat(a.successRate()).isEqualTo(4.0 / 11);
    assertThat(a.duration()).isEmpty();
    assertThat(a.tasksPerSecond()).isEmpty();
  }

  @Test
  void givesAPlainHintForTheCommonFailures() throws Exception {
    // when
    ReportAnalysis a = analyse(100);

    // then
    assertThat(a.failures())
        .extracting(g -> g.errorCode() + " " + g.httpStatus() + " " + g.hint().orElse("-"))
        .anySatisfy(s -> assertThat(s).startsWith("InvalidObjectState 403 archived object"))
        .anySatisfy(s -> assertThat(s).startsWith("ObjectNotInActiveTierError 403 archived"))
        .anySatisfy(s -> assertThat(s).startsWith("AccessDenied 403 access denied"))
        .anySatisfy(s -> assertThat(s).startsWith("KMS.DisabledException 400 KMS key unusable"))
        .anySatisfy(s -> assertThat(s).startsWith("NoSuchVersion 404 no such version"))
        .anySatisfy(s -> assertThat(s).startsWith("SlowDown 503 slow down"))
        .anySatisfy(s -> assertThat(s).startsWith("PreconditionFailed 412 precondition failed"));
    assertThat(ErrorHints.of("SomethingNew", 400)).isEmpty();
  }

  @Test
  void listsFailedKeysDecodedUpToTheLimit() throws Exception {
    // when
    ReportAnalysis all = analyse(100);
    ReportAnalysis two = analyse(2);

    // then
    assertThat(all.failedTasks())
        .extracting(ReportAnalysis.FailedTask::key)
        .containsExactly(
            "archive/deep/nested/x.tif",
            "archive/y.tif",
            "secret/<script>alert(1)</script>",
            "kms/k.dat",
            "photos/2024/old.jpg",
            "photos/2024/busy.jpg",
            "photos/2024/changed.jpg");
    assertThat(all.failedTasks().get(4).versionId()).isEqualTo("UIORUnfndfhnw89493jJFJ");
    assertThat(two.failedTasks()).hasSize(2);
    assertThat(two.failed()).isEqualTo(7);
  }

  @Test
  void breaksDownByTopPrefixAndSaysWhereStorageClassesComeFrom() throws Exception {
    // when
    ReportAnalysis a = analyse(0);

    // then: the first path segment; a bare + in a key is a space (AWS's form encoding)
    assertThat(a.prefixes())
        .containsExactly(
            new ReportAnalysis.Group("photos/", 5, 2, 3),
            new ReportAnalysis.Group("archive/", 2, 0, 2),
            new ReportAnalysis.Group("kms/", 1, 0, 1),
            new ReportAnalysis.Group("logs/", 1, 1, 0),
            new ReportAnalysis.Group("secret/", 1, 0, 1),
            new ReportAnalysis.Group("top-level.bin", 1, 1, 0));
    assertThat(a.storageClasses())
        .containsExactly(new ReportAnalysis.Group(ReportAnalysis.UNKNOWN_CLASS, 11, 4, 7));
    assertThat(a.storageClassSource()).startsWith("none");
  }

  @Test
  void groupsBeyondTheTopTenAreSummedAsOther() {
    // given
    ReportAnalysis.Builder builder = ReportAnalysis.builder("j", 0);
    for (int i = 0; i < 12; i++) {
      builder.accept(
          new TaskResult(
              "b", "p" + i + "/k", null, dev.quarry.action.TaskOutcome.succeeded("Successful")));
    }
    builder.storageClassOf(r -> Optional.of("GLACIER"), "test");

    // when
    ReportAnalysis a = builder.build();

    // then
    assertThat(a.prefixes()).hasSize(11);
    assertThat(a.prefixes().get(10))
        .isEqualTo(new ReportAnalysis.Group(ReportAnalysis.OTHER, 2, 2, 0));
    assertThat(a.storageClassSource()).isEqualTo("test");
  }

  @Test
  void comparesCountsErrorsAndDuration() throws Exception {
    // given
    ReportAnalysis a = analyse(0);
    ReportAnalysis.Builder later = ReportAnalysis.builder("b", 0);
    later.accept(
        new TaskResult(
            "b", "k", null, dev.quarry.action.TaskOutcome.failed("SlowDown", 503, "again")));

    // when
    ReportComparison c = ReportComparison.of(a, later.build());

    // then
    assertThat(c.tasksDelta()).isEqualTo(-10);
    assertThat(c.failedDelta()).isEqualTo(-6);
    assertThat(c.errors())
        .contains(
            new ReportComparison.ErrorChange("SlowDown", 503, 1, 1),
            new ReportComparison.ErrorChange("AccessDenied", 403, 1, 0));
    assertThat(c.durationDelta()).isEmpty();
    assertThat(List.copyOf(c.errors())).hasSize(7);
  }
}
