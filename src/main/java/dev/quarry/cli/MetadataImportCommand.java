package dev.quarry.cli;

import dev.quarry.config.QuarryConfig;
import dev.quarry.metadata.MetadataImporter;
import dev.quarry.metadata.Warehouse;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code quarry metadata import}: loads tables exported from AWS. */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description = {
      "Loads S3 Metadata tables exported from AWS as Parquet (e.g. with Athena: UNLOAD (SELECT *"
          + " FROM \"s3tablescatalog/aws-s3\".\"b_starwatcher\".\"inventory\") TO"
          + " 's3://exports/inv/' WITH (format = 'PARQUET')). The inventory replaces the local"
          + " one; the journal is appended. Columns are checked against the tables' schema first:"
          + " compatible types are converted (timestamp with time zone to UTC, int to bigint),"
          + " extra columns are ignored.",
      "",
      "Examples:",
      "  quarry metadata import --bucket starwatcher --inventory inventory.parquet",
      "  quarry metadata import --bucket starwatcher --journal journal-2026-06.parquet",
      "  quarry metadata import --bucket starwatcher --inventory i.parquet --journal j.parquet"
    })
public final class MetadataImportCommand implements Runnable {
  @Mixin GlobalOptions global;

  @Option(
      names = "--bucket",
      required = true,
      paramLabel = "BUCKET",
      description = "The bucket the tables describe; they go to namespace b_<BUCKET>.")
  String bucket;

  @Option(names = "--inventory", paramLabel = "FILE", description = "An inventory Parquet file.")
  Path inventory;

  @Option(names = "--journal", paramLabel = "FILE", description = "A journal Parquet file.")
  Path journal;

  private final CliContext context;

  public MetadataImportCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public void run() {
    QuarryConfig config = context.config(global);
    MetadataImporter.ImportSummary summary =
        new MetadataImporter(
                new Warehouse(config.warehouseDir()),
                Clock.systemUTC(),
                config.embedded().memoryLimit())
            .importTables(bucket, inventory, journal);
    PrintWriter out = context.out();
    switch (global.output()) {
      case json -> out.println(Json.write(summary));
      case text -> {
        if (summary.inventoryRows() != null) {
          out.println(
              "inventory: " + summary.inventoryRows() + " rows -> " + summary.inventoryFile());
        }
        if (summary.journalRows() != null) {
          out.println("journal:   " + summary.journalRows() + " rows -> " + summary.journalFile());
        }
        summary.notes().forEach(note -> out.println("note: " + note));
      }
    }
  }
}
