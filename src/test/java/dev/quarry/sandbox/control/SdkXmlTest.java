package dev.quarry.sandbox.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3control.model.DescribeJobResponse;
import software.amazon.awssdk.services.s3control.model.JobDescriptor;

/** The endpoint's XML as AWS writes it, for what the SDK reads either way. */
class SdkXmlTest {
  @Test
  void timestampsHaveExactlyThreeFractionDigitsInUtc() {
    // given
    JobDescriptor job =
        JobDescriptor.builder()
            .creationTime(Instant.parse("2026-11-21T20:15:00Z"))
            .terminationDate(Instant.parse("2026-11-21T20:16:01.123456789Z"))
            .build();

    // when
    String xml =
        new String(
            SdkXml.write("DescribeJobResult", DescribeJobResponse.builder().job(job).build()),
            StandardCharsets.UTF_8);

    // then
    assertThat(xml)
        .contains("<CreationTime>2026-11-21T20:15:00.000Z</CreationTime>")
        .contains("<TerminationDate>2026-11-21T20:16:01.123Z</TerminationDate>")
        .doesNotContain("FailureReasons");
  }
}
