package dev.quarry.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A review as one self-contained HTML page: headline figures, a status chart, errors by code,
 * progress over time, top prefixes and a searchable table of failures. Nothing is fetched: CSS,
 * script and SVG are inline, and a Content Security Policy forbids every outside resource.
 *
 * <p>The data is the {@link ReportDocument} (the JSON report) embedded as a JSON script block; the
 * page's script builds everything from it with {@code textContent}, never {@code innerHTML}, so a
 * key is never markup. In the block, {@code <}, {@code >} and {@code &} are written as JSON escapes
 * so a key holding {@code </script>} cannot end it. A search can be given in the URL's fragment
 * ({@code page.html#q=photos}).
 *
 * <p>Progress over time: the job (or run) record keeps its status changes and its final counts, not
 * when each task ended; the chart shows the tasks done at each status change (0 until the end).
 */
public final class ReportPage {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ReportPage() {}

  public static String render(ReportAnalysis analysis) {
    Map<String, Object> data = new LinkedHashMap<>(ReportDocument.of(analysis));
    data.put("failedTasks", ReportDocument.failedTasks(analysis));
    String json;
    try {
      json = JSON.writeValueAsString(data);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("maps of text and numbers always serialize", e);
    }
    json = json.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026");
    return HEAD.replace("@TITLE@", ReportHtml.escape(analysis.subject()))
        + "<script type=\"application/json\" id=\"data\">"
        + json
        + "</script>\n<script>"
        + SCRIPT
        + "</script>\n</body>\n</html>\n";
  }

  private static final String HEAD =
      """
      <!DOCTYPE html>
      <html lang="en">
      <head>
      <meta charset="utf-8">
      <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
      <title>Quarry report @TITLE@</title>
      <style>
      body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:70em}
      .figures{display:flex;gap:1em;flex-wrap:wrap}
      .figure{border:1px solid #ccc;border-radius:6px;padding:.6em 1em;min-width:8em}
      .figure b{display:block;font-size:1.6em}
      table{border-collapse:collapse;margin:1em 0}
      th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}
      td.n{text-align:right}
      td.k{font-family:monospace;white-space:pre-wrap;word-break:break-all}
      .ok{fill:#2e7d32}.ko{fill:#c62828}
      input{font-size:1em;padding:.3em;width:30em}
      </style>
      </head>
      <body>
      <h1>Quarry report <span id="subject"></span></h1>
      <div class="figures">
      <div class="figure">Tasks<b id="tasks"></b></div>
      <div class="figure">Succeeded<b id="succeeded"></b></div>
      <div class="figure">Failed<b id="failed"></b></div>
      <div class="figure">Success rate<b id="successRate"></b></div>
      <div class="figure">Duration<b id="duration"></b></div>
      <div class="figure">Throughput<b id="throughput"></b></div>
      </div>
      <h2>Status</h2>
      <svg id="status" width="600" height="40" role="img" aria-label="tasks by status"></svg>
      <h2>Errors by code</h2>
      <table id="errors"><thead><tr><th>Error code</th><th>HTTP status</th><th>Tasks</th><th>What it means</th></tr></thead><tbody></tbody></table>
      <h2>Progress over time</h2>
      <p>From the status changes the job record keeps, with the tasks done known at each.</p>
      <svg id="progress" width="600" height="160" role="img" aria-label="tasks done over time"></svg>
      <h2>Top prefixes</h2>
      <table id="prefixes"><thead><tr><th>Prefix</th><th>Tasks</th><th>Succeeded</th><th>Failed</th></tr></thead><tbody></tbody></table>
      <h2>Storage classes</h2>
      <p id="classSource"></p>
      <table id="classes"><thead><tr><th>Storage class</th><th>Tasks</th><th>Succeeded</th><th>Failed</th></tr></thead><tbody></tbody></table>
      <h2>Failed tasks</h2>
      <p><input id="search" type="search" placeholder="Filter by key, error code or message" aria-label="filter failed tasks"> <span id="shown"></span></p>
      <table id="failedTasks"><thead><tr><th>Bucket</th><th>Key</th><th>Version</th><th>Error code</th><th>HTTP</th><th>Message</th></tr></thead><tbody></tbody></table>
      """;

  private static final String SCRIPT =
      """
      "use strict";
      const d = JSON.parse(document.getElementById("data").textContent);
      const $ = id => document.getElementById(id);
      const NS = "http://www.w3.org/2000/svg";
      const set = (id, v) => { $(id).textContent = v; };
      set("subject", d.subject);
      set("tasks", String(d.tasks));
      set("succeeded", String(d.succeeded));
      set("failed", String(d.failed));
      set("successRate", (d.successRate * 100).toFixed(1) + " %");
      set("duration", d.durationSeconds === null ? "unknown" : d.durationSeconds.toFixed(1) + " s");
      set("throughput", d.tasksPerSecond === null ? "unknown" : d.tasksPerSecond.toFixed(1) + " tasks/s");
      set("classSource", "Storage class source: " + d.storageClassSource);
      function row(tbody, cells) {
        const tr = document.createElement("tr");
        for (const [text, cls] of cells) {
          const td = document.createElement("td");
          td.textContent = text === null ? "" : String(text);
          if (cls) td.className = cls;
          tr.appendChild(td);
        }
        tbody.appendChild(tr);
        return tr;
      }
      const body = id => $(id).querySelector("tbody");
      for (const f of d.failures) row(body("errors"), [[f.errorCode || "(none)"], [f.httpStatus || "", "n"], [f.count, "n"], [f.hint || ""]]);
      for (const g of d.prefixes) row(body("prefixes"), [[g.name, "k"], [g.tasks, "n"], [g.succeeded, "n"], [g.failed, "n"]]);
      for (const g of d.storageClasses) row(body("classes"), [[g.name], [g.tasks, "n"], [g.succeeded, "n"], [g.failed, "n"]]);
      const rows = d.failedTasks.map(t => {
        const tr = row(body("failedTasks"), [[t.bucket], [t.key, "k"], [t.versionId], [t.errorCode], [t.httpStatus || "", "n"], [t.message]]);
        return [tr, [t.bucket, t.key, t.versionId || "", t.errorCode, String(t.httpStatus), t.message].join("\\n").toLowerCase()];
      });
      function filter() {
        const q = $("search").value.toLowerCase();
        let shown = 0;
        for (const [tr, text] of rows) {
          const match = text.includes(q);
          tr.hidden = !match;
          if (match) shown++;
        }
        set("shown", shown + " of " + d.failed + " failed tasks shown" + (d.failedTasks.length < d.failed ? " (the first " + d.failedTasks.length + " are listed)" : ""));
      }
      $("search").addEventListener("input", filter);
      const hash = new URLSearchParams(location.hash.slice(1));
      if (hash.has("q")) $("search").value = hash.get("q");
      filter();
      function rect(svg, x, w, cls, label) {
        const r = document.createElementNS(NS, "rect");
        r.setAttribute("x", x); r.setAttribute("y", 0); r.setAttribute("width", w); r.setAttribute("height", 40);
        r.setAttribute("class", cls);
        const t = document.createElementNS(NS, "title"); t.textContent = label; r.appendChild(t);
        svg.appendChild(r);
      }
      const total = Math.max(d.tasks, 1);
      const okWidth = 600 * d.succeeded / total;
      rect($("status"), 0, okWidth, "ok", d.succeeded + " succeeded");
      rect($("status"), okWidth, 600 * d.failed / total, "ko", d.failed + " failed");
      const points = d.timeline;
      if (points.length > 0) {
        const t0 = Date.parse(points[0].at), t1 = Date.parse(points[points.length - 1].at);
        const span = Math.max(t1 - t0, 1), top = Math.max(d.tasks, 1);
        const line = document.createElementNS(NS, "polyline");
        line.setAttribute("points", points.map(p => ((Date.parse(p.at) - t0) / span * 580 + 10).toFixed(1) + "," + (150 - p.tasksDone / top * 140).toFixed(1)).join(" "));
        line.setAttribute("fill", "none"); line.setAttribute("stroke", "#1565c0"); line.setAttribute("stroke-width", "2");
        $("progress").appendChild(line);
        for (const p of points) {
          const c = document.createElementNS(NS, "circle");
          c.setAttribute("cx", ((Date.parse(p.at) - t0) / span * 580 + 10).toFixed(1));
          c.setAttribute("cy", (150 - p.tasksDone / top * 140).toFixed(1));
          c.setAttribute("r", 4); c.setAttribute("fill", "#1565c0");
          const t = document.createElementNS(NS, "title"); t.textContent = p.status + " " + p.at + ": " + p.tasksDone + " done"; c.appendChild(t);
          $("progress").appendChild(c);
        }
      }
      document.body.dataset.rendered = "true";
      """;
}
