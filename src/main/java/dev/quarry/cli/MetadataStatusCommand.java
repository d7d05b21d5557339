package dev.quarry.cli;

import dev.quarry.config.QuarryConfig;
import dev.quarry.metadata.Warehouse;
import dev.quarry.metadata.WarehouseStatus;
import dev.quarry.metadata.WarehouseStatus.NamespaceStatus;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code quarry metadata status}: what the local warehouse holds. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "Lists the namespaces of the local warehouse with their row counts and last refresh.",
      "",
      "Examples:",
      "  quarry metadata status",
      "  quarry metadata status --output json"
    })
public final class MetadataStatusCommand implements Runnable {
  @Mixin GlobalOptions global;

  private final CliContext context;

  public MetadataStatusCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public void run() {
    QuarryConfig config = context.config(global);
    List<NamespaceStatus> namespaces = WarehouseStatus.of(new Warehouse(config.warehouseDir()));
    PrintWriter out = context.out();
    switch (global.output()) {
      case json ->
          out.println(
              Json.write(
                  Map.of("warehouse", config.warehouseDir().toString(), "namespaces", namespaces)));
      case text -> {
        if (namespaces.isEmpty()) {
          out.println(
              "no tables in "
                  + config.warehouseDir()
                  + "; run 'quarry metadata refresh --bucket B' first");
          return;
        }
        out.printf(
            Locale.ROOT,
            "%-30s %12s %12s %8s  %-24s %s%n",
            "NAMESPACE",
            "INVENTORY",
            "JOURNAL",
            "FILES",
            "LAST REFRESH",
            "ENDPOINT");
        for (NamespaceStatus n : namespaces) {
          out.printf(
              Locale.ROOT,
              "%-30s %12d %12d %8d  %-24s %s%n",
              n.namespace(),
              n.inventoryRows(),
              n.journalRows(),
              n.journalFiles(),
              n.lastRefresh() == null ? "never" : n.lastRefresh().toString(),
              n.endpoint() == null ? "-" : n.endpoint());
        }
      }
    }
  }
}
