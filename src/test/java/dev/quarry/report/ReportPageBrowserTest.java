package dev.quarry.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.action.TaskOutcome;
import dev.quarry.testing.Chromium;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTML report in a real headless browser (Debian's chromium, run as a process): the page's
 * script runs, the DOM it leaves is read back. Skipped when chromium is not installed.
 */
class ReportPageBrowserTest {
  private static final String JOB = "3c4d5e6f-7a8b-4c9d-8e0f-review0000001";
  private static final Path SCREENSHOT = Path.of("target", "report-page.png");

  @TempDir static Path dir;
  private static Chromium chromium;
  private static Path page;
  private static Map<?, ?> json;

  @BeforeAll
  static void render() throws Exception {
    chromium = Chromium.find(dir).orElse(null);
    assumeTrue(chromium != null, "chromium is not installed (apt-get install -y chromium)");
    // given: the AWS-format fixture (three results files, odd keys) with a known timeline
    ReportAnalysis.Builder builder = ReportAnalysis.builder(JOB, 100).job(JOB);
    CompletionReportReader.read(
        new ReportLocation.Local(Path.of(ReportPageBrowserTest.class.getResource("aws").toURI())),
        JOB,
        null,
        builder);
    Instant t0 = Instant.parse("2026-11-30T10:00:00Z");
    builder
        .duration(Duration.ofSeconds(4))
        .timeline(t0, "New", 0)
        .timeline(t0.plusSeconds(1), "Active", 0)
        .timeline(t0.plusSeconds(4), "Complete", 11);
    builder.accept(
        new TaskResult("b", "</script><b>x</b>", null, TaskOutcome.failed("Odd&Code", 500, "<i>")));
    ReportAnalysis analysis = builder.build();
    page = dir.resolve("report.html");
    Files.writeString(page, ReportPage.render(analysis), StandardCharsets.UTF_8);
    json =
        new ObjectMapper()
            .readValue(
                new ObjectMapper().writeValueAsString(ReportDocument.of(analysis)), Map.class);
  }

  /** Runs chromium on the page; stdout is the DOM after the script ran, stderr its log. */
  private static String[] chromium(String fragment, String... extra) throws Exception {
    Chromium.Result result = chromium.run(page.toUri() + fragment, extra);
    return new String[] {result.out(), result.err()};
  }

  private static Document dom(String fragment) throws Exception {
    String[] result = chromium(fragment, "--dump-dom");
    // then (every run): no console message at all, errors and CSP violations included
    assertThat(result[1].lines().filter(l -> l.contains(":CONSOLE"))).isEmpty();
    Document dom = Jsoup.parse(result[0]);
    assertThat(dom.body().attr("data-rendered")).isEqualTo("true");
    return dom;
  }

  private static List<Element> shownFailures(Document dom) {
    return dom.select("#failedTasks tbody tr").stream()
        .filter(tr -> !tr.hasAttr("hidden"))
        .toList();
  }

  @Test
  void rendersTheFiguresOfTheJsonReportWithoutConsoleErrors() throws Exception {
    // when
    Document dom = dom("");

    // then
    assertThat(dom.getElementById("tasks").text()).isEqualTo(json.get("tasks").toString());
    assertThat(dom.getElementById("succeeded").text()).isEqualTo(json.get("succeeded").toString());
    assertThat(dom.getElementById("failed").text()).isEqualTo(json.get("failed").toString());
    assertThat(dom.getElementById("successRate").text())
        .isEqualTo(
            String.format("%.1f %%", ((Number) json.get("successRate")).doubleValue() * 100));
    assertThat(dom.getElementById("duration").text()).isEqualTo("4.0 s");
    assertThat(dom.getElementById("throughput").text()).isEqualTo("3.0 tasks/s");
    List<?> failures = (List<?>) json.get("failures");
    assertThat(dom.select("#errors tbody tr")).hasSize(failures.size());
    assertThat(dom.select("#errors tbody tr").get(0).child(2).text())
        .isEqualTo(((Map<?, ?>) failures.get(0)).get("count").toString());
    assertThat(dom.select("#prefixes tbody tr")).hasSize(((List<?>) json.get("prefixes")).size());
    assertThat(dom.select("#status rect")).hasSize(2);
    assertThat(dom.select("#progress circle")).hasSize(3);
    assertThat(shownFailures(dom)).hasSize(8);
    // every key is text: none became an element
    assertThat(dom.select("script")).hasSize(2);
    assertThat(dom.select("#failedTasks b, #failedTasks i")).isEmpty();
    assertThat(dom.select("#failedTasks td.k").eachText())
        .contains("secret/<script>alert(1)</script>", "</script><b>x</b>");
  }

  @Test
  void theSearchFiltersTheFailedTasks() throws Exception {
    // when
    Document dom = dom("#q=ARCHIVE%2F");

    // then
    assertThat(shownFailures(dom))
        .extracting(tr -> tr.child(1).text())
        .containsExactly("archive/deep/nested/x.tif", "archive/y.tif");
    assertThat(dom.getElementById("shown").text()).startsWith("2 of 8 failed tasks shown");
  }

  @Test
  void writesAScreenshot() throws Exception {
    // given
    Files.createDirectories(SCREENSHOT.getParent());
    Files.deleteIfExists(SCREENSHOT);

    // when
    chromium("", "--screenshot=" + SCREENSHOT.toAbsolutePath(), "--window-size=1280,2400");

    // then: a PNG
    byte[] png = Files.readAllBytes(SCREENSHOT);
    assertThat(png.length).isGreaterThan(10_000);
    assertThat(new String(png, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");
  }
}
