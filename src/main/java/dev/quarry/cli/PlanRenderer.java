package dev.quarry.cli;

import dev.quarry.app.PlanResult;
import dev.quarry.cost.CostEstimate;
import dev.quarry.query.ObjectRow;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A plan as text for a person; scripts use {@code --output json}, the {@link PlanResult} itself.
 */
final class PlanRenderer {
  private PlanRenderer() {}

  static void render(PlanResult plan, PrintWriter out) {
    out.printf("Plan %s  (run %s, engine %s)%n", plan.playbook(), plan.runId(), plan.engine());
    if (!plan.parameters().isEmpty()) {
      out.printf("  parameters   %s%n", parameters(plan.parameters()));
    }
    out.printf(
        "  objects      %s  (%s%s)%n",
        Sizes.count(plan.objects()),
        Sizes.bytes(plan.bytes()),
        plan.unknownSizes() > 0 ? ", size unknown for " + Sizes.count(plan.unknownSizes()) : "");
    if (plan.duplicatesRemoved() > 0) {
      out.printf(
          "  duplicates   %s %s the query returned for a task already selected (same bucket, key"
              + " and version): left out, each task runs once%n",
          Sizes.count(plan.duplicatesRemoved()), plan.duplicatesRemoved() == 1 ? "row" : "rows");
    }
    if (plan.buckets().size() > 1) {
      groups(out, "by bucket", plan.buckets());
    }
    groups(out, "by storage class", plan.storageClasses());
    groups(out, "top prefixes", plan.topPrefixes());
    if (!plan.sample().isEmpty()) {
      out.println("  sample");
      for (ObjectRow row : plan.sample()) {
        out.printf(
            "    s3://%s/%s%s%n",
            RowOutput.oneLine(row.bucket()),
            RowOutput.oneLine(row.key()),
            row.versionId() == null
                ? ""
                : "  (version " + RowOutput.oneLine(row.versionId()) + ")");
      }
    }
    out.printf("  action       %s%s%n", plan.action(), plan.destructive() ? " (destructive)" : "");
    out.printf("  operation    %s %s%n", plan.operation().name(), plan.operation().parameters());
    plan.alternativeOperation()
        .ifPresent(
            alt ->
                out.printf(
                    "  or, where eligible  %s %s (no data copied)%n",
                    alt.name(), alt.parameters()));
    boolean chosen = plan.parts().stream().anyMatch(p -> !p.why().isEmpty());
    boolean steps = plan.parts().size() > 1 || !plan.leftOut().isEmpty() || chosen;
    if (steps) {
      out.printf(
          "  jobs         %d, one per %s%n",
          plan.parts().size(),
          chosen
              ? "bucket and method (copies also per storage class): UpdateObjectEncryption where"
                  + " it applies"
              : (plan.parts().isEmpty() ? "part" : "bucket and storage class")
                  + " (a copy job targets one bucket and gives all its copies one storage class)");
    }
    int step = 1;
    for (PlanResult.Part part : plan.parts()) {
      if (steps) {
        out.printf(
            "    step %d     %s: %s objects (%s), %s %s%n",
            step++,
            part.name(),
            Sizes.count(part.objects()),
            Sizes.bytes(part.bytes()),
            part.operation().name(),
            part.operation().parameters());
        if (!part.why().isEmpty()) {
          out.printf("                 why: %s%n", part.why());
        }
        if (part.operation().name().equals("S3UpdateObjectEncryption")) {
          out.printf(
              "                 locally: only a server that implements UpdateObjectEncryption runs"
                  + " it; S3Mock and moto do not, and the sandbox fails these tasks%n");
        }
      }
    }
    for (PlanResult.LeftOut left : plan.leftOut()) {
      out.printf(
          "  left out     %s objects (%s) in %s: %s%n",
          Sizes.count(left.objects()),
          Sizes.bytes(left.bytes()),
          left.storageClass(),
          left.reason());
    }
    plan.then()
        .ifPresent(
            then -> {
              out.printf(
                  "  then         %s%s, once the restored copies are readable (its manifest: the"
                      + " objects whose restore completed)%n",
                  then.action(), then.destructive() ? " (destructive)" : "");
              out.printf(
                  "  operation    %s %s%n", then.operation().name(), then.operation().parameters());
            });
    out.printf(
        "  manifest     %s%n               %s rows, %s, ETag %s, fields %s%n",
        plan.manifest().file(),
        Sizes.count(plan.manifest().rows()),
        Sizes.bytes(plan.manifest().bytes()),
        plan.manifest().etag(),
        String.join(",", plan.manifest().fields()));
    out.printf(
        "  limits       max-objects %s; confirmation %s%n",
        plan.maxObjects() == null ? "none" : Sizes.count(plan.maxObjects()),
        plan.confirmationRequired() ? "required" : "not required");
    plan.queryStatistics()
        .ifPresent(
            q ->
                out.printf(
                    "  query cost   %s scanned by %d %s: about $%s at Athena's price per TB%n",
                    Sizes.bytes(q.bytesScanned()),
                    q.queries(),
                    q.queries() == 1 ? "query" : "queries",
                    q.costUsd().stripTrailingZeros().toPlainString()));
    cost(plan.cost(), out);
    for (String violation : plan.limitViolations()) {
      out.printf("  LIMIT        %s%n", violation);
    }
    for (String limitation : plan.awsLimitations()) {
      out.printf("  on AWS       %s%n", limitation);
    }
    out.println("  Nothing was changed: a plan only runs the query and writes the manifest.");
  }

