package dev.quarry.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.action.TaskOutcome;
import dev.quarry.error.QuarryException;
import dev.quarry.manifest.Manifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportReviewTest {
  @TempDir Path dir;

  private static TaskResult ok(String key) {
    return new TaskResult("b", key, null, TaskOutcome.succeeded("Successful"));
  }

  private static TaskResult failed(String key, String code, int status) {
    return new TaskResult("b", key, null, TaskOutcome.failed(code, status, "no"));
  }

  @Test
  void groupsFailuresByErrorCodeAndStatusLargestFirst() {
    // given
    List<TaskResult> rows =
        List.of(
            ok("a"),
            failed("k1", "NoSuchKey", 404),
            failed("k2", "AccessDenied", 403),
            failed("k3", "NoSuchKey", 404),
            ok("b"),
            failed("k4", "NoSuchKey", 404),
            failed("k5", "SlowDown", 503),
            new TaskResult(
                "b", "k6", null, new TaskOutcome(TaskOutcome.Status.FAILED, null, 0, "")));
    ReportReview.Builder builder = ReportReview.builder("job-1", 2);

    // when
    rows.forEach(builder);
    ReportReview review = builder.build();

    // then
    assertThat(review.tasks()).isEqualTo(8);
    assertThat(review.succeeded()).isEqualTo(2);
    assertThat(review.failed()).isEqualTo(6);
    assertThat(review.failures())
        .containsExactly(
            new ReportReview.FailureGroup("NoSuchKey", 404, 3, List.of("k1", "k3")),
            new ReportReview.FailureGroup("", 0, 1, List.of("k6")),
            new ReportReview.FailureGroup("AccessDenied", 403, 1, List.of("k2")),
            new ReportReview.FailureGroup("SlowDown", 503, 1, List.of("k5")));
  }

  @Test
  void htmlEscapesEverythingAKeyCanHold() {
    // given
    ReportReview.Builder builder = ReportReview.builder("<job>", 5);
    builder.accept(failed("<script>alert('x')</script>&\"q\".jpg", "Access<Denied>", 403));

    // when
    String html = ReportHtml.render(builder.build());

    // then
    assertThat(html)
        .doesNotContain("<script>")
        .doesNotContain("<job>")
        .doesNotContain("<Denied>")
        .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;q&quot;.jpg")
        .contains("Completion report of job &lt;job&gt;")
        .contains("<td class=\"n\">403</td>")
        .contains("Content-Security-Policy");
  }

  @Test
  void retryManifestHoldsTheFailedTasksOnly() throws Exception {
    // given
    Path target = dir.resolve("retry.csv");

    // when
    Optional<Manifest> manifest;
    try (RetryManifestWriter retry = new RetryManifestWriter(target)) {
      retry.accept(ok("a"));
      retry.accept(failed("x y/1+2.jpg", "SlowDown", 503));
      retry.accept(failed("z", "NoSuchKey", 404));
      manifest = retry.finish();
    }

    // then
    assertThat(manifest).hasValueSatisfying(m -> assertThat(m.rows()).isEqualTo(2));
    assertThat(Files.readString(target)).isEqualTo("b,x%20y/1%2B2.jpg\nb,z\n");
  }

  @Test
  void retryManifestKeepsVersionIds() throws Exception {
    // given
    Path target = dir.resolve("retry.csv");

    // when
    try (RetryManifestWriter retry = new RetryManifestWriter(target)) {
      retry.accept(new TaskResult("b", "k", "v1", TaskOutcome.failed("SlowDown", 503, "")));
      retry.accept(new TaskResult("b", "n", "null", TaskOutcome.failed("SlowDown", 503, "")));
      retry.finish();
    }

    // then
    assertThat(Files.readAllLines(target)).containsExactly("b,k,v1", "b,n,null");
  }

  @Test
  void noFailureMeansNoRetryManifest() {
    // given
    Path target = dir.resolve("retry.csv");

    // when
    Optional<Manifest> manifest;
    try (RetryManifestWriter retry = new RetryManifestWriter(target)) {
      retry.accept(ok("a"));
      manifest = retry.finish();
    }

    // then
    assertThat(manifest).isEmpty();
    assertThat(target).doesNotExist();
  }

  @Test
  void mixedVersionRowsAreRefusedAndLeaveNoFile() {
    // given
    Path target = dir.resolve("retry.csv");

    // when / then
    try (RetryManifestWriter retry = new RetryManifestWriter(target)) {
      retry.accept(new TaskResult("b", "k", "v1", TaskOutcome.failed("SlowDown", 503, "")));
      assertThatThrownBy(() -> retry.accept(failed("n", "SlowDown", 503)))
          .isInstanceOf(QuarryException.class)
          .hasMessageContaining("mix rows with and without a version id");
    }
    assertThat(target).doesNotExist();
  }
}
