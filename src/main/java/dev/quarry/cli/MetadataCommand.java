package dev.quarry.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code quarry metadata}: the local S3 Metadata tables. */
@Command(
    name = "metadata",
    mixinStandardHelpOptions = true,
    description = {
      "Local copies of a bucket's S3 Metadata tables (journal and inventory), as Parquet files"
          + " under <state-dir>/warehouse/b_<bucket>/, queried by the embedded engine.",
      "",
      "Examples:",
      "  quarry metadata refresh --bucket starwatcher",
      "  quarry metadata import --bucket starwatcher --inventory inv.parquet --journal j.parquet",
      "  quarry metadata status"
    },
    subcommands = {
      MetadataRefreshCommand.class,
      MetadataImportCommand.class,
      MetadataStatusCommand.class
    })
public final class MetadataCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "a subcommand is required: refresh, import or status");
  }
}
