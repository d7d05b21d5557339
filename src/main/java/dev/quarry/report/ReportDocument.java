package dev.quarry.report;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A review as plain maps and lists, in the field names and units a script reads: the one shape
 * behind {@code quarry report --output json} and the data the HTML page renders, so the two cannot
 * disagree. Durations in seconds, rates as fractions, times as ISO-8601 text.
 */
public final class ReportDocument {
  private ReportDocument() {}

  public static Map<String, Object> of(ReportAnalysis a) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("subject", a.subject());
    out.put("jobIds", a.jobIds());
    out.put("tasks", a.tasks());
    out.put("succeeded", a.succeeded());
    out.put("failed", a.failed());
    out.put("successRate", a.successRate());
    out.put("durationSeconds", a.duration().map(d -> d.toMillis() / 1000.0).orElse(null));
    out.put("tasksPerSecond", a.tasksPerSecond().orElse(null));
    out.put(
        "failures",
        a.failures().stream()
            .map(
                g -> {
                  Map<String, Object> m = new LinkedHashMap<>();
                  m.put("errorCode", g.errorCode());
                  m.put("httpStatus", g.httpStatus());
                  m.put("count", g.count());
                  m.put("hint", g.hint().orElse(null));
                  return m;
                })
            .toList());
    out.put("prefixes", groups(a.prefixes()));
    out.put("storageClasses", groups(a.storageClasses()));
    out.put("storageClassSource", a.storageClassSource());
    out.put(
        "timeline",
        a.timeline().stream()
            .map(
                t -> {
                  Map<String, Object> m = new LinkedHashMap<>();
                  m.put("at", t.at().toString());
                  m.put("status", t.status());
                  m.put("tasksDone", t.tasksDone());
                  return m;
                })
            .toList());
    return out;
  }

  /** The failed tasks, keys decoded; {@code listed} may be fewer than {@code failed}. */
  public static List<Map<String, Object>> failedTasks(ReportAnalysis a) {
    return a.failedTasks().stream()
        .map(
            t -> {
              Map<String, Object> m = new LinkedHashMap<>();
              m.put("bucket", t.bucket());
              m.put("key", t.key());
              m.put("versionId", t.versionId());
              m.put("errorCode", t.errorCode());
              m.put("httpStatus", t.httpStatus());
              m.put("message", t.message());
              return m;
            })
        .toList();
  }

  private static List<Map<String, Object>> groups(List<ReportAnalysis.Group> groups) {
    return groups.stream()
        .map(
            g -> {
              Map<String, Object> m = new LinkedHashMap<>();
              m.put("name", g.name());
              m.put("tasks", g.tasks());
              m.put("succeeded", g.succeeded());
              m.put("failed", g.failed());
              return m;
            })
        .toList();
  }
}
