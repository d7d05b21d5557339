package dev.quarry.job.s3control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quarry.config.QuarryConfig;
import dev.quarry.error.ErrorKind;
import dev.quarry.error.QuarryException;
import dev.quarry.report.ReportLocation;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The profile settings the s3control executor needs, all checked at once. */
class S3ControlSettingsTest {
  static QuarryConfig config(QuarryConfig.Aws aws) {
    return new QuarryConfig(
        "prod",
        Path.of("state"),
        Path.of("manifests"),
        Optional.empty(),
        "eu-west-1",
        Optional.empty(),
        "athena",
        "s3control",
        QuarryConfig.Athena.NONE,
        aws);
  }

  @Test
  void everyMissingSettingIsNamedWithItsEnvironmentVariable() {
    assertThatThrownBy(() -> S3ControlSettings.from(config(QuarryConfig.Aws.NONE)))
        .isInstanceOfSatisfying(
            QuarryException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.USER))
        .hasMessageContaining("profile 'prod' uses executor s3control")
        .hasMessageContaining("account-id (QUARRY_ACCOUNT_ID)")
        .hasMessageContaining("role-arn (QUARRY_ROLE_ARN)")
        .hasMessageContaining("manifest-location (QUARRY_MANIFEST_LOCATION)")
        .hasMessageContaining("report-location (QUARRY_REPORT_LOCATION)");
  }

  @Test
  void aCompleteProfileGivesTheReportLocationWithoutSlashes() {
    // given
    QuarryConfig.Aws aws =
        new QuarryConfig.Aws(
            Optional.of("111122223333"),
            Optional.empty(),
            Optional.of("arn:aws:iam::111122223333:role/quarry"),
            Optional.of(QuarryConfig.S3Uri.parse("s3://my-quarry/manifests/")),
            Optional.of(QuarryConfig.S3Uri.parse("s3://my-quarry/reports/batch/")),
            Optional.empty(),
            Optional.empty());

    // when
    S3ControlSettings settings = S3ControlSettings.from(config(aws));

    // then
    assertThat(settings.accountId()).isEqualTo("111122223333");
    assertThat(settings.report()).isEqualTo(new ReportLocation.S3("my-quarry", "reports/batch"));
  }
}
