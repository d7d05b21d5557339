package dev.quarry.report;

/**
 * A review as one self-contained HTML page: no scripts, no outside resources (a Content Security
 * Policy forbids both), every value escaped. Keys can hold anything, {@code <}, {@code &} and
 * quotes included.
 */
public final class ReportHtml {
  private ReportHtml() {}

  public static String render(ReportReview review) {
    StringBuilder html = new StringBuilder(4096);
    html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"
                + " style-src 'unsafe-inline'\">\n")
        .append("<title>Completion report of job ")
        .append(escape(review.jobId()))
        .append("</title>\n<style>\n")
        .append("body{font-family:system-ui,sans-serif;margin:2em;color:#222}\n")
        .append("table{border-collapse:collapse;margin:1em 0}\n")
        .append(
            "th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}\n")
        .append("td.n{text-align:right}\ncode{white-space:pre-wrap;word-break:break-all}\n")
        .append("</style>\n</head>\n<body>\n<h1>Completion report of job ")
        .append(escape(review.jobId()))
        .append("</h1>\n<table>\n<tr><th>Tasks</th><td class=\"n\">")
        .append(review.tasks())
        .append("</td></tr>\n<tr><th>Succeeded</th><td class=\"n\">")
        .append(review.succeeded())
        .append("</td></tr>\n<tr><th>Failed</th><td class=\"n\">")
        .append(review.failed())
        .append("</td></tr>\n</table>\n");
    if (review.failures().isEmpty()) {
      html.append("<p>No task failed.</p>\n");
    } else {
      html.append("<h2>Failures by error code</h2>\n<table>\n")
          .append("<tr><th>Error code</th><th>HTTP status</th><th>Tasks</th><th>Keys</th></tr>\n");
      for (ReportReview.FailureGroup group : review.failures()) {
        html.append("<tr><td>")
            .append(group.errorCode().isEmpty() ? "(none)" : escape(group.errorCode()))
            .append("</td><td class=\"n\">")
            .append(group.httpStatus() > 0 ? Integer.toString(group.httpStatus()) : "")
            .append("</td><td class=\"n\">")
            .append(group.count())
            .append("</td><td>");
        for (String key : group.exampleKeys()) {
          html.append("<code>").append(escape(key)).append("</code><br>");
        }
        long more = group.count() - group.exampleKeys().size();
        if (more > 0) {
          html.append("… and ").append(more).append(" more");
        }
        html.append("</td></tr>\n");
      }
      html.append("</table>\n");
    }
    return html.append("</body>\n</html>\n").toString();
  }

  /** Escapes text for an element or a quoted attribute. */
  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length() + 16);
    text.codePoints()
        .forEach(
            c -> {
              switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> {
                  if (Character.isISOControl(c) && c != '\n' && c != '\t') {
                    out.append("&#xFFFD;");
                  } else {
                    out.appendCodePoint(c);
                  }
                }
              }
            });
    return out.toString();
  }
}