  private static void cost(CostEstimate cost, PrintWriter out) {
    CostEstimate.Prices prices = cost.prices();
    out.printf(
        "  cost         estimate at %s list prices of %s (%s, %s)%n",
        prices.region(), prices.asOf(), prices.currency(), prices.file());
    option(cost.batch(), out);
    cost.direct().ifPresent(direct -> option(direct, out));
    CostEstimate.QueryCost query = cost.query();
    switch (query.kind()) {
      case LOCAL ->
          out.printf(
              "    query        run here by the %s engine: nothing billed%n", query.engine());
      case MEASURED ->
          out.printf(
              "    query        %s scanned by %d on %s: %s%n",
              Sizes.bytes(query.bytesScanned().orElseThrow()),
              query.queries(),
              query.engine(),
              money(query.cost().orElseThrow()));
      case UNKNOWN ->
          out.printf(
              "    query        %s reported no bytes scanned: cost unknown%n", query.engine());
    }
    for (String note : cost.notes()) {
      out.printf("    note         %s%n", note);
    }
  }

  private static void option(CostEstimate.Option option, PrintWriter out) {
    out.printf("    %-40s %12s%n", option.name(), money(option.total()));
    for (CostEstimate.Line line : option.lines()) {
      out.printf(
          "      %-38s %12s  (%s x %s %s)%n",
          line.item(),
          money(line.cost()),
          line.quantity()
              .setScale(Math.min(line.quantity().scale(), 2), RoundingMode.HALF_UP)
              .stripTrailingZeros()
              .toPlainString(),
          "$" + line.price().stripTrailingZeros().toPlainString(),
          line.unit());
    }
  }

  /** Dollars to the cent, or to a hundredth of a cent below one cent (tiny sets). */
  static String money(BigDecimal usd) {
    int scale = usd.signum() != 0 && usd.abs().compareTo(new BigDecimal("0.01")) < 0 ? 4 : 2;
    return "$" + usd.setScale(scale, RoundingMode.HALF_UP).toPlainString();
  }

  private static void groups(PrintWriter out, String title, List<PlanResult.Group> groups) {
    if (groups.isEmpty()) {
      return;
    }
    out.printf("  %s%n", title);
    // names are key prefixes: shown escaped, as every key on a terminal
    int width = groups.stream().mapToInt(g -> RowOutput.oneLine(g.name()).length()).max().orElse(0);
    for (PlanResult.Group group : groups) {
      out.printf(
          "    %-" + width + "s  %10s  %10s%n",
          RowOutput.oneLine(group.name()),
          Sizes.count(group.objects()),
          Sizes.bytes(group.bytes()));
    }
  }

  private static String parameters(Map<String, Object> parameters) {
    return parameters.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(", "));
  }
}
