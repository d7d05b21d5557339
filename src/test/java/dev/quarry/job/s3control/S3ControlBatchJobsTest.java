package dev.quarry.job.s3control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quarry.app.ManifestInfo;
import dev.quarry.config.QuarryConfig;
import dev.quarry.error.ErrorKind;
import dev.quarry.error.QuarryException;
import dev.quarry.job.JobRequest;
import dev.quarry.manifest.Manifest;
import dev.quarry.manifest.ManifestWriter;
import dev.quarry.playbook.ActionSpec;
import dev.quarry.playbook.ReportSpec;
import dev.quarry.query.ObjectRow;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3control.model.JobOperation;

/**
 * What submit checks before its first remote call. The clients point at a closed port: a check that
 * let a call through would fail as an external error, not as the user error expected.
 */
class S3ControlBatchJobsTest {
  static final String FUNCTION = "arn:aws:lambda:us-east-1:111122223333:function:quarry-rollback";

  @TempDir Path dir;

  private S3ControlBatchJobs jobs(Optional<String> rollbackFunction) {
    QuarryConfig config =
        new QuarryConfig(
            "prod",
            dir.resolve("state"),
            dir.resolve("manifests"),
            Optional.of(URI.create("http://127.0.0.1:9")),
            "us-east-1",
            Optional.empty(),
            "embedded",
            "s3control",
            QuarryConfig.Athena.NONE,
            new QuarryConfig.Aws(
                Optional.of("111122223333"),
                Optional.empty(),
                Optional.of("arn:aws:iam::111122223333:role/quarry"),
                Optional.of(QuarryConfig.S3Uri.parse("s3://my-quarry/manifests/")),
                Optional.of(QuarryConfig.S3Uri.parse("s3://my-quarry/reports/")),
                Optional.of(URI.create("http://127.0.0.1:9")),
                rollbackFunction));
    return S3ControlBatchJobs.create(config);
  }

  private JobRequest request(S3ControlBatchJobs jobs, ActionSpec action, Manifest manifest) {
    return new JobRequest(
        "20261121T201500Z-3f9a1c",
        "rollback",
        "20261121T201500Z-3f9a1c",
        "",
        10,
        action,
        new JobRequest.ManifestRef(
            manifest.file(), ManifestInfo.FORMAT, manifest.etag(), manifest.fields()),
        new JobRequest.Report(true, jobs.settings().report(), ReportSpec.Scope.ALL),
        true);
  }

  private Manifest manifest(ObjectRow... rows) {
    try (ManifestWriter writer = ManifestWriter.open(dir.resolve("manifest.csv"), true)) {
      for (ObjectRow row : rows) {
        writer.write(row);
      }
      return writer.finish();
    }
  }

  private static ActionSpec rollback() {
    ObjectNode options = JsonNodeFactory.instance.objectNode().put("type", "rollback-deletes");
    return new ActionSpec("rollback-deletes", options);
  }

  @Test
  void aRollbackWithoutAFunctionInThePlaybookInvokesTheProfilesOne() {
    // given
    S3ControlBatchJobs jobs = jobs(Optional.of(FUNCTION));
    JobRequest request =
        request(jobs, rollback(), manifest(new ObjectRow("logs", "a.txt", "v1", null, null)));

    // when
    JobOperation operation = jobs.operation(request);

    // then
    assertThat(operation.lambdaInvoke().functionArn()).isEqualTo(FUNCTION);
    assertThat(operation.lambdaInvoke().invocationSchemaVersion()).isEqualTo("2.0");
    assertThat(jobs.manifestKey(request))
        .isEqualTo("manifests/rollback/20261121T201500Z-3f9a1c/manifest.csv");
  }

  @Test
  void aManifestChangedSincePlanningIsRefused() throws Exception {
    // given
    S3ControlBatchJobs jobs = jobs(Optional.of(FUNCTION));
    JobRequest request =
        request(jobs, rollback(), manifest(new ObjectRow("logs", "a.txt", "v1", null, null)));
    Files.writeString(request.manifest().file(), "logs,b.txt,v2\n");

    // when / then
    assertThatThrownBy(() -> jobs.submit(request))
        .isInstanceOfSatisfying(
            QuarryException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.USER))
        .hasMessageContaining("changed since it was planned");
    assertThat(dir.resolve("state/runs")).doesNotExist();
  }

  @Test
  void anEmptyManifestIsRefused() {
    // given
    S3ControlBatchJobs jobs = jobs(Optional.of(FUNCTION));
    JobRequest request = request(jobs, rollback(), manifest());

    // when / then
    assertThatThrownBy(() -> jobs.submit(request))
        .isInstanceOfSatisfying(
            QuarryException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.USER))
        .hasMessageContaining("has no rows");
  }
}
